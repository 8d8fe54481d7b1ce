"""Notification under test: the real app against embedded PostgreSQL, Valkey and NATS, and a
fake SMTP server (the mail server is outside our system) that keeps what it receives."""

from __future__ import annotations

import asyncio
import email
import email.policy
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from edu_common.events.contracts import Event
from edu_devstack.processes import free_port
from notification.app import MIGRATIONS, create_app
from notification.settings import NotificationSettings


@dataclass
class Mail:
    recipient: str
    subject: str
    body: str


@dataclass
class Mailbox:
    """Messages the fake SMTP server received (shared by the whole session)."""

    messages: list[Mail] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        for rcpt in envelope.rcpt_tos:
            self.messages.append(Mail(rcpt.lower(), str(message["Subject"]), text))
        return "250 OK"

    def to(self, recipient: str, subject_has: str = "") -> list[Mail]:
        return [
            m
            for m in self.messages
            if m.recipient == recipient.lower() and subject_has.lower() in m.subject.lower()
        ]

    async def wait_for(self, recipient: str, subject_has: str = "", count: int = 1) -> list[Mail]:
        for _ in range(100):
            found = self.to(recipient, subject_has)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.05)
        raise AssertionError(f"no mail {subject_has!r} to {recipient}: {self.messages}")


@pytest.fixture(scope="session")
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp: tuple[Mailbox, int]) -> Mailbox:
    return smtp[0]


@pytest.fixture
async def notification(services: Any, smtp: tuple[Mailbox, int]) -> Any:
    return await services.start(
        "notification",
        create_app,
        NotificationSettings,
        MIGRATIONS,
        smtp_port=smtp[1],
        mail_poll_interval=0.05,
    )


@pytest.fixture
def client(notification: Any) -> httpx.AsyncClient:
    c: httpx.AsyncClient = notification.client
    return c


@pytest.fixture
def deliver(notification: Any) -> Any:
    """Publishes an event on the app's bus, as its publisher's outbox relay would; each call
    is a new message, so JetStream redelivers the same event as often as asked."""

    async def send(event: Event) -> None:
        bus = notification.app.state.event_bus
        await bus.publish(event.subject, event.model_dump_json().encode(), msg_id=str(uuid.uuid4()))

    return send


@pytest.fixture
def inbox(client: httpx.AsyncClient) -> Any:
    """Polls a user's notifications until `count` of the given type are there."""

    async def wait(headers: dict[str, str], type_: str, count: int = 1) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for _ in range(150):
            r = await client.get("/notifications/me", headers=headers)
            assert r.status_code == 200, r.text
            found = [n for n in r.json()["items"] if n["type"] == type_]
            if len(found) >= count:
                return found
            await asyncio.sleep(0.05)
        raise AssertionError(f"no {type_} notification: {found}")

    return wait


@pytest.fixture
def create(client: httpx.AsyncClient, tokens: Any) -> Any:
    """Creates a notification for a user through the service route."""
    _, service_headers = tokens.service()

    async def make(user_id: uuid.UUID, title: str = "Hello", body: str = "Text") -> Any:
        r = await client.post(
            "/notifications",
            json={"user_id": str(user_id), "type": "announcement", "title": title, "body": body},
            headers=service_headers,
        )
        assert r.status_code == 201, r.text
        return r.json()

    return make
