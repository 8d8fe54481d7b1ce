"""What tests need from the stack: servers for the session, a fresh database per test, an app
under test with its lifespan running, tokens for any user, and a fake SMTP server that keeps
what it receives."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import re
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
from edu_common.migrations import COMMON_MIGRATIONS, migrate
from edu_common.security.keys import SigningKey
from edu_common.security.tokens import Role, TokenSigner
from edu_common.settings import ServiceSettings
from fastapi import FastAPI

from edu_devstack.infra import EmbeddedNats, EmbeddedPostgres, EmbeddedValkey
from edu_devstack.processes import free_port

S = TypeVar("S", bound=ServiceSettings)


@dataclass
class TestServers:
    root: Path
    postgres: EmbeddedPostgres
    valkey: EmbeddedValkey
    nats: EmbeddedNats
    _templates: dict[str, str] = field(default_factory=dict)

    @classmethod
    def start(cls) -> TestServers:
        root = Path(tempfile.mkdtemp(prefix="edu-test-"))
        servers = cls(
            root,
            EmbeddedPostgres(root / "postgres", free_port()),
            EmbeddedValkey(root / "valkey", free_port()),
            EmbeddedNats(root / "nats", free_port()),
        )
        servers.postgres.start()
        servers.valkey.start()
        servers.nats.start()
        return servers

    def stop(self) -> None:
        for server in (self.nats, self.valkey, self.postgres):
            with contextlib.suppress(Exception):
                server.stop()

    async def _admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.postgres.url())

    async def template(self, component: str, migrations: Path | None) -> str:
        """A database with the component's migrations applied, made once per session."""
        if component in self._templates:
            return self._templates[component]
        name = f"tmpl_{component}"
        admin = await self._admin()
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        conn = await asyncpg.connect(self.postgres.url(name))
        try:
            sources = [("common", COMMON_MIGRATIONS)]
            if migrations is not None:
                sources.append((component, migrations))
            await migrate(conn, sources)
        finally:
            await conn.close()
        self._templates[component] = name
        return name

    async def fresh_database(self, component: str, migrations: Path | None) -> str:
        template = await self.template(component, migrations)
        name = f"t_{component}_{uuid.uuid4().hex[:12]}"
        admin = await self._admin()
        try:
            await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        finally:
            await admin.close()
        return name

    async def drop_database(self, name: str) -> None:
        admin = await self._admin()
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def assert_problem(
    response: httpx.Response, status: int, code: str | None = None
) -> dict[str, Any]:
    """Asserts an RFC 9457 problem detail with this status (and code); returns its body."""
    assert response.status_code == status, (
        response.request.method,
        str(response.request.url),
        response.text,
    )
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail", "code"} <= set(body), body
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    if code is not None:
        assert body["code"] == code, body
        assert body["type"].endswith(code), body
    return body


class Tokens:
    """Access tokens signed with the session's key, for any user and role."""

    def __init__(self, signer: TokenSigner) -> None:
        self.signer = signer

    def make(
        self,
        role: Role | str,
        *,
        user_id: uuid.UUID | None = None,
        is_verified: bool = True,
        name: str | None = None,
        ttl_seconds: int | None = None,
    ) -> tuple[uuid.UUID, dict[str, str]]:
        uid = user_id or uuid.uuid4()
        token = self.signer.sign_access(uid, role, is_verified, name=name, ttl_seconds=ttl_seconds)
        return uid, {"Authorization": f"Bearer {token}"}

    def student(self, **kw: Any) -> tuple[uuid.UUID, dict[str, str]]:
        return self.make(Role.STUDENT, **kw)

    def teacher(self, **kw: Any) -> tuple[uuid.UUID, dict[str, str]]:
        return self.make(Role.TEACHER, **kw)

    def admin(self, **kw: Any) -> tuple[uuid.UUID, dict[str, str]]:
        return self.make(Role.ADMIN, **kw)

    def service(self, **kw: Any) -> tuple[uuid.UUID, dict[str, str]]:
        return self.make(Role.SERVICE, **kw)


@dataclass
class RunningService:
    name: str
    app: FastAPI
    client: httpx.AsyncClient
    settings: ServiceSettings
    database: str

    @property
    def pool(self) -> asyncpg.Pool:
        pool: asyncpg.Pool = self.app.state.db_pool
        return pool


@dataclass
class ServiceLauncher:
    """Starts services inside the test's event loop, all sharing one event namespace, and
    stops them (and drops their databases) when the test ends."""

    servers: TestServers
    signing_key: SigningKey
    namespace: str
    _stack: contextlib.AsyncExitStack = field(default_factory=contextlib.AsyncExitStack)
    _databases: list[str] = field(default_factory=list)

    def settings_for(
        self, component: str, settings_cls: type[S], database: str, **overrides: Any
    ) -> S:
        values: dict[str, Any] = {
            "service_name": component,
            "environment": "test",
            "database_url": self.servers.postgres.url(database),
            "redis_url": self.servers.valkey.url(),
            "nats_url": self.servers.nats.url(),
            "jwt_public_key": self.signing_key.public_pem(),
            "events_stream": self.namespace.upper(),
            "events_subject_prefix": self.namespace,
            "outbox_poll_interval": 0.2,
            "db_pool_min_size": 1,
            "db_pool_max_size": 10,
            "access_log": False,
            "run_migrations": True,
        }
        values.update(overrides)
        return settings_cls(**values)

    async def start(
        self,
        component: str,
        app_factory: Callable[[S], FastAPI],
        settings_cls: type[S],
        migrations: Path | None,
        **overrides: Any,
    ) -> RunningService:
        database = await self.servers.fresh_database(component, migrations)
        self._databases.append(database)
        settings = self.settings_for(component, settings_cls, database, **overrides)
        app = app_factory(settings)
        # The app's own lifespan, entered directly: startup here, shutdown at the test's end.
        await self._stack.enter_async_context(app.router.lifespan_context(app))
        client = await self._stack.enter_async_context(
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url=f"http://{component}.test",
                timeout=30,
            )
        )
        return RunningService(component, app, client, settings, database)

    async def close(self) -> None:
        await self._stack.aclose()
        for database in self._databases:
            with contextlib.suppress(Exception):
                await self.servers.drop_database(database)


@contextlib.asynccontextmanager
async def launcher(servers: TestServers, signing_key: SigningKey) -> AsyncIterator[ServiceLauncher]:
    launch = ServiceLauncher(servers, signing_key, f"t{uuid.uuid4().hex[:10]}")
    try:
        yield launch
    finally:
        await launch.close()


# --- a fake SMTP server (the mail server is outside our system) ---------------------------

_TOKEN = re.compile(r"token=([A-Za-z0-9_%-]+)")


@dataclass
class Mail:
    """One message as the fake SMTP server received it."""

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
