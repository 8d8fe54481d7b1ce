"""Queued mail delivered over SMTP to a local fake server, surviving its outage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Database

import contextlib
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from edu_common.mail import MailSender, SmtpConfig, queue_mail
from edu_devstack.testing.polling import Eventually


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


async def test_mail_waits_for_the_server_and_is_delivered_once(
    event_db: Database, closed_port: int, eventually: Eventually
) -> None:
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


async def test_rolled_back_mail_is_never_sent(event_db: Database, closed_port: int) -> None:
    pool = event_db.pool
    sender = MailSender(pool, SmtpConfig("127.0.0.1", closed_port, "noreply@eduplatform.test"))
    async with pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        await queue_mail(conn, "ada@example.com", "Hello", "body")
        await tx.rollback()
    assert await pool.fetchval("SELECT count(*) FROM mail_outbox") == 0
    assert await sender.send_due() == 0


async def test_mail_is_given_up_after_a_bounded_number_of_tries(
    event_db: Database, closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    pool = event_db.pool
    config = SmtpConfig("127.0.0.1", closed_port, "noreply@eduplatform.test", timeout=2)
    sender = MailSender(pool, config, poll_interval=0.05, max_attempts=3)
    async with pool.acquire() as conn, conn.transaction():
        await queue_mail(conn, "ada@example.com", "Reset your password", "https://x.test/r/1")
    for attempt in range(1, 6):
        # Due again at once, instead of waiting out the backoff.
        await pool.execute("UPDATE mail_outbox SET next_attempt_at = now()")
        assert await sender.send_due() == 0
        expected = min(attempt, 3)
        assert await pool.fetchval("SELECT attempts FROM mail_outbox") == expected
    row = await pool.fetchrow("SELECT * FROM mail_outbox")
    assert row["failed_at"] is not None
    assert row["sent_at"] is None
    assert row["last_error"]
    assert row["body"] is None
    assert [r for r in caplog.records if r.getMessage() == "mail given up"]


async def test_an_address_the_server_cannot_take_is_given_up_at_once(
    event_db: Database, closed_port: int
) -> None:
    pool = event_db.pool
    inbox = Inbox()
    # A server without SMTPUTF8 (as the local mail sink): a non-ASCII address cannot go.
    controller = Controller(inbox, hostname="127.0.0.1", port=closed_port, enable_SMTPUTF8=False)
    controller.start()
    try:
        sender = MailSender(pool, SmtpConfig("127.0.0.1", closed_port, "noreply@eduplatform.test"))
        async with pool.acquire() as conn, conn.transaction():
            await queue_mail(conn, "\u00fcser@example.com", "Verify", "https://x.test/v/2")
            await queue_mail(conn, "ada@example.com", "Verify", "https://x.test/v/3")
        assert await sender.send_due() == 1
        await pool.execute("UPDATE mail_outbox SET next_attempt_at = now()")
        assert await sender.send_due() == 0
    finally:
        with contextlib.suppress(Exception):
            controller.stop()
    rows = await pool.fetch("SELECT * FROM mail_outbox ORDER BY id")
    assert (rows[0]["attempts"], rows[0]["last_error"]) == (1, "SMTPNotSupported")
    assert rows[0]["failed_at"] is not None
    assert rows[1]["sent_at"] is not None
    assert [m["To"] for m in inbox.messages] == ["ada@example.com"]
