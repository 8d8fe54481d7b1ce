"""What identity runs beside its routes: token signer, password hasher, rate limiter, the
mail sender, and the demo accounts in development."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from edu_common.mail import MailSender, SmtpConfig
from edu_common.ratelimit import RateLimiter
from edu_common.security.passwords import PasswordHasher
from edu_common.security.tokens import TokenSigner
from edu_common.settings import Environment
from fastapi import FastAPI

from identity.accounts.seed import seed_demo_users
from identity.settings import IdentitySettings

logger = logging.getLogger("edu.identity.mail")


@asynccontextmanager
async def identity_runtime(app: FastAPI) -> AsyncIterator[None]:
    settings: IdentitySettings = app.state.settings
    state = app.state
    state.token_signer = TokenSigner(
        state.signing_key,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        access_ttl_seconds=settings.access_ttl_seconds,
    )
    hasher = PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_cost,
        parallelism=settings.argon2_parallelism,
        max_threads=settings.argon2_max_threads,
    )
    state.password_hasher = hasher
    state.rate_limiter = RateLimiter(state.redis, prefix="identity:rl")
    sender = MailSender(
        state.db_pool,
        SmtpConfig(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.mail_sender,
            username=settings.smtp_username,
            password=settings.smtp_password,
            use_tls=settings.smtp_use_tls,
        ),
        poll_interval=settings.mail_poll_interval,
    )
    if settings.seed_demo_users and settings.environment is not Environment.PRODUCTION:
        async with state.db_pool.acquire() as conn, conn.transaction():
            await seed_demo_users(conn, hasher)
    mail_task = asyncio.create_task(sender.run())
    try:
        yield
    finally:
        mail_task.cancel()
        # Bounded: shutdown never waits long on a mail server.
        await asyncio.wait({mail_task}, timeout=5)
        if mail_task.done() and not mail_task.cancelled():
            with contextlib.suppress(Exception):
                mail_task.result()
        hasher.close()
