"""A minimal service built with the shared factory, for testing the library itself."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, cast

import asyncpg
import pytest
from edu_common.app import ServiceSpec, create_app
from edu_common.auth import Admin, CurrentUser, VerifiedTeacher
from edu_common.cache import JsonCache
from edu_common.db import DbConn, after_commit, create_pool, transaction
from edu_common.errors import AppError, error_responses, not_found
from edu_common.events import EventBus, enqueue
from edu_common.events.contracts import TeacherVerified, UserRegistered
from edu_common.sanitize import Text
from edu_common.settings import MailSettings, ServiceSettings
from edu_devstack.testing import Mailbox, RunningService, ServiceLauncher, TestServers
from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel

MIGRATIONS = Path(__file__).parent / "sample_migrations"

# What the fixtures hand out, named for the tests that take them.
LaunchSample = Callable[..., Awaitable[RunningService]]
"""Starts the sample service with settings overridden (`database_url=...`, say)."""
Background = Callable[[Coroutine[Any, Any, Any]], "asyncio.Task[Any]"]
"""Runs a loop (a relay, a consumer) until the test ends."""
MakeBus = Callable[..., Awaitable[EventBus]]
"""A connected event bus (`stream=`, `prefix=` optional)."""


class SampleSettings(ServiceSettings):
    pass


class MailingSampleSettings(MailSettings):
    pass


class NoteIn(BaseModel):
    text: Annotated[str, Text(max_length=200, required=True)]
    fail_after_write: bool = False


class NoteOut(BaseModel):
    id: int
    text: str


router = APIRouter()


@router.post("/notes", status_code=201, response_model=NoteOut, responses=error_responses(409, 422))
async def create_note(body: NoteIn, conn: DbConn, user: CurrentUser, request: Request) -> Any:
    # INSERT ... RETURNING always hands back the row it wrote.
    row = cast(
        asyncpg.Record,
        await conn.fetchrow(
            "INSERT INTO notes (owner, text) VALUES ($1, $2) RETURNING id, text",
            user.user_id,
            body.text,
        ),
    )
    pool = request.app.state.db_pool
    seen: list[Any] = request.app.state.seen_after_commit

    async def look_from_outside() -> None:
        # From another connection: the note is there only once the write has committed.
        seen.append(await pool.fetchval("SELECT text FROM notes WHERE id = $1", row["id"]))

    after_commit(conn, look_from_outside)
    await enqueue(
        conn,
        UserRegistered(user_id=user.user_id, email="x@example.com", name=body.text, role="student"),
    )
    if body.fail_after_write:
        raise AppError(409, "rolled_back", "the write is rolled back")
    return dict(row)


@router.get("/notes", response_model=list[NoteOut])
async def list_notes(conn: DbConn) -> Any:
    return [dict(row) for row in await conn.fetch("SELECT id, text FROM notes ORDER BY id")]


@router.get("/notes/{note_id}", response_model=NoteOut, responses=error_responses(404))
async def get_note(note_id: int, conn: DbConn) -> Any:
    row = await conn.fetchrow("SELECT id, text FROM notes WHERE id = $1", note_id)
    if row is None:
        raise not_found("note")
    return dict(row)


@router.get("/notes/{note_id}/cached", response_model=NoteOut, responses=error_responses(404))
async def get_note_cached(note_id: int, conn: DbConn, request: Request) -> Any:
    """`get_note` through the cache, as a service reads a hot row."""
    cache = JsonCache(request.app.state.redis, "sample:note")
    found = await cache.get(note_id)
    if found is None:
        row = await conn.fetchrow("SELECT id, text FROM notes WHERE id = $1", note_id)
        if row is None:
            raise not_found("note")
        found = dict(row)
        await cache.set(note_id, found)
    return found


@router.get("/notes/{note_id}/standalone", response_model=NoteOut, responses=error_responses(404))
async def get_note_in_own_transaction(note_id: int, request: Request) -> Any:
    """Reads in a transaction of its own, as a route that calls another service does."""
    pool = request.app.state.db_pool
    async with transaction(pool, timeout=request.app.state.settings.db_acquire_timeout) as conn:
        row = await conn.fetchrow("SELECT id, text FROM notes WHERE id = $1", note_id)
    if row is None:
        raise not_found("note")
    return dict(row)


@router.get("/no-query", response_model=dict[str, bool])
async def no_query(conn: DbConn) -> Any:
    """A route that could query but does not (a cache hit, say)."""
    return {"holds_connection": conn.has_connection}


@router.get("/admin-only", response_model=dict[str, str])
async def admin_only(user: Admin) -> Any:
    return {"role": user.role}


@router.get("/teachers-only", response_model=dict[str, str])
async def teachers_only(user: VerifiedTeacher) -> Any:
    return {"id": str(user.user_id)}


async def _count_verified(conn: Any, event: TeacherVerified) -> None:
    await conn.execute("INSERT INTO effects (event_user) VALUES ($1)", event.user_id)


def build(settings: SampleSettings) -> FastAPI:
    app = create_app(
        ServiceSpec(
            name="sample",
            title="Sample",
            routers=[router],
            migrations=MIGRATIONS,
            consumers={"sample-teacher-verified": {TeacherVerified: _count_verified}},
        ),
        settings,
    )
    app.state.seen_after_commit = []
    return app


def build_mailing(settings: MailingSampleSettings) -> FastAPI:
    return create_app(
        ServiceSpec(
            name="sample", title="Sample", routers=[router], migrations=MIGRATIONS, sends_mail=True
        ),
        settings,
    )


@pytest.fixture
def launch_sample(services: ServiceLauncher) -> LaunchSample:
    """Starts the sample service with settings overridden (`database_url=...`, say)."""

    async def launch(**overrides: Any) -> RunningService:
        return await services.start("sample", build, SampleSettings, MIGRATIONS, **overrides)

    return launch


@pytest.fixture
async def sample_mailing(services: ServiceLauncher, smtp: tuple[Mailbox, int]) -> RunningService:
    """The sample service as one that sends mail, to the session's fake SMTP server."""
    return await services.start(
        "sample",
        build_mailing,
        MailingSampleSettings,
        MIGRATIONS,
        smtp_port=smtp[1],
        mail_poll_interval=0.05,
    )


