"""Outgoing mail: queued in the database in the caller's transaction, delivered over SMTP by a
background sender that retries, so a mail server outage delays mail but loses none."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib
import asyncpg

from edu_common.settings import MailSettings

logger = logging.getLogger("edu.mail")


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    timeout: float = 10.0

    @classmethod
    def from_settings(cls, settings: MailSettings) -> SmtpConfig:
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.mail_sender,
            username=settings.smtp_username,
            password=settings.smtp_password,
            use_tls=settings.smtp_use_tls,
        )


async def queue_mail(conn: asyncpg.Connection, recipient: str, subject: str, body: str) -> None:
    await conn.execute(
        "INSERT INTO mail_outbox (recipient, subject, body) VALUES ($1, $2, $3)",
        recipient,
        subject,
        body,
    )


class MailSender:
    """Delivers queued mail. The app factory runs it under its supervisor for a service whose
    `ServiceSpec` has `sends_mail=True`."""

    def __init__(
        self, pool: asyncpg.Pool, config: SmtpConfig, *, poll_interval: float = 0.5
    ) -> None:
        self.pool = pool
        self.config = config
        self.poll_interval = poll_interval

    async def _deliver(self, recipient: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self.config.sender
        message["To"] = recipient
        message["Subject"] = subject
        message.set_content(body)
        await aiosmtplib.send(
            message,
            hostname=self.config.host,
            port=self.config.port,
            username=self.config.username,
            password=self.config.password,
            use_tls=self.config.use_tls,
            timeout=self.config.timeout,
        )

    async def send_due(self, batch_size: int = 20) -> int:
        sent = 0
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                """
                SELECT id, recipient, subject, body FROM mail_outbox
                WHERE sent_at IS NULL AND next_attempt_at <= now()
                ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
                """,
                batch_size,
            )
            for row in rows:
                try:
                    await self._deliver(row["recipient"], row["subject"], row["body"] or "")
                except Exception as exc:
                    # Whatever stopped this mail (the server, or a message it cannot take)
                    # retries it later and never holds up the mail queued behind it.
                    await conn.execute(
                        """
                        UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2,
                            next_attempt_at =
                                now() + make_interval(secs => least(300, 2 ^ attempts))
                        WHERE id = $1
                        """,
                        row["id"],
                        type(exc).__name__,
                    )
                    logger.warning(
                        "mail not sent yet",
                        extra={"mail_id": row["id"], "error": type(exc).__name__},
                    )
                    continue
                # The body may carry a one-time link: it is not kept once delivered.
                await conn.execute(
                    "UPDATE mail_outbox SET sent_at = now(), body = NULL, attempts = attempts + 1"
                    " WHERE id = $1",
                    row["id"],
                )
                sent += 1
        return sent

    async def run(self) -> None:
        current = asyncio.current_task()
        while True:
            # aiosmtplib can turn a cancellation that arrives mid-delivery into an SMTP error,
            # which looks like a failed delivery: honour the cancellation here.
            if current is not None and current.cancelling():
                raise asyncio.CancelledError
            try:
                count = await self.send_due()
            except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
                logger.warning("mail sender pass failed", extra={"error": repr(exc)})
                count = 0
            if count == 0:
                await asyncio.sleep(self.poll_interval)
