"""Queued mail delivered over SMTP to a local fake server, surviving its outage."""

from __future__ import annotations

import contextlib
from email import message_from_bytes
from email.policy import default as default_policy

from aiosmtpd.controller import Controller
from edu_common.mail import MailSender, SmtpConfig, queue_mail


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


async def test_mail_waits_for_the_server_and_is_delivered_once(event_db, closed_port, eventually):
    pool = event_db.pool
    config = SmtpConfig("127.0.0.1", closed_port, "noreply@eduplatform.test", timeout=2)
    sender = MailSender(pool, config, poll_interval=0.05)
    async with pool.acquire() as conn, conn.transaction():
        await queue_mail(conn, "ada@example.com", "Verify your email", "Open https://x.test/v/1")

    # The server is down: the mail stays queued, with the attempt and the error noted.
    assert await sender.send_due() == 0
    row = await pool.fetchrow("SELECT * FROM mail_outbox")
    assert row["sent_at"] is None
    assert row["attempts"] == 1
    assert row["last_error"]
    assert row["body"] == "Open https://x.test/v/1"
    assert row["next_attempt_at"] > row["created_at"]
    # Not due again before its backoff.
    assert await sender.send_due() == 0
    assert await pool.fetchval("SELECT attempts FROM mail_outbox") == 1

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=closed_port)
    controller.start()
    try:

        async def delivered() -> bool:
            await sender.send_due()
            return bool(inbox.messages)

        await eventually(delivered, timeout=10, interval=0.1)
        assert await sender.send_due() == 0
    finally:
        with contextlib.suppress(Exception):
            controller.stop()

    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "ada@example.com"
    assert message["From"] == "noreply@eduplatform.test"
    assert message["Subject"] == "Verify your email"
    assert "https://x.test/v/1" in message.get_content()

    row = await pool.fetchrow("SELECT * FROM mail_outbox")
    assert row["sent_at"] is not None
    assert row["attempts"] == 2
    # The body (it may carry a one-time link) is not kept after delivery.
    assert row["body"] is None


async def test_rolled_back_mail_is_never_sent(event_db, closed_port):
    pool = event_db.pool
    sender = MailSender(pool, SmtpConfig("127.0.0.1", closed_port, "noreply@eduplatform.test"))
    async with pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        await queue_mail(conn, "ada@example.com", "Hello", "body")
        await tx.rollback()
    assert await pool.fetchval("SELECT count(*) FROM mail_outbox") == 0
    assert await sender.send_due() == 0
