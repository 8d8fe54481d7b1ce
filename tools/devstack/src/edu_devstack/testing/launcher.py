"""Services under test: the real app with its lifespan running inside the test's event loop,
reached through an in-process HTTP client."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
from edu_common.security.keys import SigningKey
from edu_common.settings import ServiceSettings
from fastapi import FastAPI

from edu_devstack.testing.servers import TestServers

S = TypeVar("S", bound=ServiceSettings)


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
