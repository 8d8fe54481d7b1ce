"""Identity under test: the real app against embedded PostgreSQL, Valkey and NATS, and a fake
SMTP server (the mail server is outside our system) that keeps what it receives."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from edu_devstack.processes import free_port
from identity.app import MIGRATIONS, create_app
from identity.settings import IdentitySettings

_TOKEN = re.compile(r"token=([A-Za-z0-9_%-]+)")


@dataclass
class Mail:
    recipient: str
    subject: str
    body: str

    @property
    def token(self) -> str:
        found = _TOKEN.search(self.body)
        assert found, self.body
        return found.group(1)


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
def start_identity(services: Any, signing_key: Any, smtp: tuple[Mailbox, int]) -> Any:
    """Starts identity with test-friendly settings; keyword arguments override them."""

    async def start(**overrides: Any) -> Any:
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
async def identity(start_identity: Any) -> Any:
    return await start_identity()


@pytest.fixture
def client(identity: Any) -> httpx.AsyncClient:
    c: httpx.AsyncClient = identity.client
    return c


@pytest.fixture
async def client_from(identity: Any) -> Any:
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
def register(client: httpx.AsyncClient) -> Any:
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
def bearer() -> Any:
    def make(body: dict[str, Any]) -> dict[str, str]:
        return {"Authorization": f"Bearer {body['access_token']}"}

    return make


@pytest.fixture
async def admin_headers(identity: Any, tokens: Any) -> dict[str, str]:
    """An admin that exists in the database."""
    row = await identity.pool.fetchrow(
        "INSERT INTO users (email, password_hash, name, role, email_verified)"
        " VALUES ('root@example.com', 'x', 'Root', 'admin', true) RETURNING id"
    )
    _, headers = tokens.admin(user_id=row["id"])
    return dict(headers)
