"""Notification under test: the real app against embedded PostgreSQL, Valkey and NATS, and a
fake SMTP server (the mail server is outside our system) that keeps what it receives."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from edu_common.events.contracts import Event
from edu_devstack.testing import Mailbox, RunningService, ServiceLauncher, Tokens
from notification.app import MIGRATIONS, create_app
from notification.settings import NotificationSettings

# What the fixtures below hand a test.
Deliver = Callable[[Event], Awaitable[None]]
# (headers, type, count=1): the user's notifications of that type, once `count` are there.
Inbox = Callable[..., Awaitable[list[dict[str, Any]]]]
KnownUser = Callable[[uuid.UUID], Awaitable[uuid.UUID]]
# (user_id, title=..., body=...): the created notification's body.
Create = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
async def notification(services: ServiceLauncher, smtp: tuple[Mailbox, int]) -> RunningService:
    return await services.start(
        "notification",
        create_app,
        NotificationSettings,
        MIGRATIONS,
        smtp_port=smtp[1],
        mail_poll_interval=0.05,
    )


@pytest.fixture
def client(notification: RunningService) -> httpx.AsyncClient:
    return notification.client


@pytest.fixture
def deliver(notification: RunningService) -> Deliver:
    """Publishes an event on the app's bus, as its publisher's outbox relay would; each call
    is a new message, so JetStream redelivers the same event as often as asked."""

    async def send(event: Event) -> None:
        bus = notification.app.state.event_bus
        await bus.publish(event.subject, event.model_dump_json().encode(), msg_id=str(uuid.uuid4()))

    return send


@pytest.fixture
def inbox(client: httpx.AsyncClient) -> Inbox:
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
def known_user(notification: RunningService) -> KnownUser:
    """Puts a user in the recipients projection, as identity's user-registered event would."""

    async def add(user_id: uuid.UUID) -> uuid.UUID:
        await notification.pool.execute(
            "INSERT INTO recipients (user_id, email, name) VALUES ($1, $2, 'Known User')"
            " ON CONFLICT (user_id) DO NOTHING",
            user_id,
            f"{user_id.hex}@example.com",
        )
        return user_id

    return add


@pytest.fixture
def create(client: httpx.AsyncClient, tokens: Tokens, known_user: KnownUser) -> Create:
    """Creates a notification for a (known) user through the service route."""
    _, service_headers = tokens.service()

    async def make(user_id: uuid.UUID, title: str = "Hello", body: str = "Text") -> dict[str, Any]:
        await known_user(user_id)
        r = await client.post(
            "/notifications",
            json={"user_id": str(user_id), "type": "announcement", "title": title, "body": body},
            headers=service_headers,
        )
        assert r.status_code == 201, r.text
        created: dict[str, Any] = r.json()
        return created

    return make