@pytest.fixture
async def sample(services: ServiceLauncher) -> RunningService:
    return await services.start("sample", build, SampleSettings, MIGRATIONS)


@pytest.fixture
async def sample_without_cache(services: ServiceLauncher, closed_port: int) -> RunningService:
    """The sample service with its Valkey address pointing at a closed port."""
    return await services.start(
        "sample", build, SampleSettings, MIGRATIONS, redis_url=f"redis://127.0.0.1:{closed_port}/0"
    )


@pytest.fixture
async def sample_one_connection(services: ServiceLauncher) -> RunningService:
    """The sample service with a pool of one connection and a short wait for it."""
    return await services.start(
        "sample",
        build,
        SampleSettings,
        MIGRATIONS,
        db_pool_min_size=1,
        db_pool_max_size=1,
        db_acquire_timeout=0.2,
    )


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on (bound once, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
async def background() -> AsyncIterator[Background]:
    """Runs loops (relays, consumers) for one test and cancels them when it ends."""
    tasks: list[asyncio.Task[Any]] = []

    def start(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro)
        tasks.append(task)
        return task

    yield start
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(task, 10)


@dataclass
class Database:
    name: str
    url: str
    pool: asyncpg.Pool


@pytest.fixture
async def event_db(edu_servers: TestServers) -> AsyncIterator[Database]:
    """A fresh database with the common tables (outbox, processed_events, mail_outbox) and an
    `effects` table handlers write to, so a test can count what an event caused."""
    name = await edu_servers.fresh_database("events", None)
    url = edu_servers.postgres.url(name)
    settings = ServiceSettings(
        service_name="common-tests", database_url=url, db_pool_min_size=1, db_pool_max_size=10
    )
    pool = await create_pool(settings)
    try:
        await pool.execute("CREATE TABLE effects (event_id uuid NOT NULL, info text)")
        yield Database(name, url, pool)
    finally:
        await pool.close()
        await edu_servers.drop_database(name)


@pytest.fixture
async def make_bus(edu_servers: TestServers) -> AsyncIterator[MakeBus]:
    """Connected event buses, each on a stream and subject prefix of its own unless given."""
    buses: list[EventBus] = []

    async def make(stream: str | None = None, prefix: str | None = None) -> EventBus:
        tag = uuid.uuid4().hex[:10]
        bus = EventBus(
            edu_servers.nats.url(), stream=stream or f"T{tag.upper()}", prefix=prefix or f"t{tag}"
        )
        await bus.connect()
        buses.append(bus)
        return bus

    yield make
    for bus in buses:
        if bus.is_connected:
            with contextlib.suppress(Exception):
                await bus.js.delete_stream(bus.stream)
        with contextlib.suppress(Exception):
            await bus.close()


@pytest.fixture
async def blank_database(edu_servers: TestServers) -> AsyncIterator[str]:
    """An empty database (no migrations at all); yields its URL."""
    name = f"t_blank_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(edu_servers.postgres.url())
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield edu_servers.postgres.url(name)
    finally:
        await edu_servers.drop_database(name)
