"""What notification runs beside its routes: the mail sender."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from edu_common.mail import MailSender, SmtpConfig
from fastapi import FastAPI

from notification.settings import NotificationSettings


@asynccontextmanager
async def notification_runtime(app: FastAPI) -> AsyncIterator[None]:
    settings: NotificationSettings = app.state.settings
    sender = MailSender(
        app.state.db_pool,
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
