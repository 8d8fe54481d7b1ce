"""Identity under test: the real app against embedded PostgreSQL, Valkey and NATS, and a fake
SMTP server (the mail server is outside our system) that keeps what it receives."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from edu_common.security.keys import SigningKey
from edu_devstack.testing import Mailbox, RunningService, ServiceLauncher, Tokens
from identity.app import MIGRATIONS, create_app
from identity.settings import IdentitySettings

# What the fixtures below hand a test.
# (**overrides): identity started with the test settings, overridden by the keywords.
StartIdentity = Callable[..., Awaitable[RunningService]]
AllMailDelivered = Callable[[], Awaitable[None]]
ClientFrom = Callable[[str], httpx.AsyncClient]
# (role="student", email=None, password=...): the 201 body, with the password.
Register = Callable[..., Awaitable[dict[str, Any]]]
Bearer = Callable[[dict[str, Any]], dict[str, str]]


@pytest.fixture
def start_identity(
    services: ServiceLauncher, signing_key: SigningKey, smtp: tuple[Mailbox, int]
) -> StartIdentity:
    """Starts identity with test-friendly settings; keyword arguments override them."""

    async def start(**overrides: Any) -> RunningService:
        values: dict[str, Any] = {
            "jwt_private_key": signing_key.private_pem(),
            "smtp_port": smtp[1],
            "mail_poll_interval": 0.05,
            # Cheap hashing keeps the suite fast; the production cost is a setting.
            "argon2_memory_cost": 1024,
            "argon2_time_cost": 1,
            **overrides,
        }
        return await services.start("identity", create_app, IdentitySettings, MIGRATIONS, **values)

    return start


@pytest.fixture
async def identity(start_identity: StartIdentity) -> RunningService:
    return await start_identity()


@pytest.fixture
def all_mail_delivered(identity: RunningService) -> AllMailDelivered:
    """Waits until identity has delivered every mail it queued, so a test can then assert
    what did not arrive."""

    async def wait() -> None:
        for _ in range(200):
            unsent = await identity.pool.fetchval(
                "SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL"
            )
            if unsent == 0:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{unsent} queued mail not delivered")

    return wait


@pytest.fixture
def client(identity: RunningService) -> httpx.AsyncClient:
    return identity.client


@pytest.fixture
async def client_from(identity: RunningService) -> AsyncIterator[ClientFrom]:
    """A client whose requests come from another socket address."""
    clients: list[httpx.AsyncClient] = []

    def make(ip: str) -> httpx.AsyncClient:
        c = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=identity.app, client=(ip, 40000)),
            base_url="http://identity.test",
        )
        clients.append(c)
        return c

    yield make
    for c in clients:
        await c.aclose()


_counter = iter(range(1_000_000))


@pytest.fixture
def register(client: httpx.AsyncClient) -> Register:
    """Registers a fresh user; returns the 201 body and the password."""

    async def make(
        role: str = "student",
        email: str | None = None,
        password: str = "correct-horse-1",  # noqa: S107
    ) -> dict[str, Any]:
        address = email or f"user{next(_counter)}-{id(client)}@example.com"
        r = await client.post(
            "/register",
            json={"email": address, "password": password, "name": "Test User", "role": role},
        )
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        body["password"] = password
        return body

    return make


@pytest.fixture
def bearer() -> Bearer:
    def make(body: dict[str, Any]) -> dict[str, str]:
        return {"Authorization": f"Bearer {body['access_token']}"}

    return make


@pytest.fixture
async def admin_headers(identity: RunningService, tokens: Tokens) -> dict[str, str]:
    """An admin that exists in the database."""
    row = await identity.pool.fetchrow(
        "INSERT INTO users (email, password_hash, name, role, email_verified)"
        " VALUES ('root@example.com', 'x', 'Root', 'admin', true) RETURNING id"
    )
    _, headers = tokens.admin(user_id=row["id"])
    return dict(headers)
