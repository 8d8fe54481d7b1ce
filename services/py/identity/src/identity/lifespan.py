"""What identity runs beside its routes: token signer, password hasher, rate limiter, and the
demo accounts in development. (Its mail goes out through the app factory's mail sender.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from edu_common.ratelimit import RateLimiter
from edu_common.security.passwords import PasswordHasher
from edu_common.security.tokens import TokenSigner
from edu_common.settings import Environment
from fastapi import FastAPI

from identity.accounts.seed import seed_demo_users
from identity.settings import IdentitySettings


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
    if settings.seed_demo_users and settings.environment is not Environment.PRODUCTION:
        async with state.db_pool.acquire() as conn, conn.transaction():
            await seed_demo_users(conn, hasher)
    try:
        yield
    finally:
        hasher.close()
