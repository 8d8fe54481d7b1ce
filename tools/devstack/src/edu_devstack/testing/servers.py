"""Embedded PostgreSQL, Valkey and NATS for a test session, and a fresh database per test
cloned from a template that has the component's migrations applied."""

from __future__ import annotations

import contextlib
import random
import shutil
import string
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

import asyncpg
from edu_common.migrations import COMMON_MIGRATIONS, migrate

from edu_devstack.infra import EmbeddedNats, EmbeddedPostgres, EmbeddedValkey
from edu_devstack.processes import free_port


def unique_word() -> str:
    """A word no other test's data has: the session's tests share one Valkey (cached catalog
    pages are keyed by their query), so a search of its own keeps a test apart."""
    return "".join(random.choices(string.ascii_lowercase, k=12))


class _Server(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


S = TypeVar("S", bound=_Server)


@contextlib.contextmanager
def private_server(kind: Callable[[Path, int], S], prefix: str) -> Iterator[S]:
    """A server of the test's own (`EmbeddedPostgres`, `EmbeddedNats` ...) on a free port, in
    a directory removed afterwards: for a test that kills or restarts it, so the rest of the
    suite never sees the outage."""
    root = Path(tempfile.mkdtemp(prefix=f"edu-test-{prefix}-"))
    server = kind(root, free_port())
    server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(Exception):
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


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
