"""Outgoing mail: queued in the database in the caller's transaction, delivered over SMTP by a
background sender that retries, so a mail server outage delays mail but loses none.

Retries are bounded: after `max_attempts` failed tries (12 by default: with the backoff below,
about 25 minutes of trying), or at once for an error no retry can cure, the mail is marked
failed (`failed_at`, `last_error`) and logged as an error, so no message is retried forever."""

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


# The server cannot carry this message (an internationalized address without SMTPUTF8):
# trying again would fail the same way.
_PERMANENT = (aiosmtplib.SMTPNotSupported,)
DEFAULT_MAX_ATTEMPTS = 12


class MailSender:
    """Delivers queued mail. The app factory runs it under its supervisor for a service whose
    `ServiceSpec` has `sends_mail=True`."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        config: SmtpConfig,
        *,
        poll_interval: float = 0.5,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> None:
        self.pool = pool
        self.config = config
        self.poll_interval = poll_interval
        self.max_attempts = max_attempts

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
                SELECT id, recipient, subject, body, attempts FROM mail_outbox
                WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
                ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
                """,
                batch_size,
            )
            for row in rows:
                try:
                    await self._deliver(row["recipient"], row["subject"], row["body"] or "")
                except Exception as exc:
                    # Whatever stopped this mail (the server, or a message it cannot take)
                    # retries it later, up to a bound, and never holds up the mail behind it.
                    attempts = row["attempts"] + 1
                    if isinstance(exc, _PERMANENT) or attempts >= self.max_attempts:
                        await self._give_up(conn, row["id"], attempts, exc)
                        continue
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

    async def _give_up(
        self, conn: asyncpg.Connection, mail_id: int, attempts: int, exc: BaseException
    ) -> None:
        # The body may carry a one-time link: a mail that will never go out does not keep it.
        await conn.execute(
            """
            UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2, failed_at = now(),
                body = NULL
            WHERE id = $1
            """,
            mail_id,
            type(exc).__name__,
        )
        logger.error(
            "mail given up",
            extra={"mail_id": mail_id, "attempts": attempts, "error": type(exc).__name__},
        )

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
