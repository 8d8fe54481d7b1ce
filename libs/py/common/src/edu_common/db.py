"""asyncpg pool and the one way code runs in a transaction.

`transaction(pool)` (an endpoint that owns its transaction, an event consumer) and `DbConn`
(the request's transaction, built on it) both hand out a `Transaction`: repositories use it as
they would an asyncpg connection (`fetch`, `fetchrow`, `fetchval`, `execute`, ...), and never
commit. It takes a pooled connection and opens the database transaction only at its first
query, so a request served from the cache, or busy hashing a password, holds no connection.
The block's end commits (or rolls back on an exception); `after_commit(conn, step)` registers
work that must follow a successful commit, such as dropping cached copies of what was written.

A pool with no free connection, a database that cannot be reached and a connection whose
server has died all raise `DatabaseUnavailableError` (503 `database_unavailable`, Retry-After). A
dead connection is discarded, never returned to the pool; one found dead before any statement
of the transaction had completed is replaced once, and the statement runs on the new one
(nothing was written, so nothing is lost or done twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar

import asyncpg
from asyncpg import Connection
from fastapi import Depends, Request

from edu_common.errors import AppError
from edu_common.settings import ServiceSettings

logger = logging.getLogger("edu.db")

T = TypeVar("T")
AfterCommit = Callable[[], Awaitable[None]]

# The server cannot be reached, or has ended the connection (restart, crash, administrator).
_SERVER_GONE = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
)
# The server's statement_timeout, or the client's command_timeout: the database is too slow
# to answer now, which the client may retry, as it may when no connection is to be had.
_TOO_SLOW = (asyncpg.QueryCanceledError, TimeoutError)
# No connection to be had: every one busy, or none can be opened.
_NO_CONNECTION = (TimeoutError, asyncpg.TooManyConnectionsError, *_SERVER_GONE)


class DatabaseUnavailableError(AppError):
    """No usable database connection: the client may retry shortly."""

    def __init__(self) -> None:
        super().__init__(
            503,
            "database_unavailable",
            "the service is busy, try again shortly",
            headers={"Retry-After": "1"},
        )


class _ConnectionLostError(Exception):
    """A statement found its connection dead (internal: becomes a retry or a 503)."""


def _is_lost(conn: Connection, exc: BaseException) -> bool:
    # A command timeout (TimeoutError is an OSError) leaves the connection usable.
    if isinstance(exc, _SERVER_GONE) and not isinstance(exc, TimeoutError):
        return True
    try:
        return bool(conn.is_closed())
    except asyncpg.InterfaceError:
        # asyncpg has already handed the closed connection back to the pool.
        return True


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "jsonb", encoder=_json_dumps, decoder=_json_loads, schema="pg_catalog"
    )
    await conn.set_type_codec("json", encoder=_json_dumps, decoder=_json_loads, schema="pg_catalog")


def _json_dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


def _json_loads(value: str) -> Any:
    return json.loads(value)


async def _keep_session(conn: asyncpg.Connection) -> None:
    """What a connection needs when it goes back to the pool, beyond what asyncpg always does
    (rolling back a transaction left open): nothing. asyncpg's default reset sends
    `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` on every release, a round
    trip per request (measured: with BEGIN and COMMIT, the most expensive statement course
    sent). Our connections keep no session state to undo: settings are `SET LOCAL`, cursors
    end with their transaction, LISTEN runs on a connection of its own (the outbox relay),
    and the one session lock (migrations) is released in a `finally`."""


async def create_pool(
    settings: ServiceSettings, *, session: dict[str, str] | None = None, **overrides: Any
) -> asyncpg.Pool:
    """The service's connections; `session` adds PostgreSQL settings every connection of this
    pool starts with (a pool for one kind of query planned its own way), and `overrides`
    replace asyncpg's options."""
    options: dict[str, Any] = {
        "min_size": settings.db_pool_min_size,
        "max_size": settings.db_pool_max_size,
        "command_timeout": settings.db_command_timeout,
        "init": _init_connection,
        "reset": _keep_session,
        "server_settings": {
            "application_name": settings.service_name,
            # Milliseconds; a statement past it is cancelled by the server (a 503, see _attempt).
            "statement_timeout": str(round(settings.db_statement_timeout * 1000)),
            **(session or {}),
        },
    }
    options.update(overrides)
    pool: asyncpg.Pool = await asyncpg.create_pool(settings.database_url, **options)
    return pool


class Transaction:
    """A database transaction taken at its first query; see the module docstring.

    Only `transaction()` creates one. It is used by one task at a time, like a connection.
    """

    def __init__(
        self, pool: asyncpg.Pool, acquire_timeout: float | None, *, reads_only: bool = False
    ) -> None:
        self._pool = pool
        self._acquire_timeout = acquire_timeout
        # Each statement runs on a pooled connection of its own, taken for that statement only,
        # with no BEGIN and COMMIT around it.
        self._reads_only = reads_only
        self._conn: Connection | None = None
        self._tx: Any = None
        self._statements = 0
        self._broken = False
        self._ended = False
        self._after_commit: list[AfterCommit] = []
        # Two statements started at once must not both take a connection.
        self._taking = asyncio.Lock()

    @property
    def has_connection(self) -> bool:
        """Whether a connection is held (a query has run and the block has not ended)."""
        return self._conn is not None

    # The query API repositories use, as asyncpg's connection spells it.
    async def execute(self, query: str, *args: Any, **kwargs: Any) -> str:
        return await self._run(lambda conn: conn.execute(query, *args, **kwargs))

    async def executemany(self, command: str, args: Any, **kwargs: Any) -> None:
        await self._run(lambda conn: conn.executemany(command, args, **kwargs))

    async def fetch(self, query: str, *args: Any, **kwargs: Any) -> list[asyncpg.Record]:
        return await self._run(lambda conn: conn.fetch(query, *args, **kwargs))

    async def fetchrow(self, query: str, *args: Any, **kwargs: Any) -> asyncpg.Record | None:
        return await self._run(lambda conn: conn.fetchrow(query, *args, **kwargs))

    async def fetchval(self, query: str, *args: Any, **kwargs: Any) -> Any:
        return await self._run(lambda conn: conn.fetchval(query, *args, **kwargs))

    async def fetchmany(self, query: str, args: Any, **kwargs: Any) -> list[asyncpg.Record]:
        return await self._run(lambda conn: conn.fetchmany(query, args, **kwargs))

    async def copy_records_to_table(self, table_name: str, **kwargs: Any) -> str:
        return await self._run(lambda conn: conn.copy_records_to_table(table_name, **kwargs))

    async def _run(self, statement: Callable[[Connection], Awaitable[T]]) -> T:
        # Nothing has been written yet: a connection found dead may be replaced once.
        replaceable = self._statements == 0
        while True:
            try:
                result = await self._attempt(statement)
            except _ConnectionLostError as lost:
                if replaceable:
                    replaceable = False
                    logger.warning(
                        "database connection lost, retrying on a new one",
                        extra={"error": repr(lost.__cause__)},
                    )
                    continue
                self._broken = True
                logger.warning(
                    "database connection lost mid-transaction",
                    extra={"error": repr(lost.__cause__)},
                )
                raise DatabaseUnavailableError() from lost.__cause__
            self._statements += 1
            return result

    async def _attempt(self, statement: Callable[[Connection], Awaitable[T]]) -> T:
        conn = await self._connection()
        try:
            result = await statement(conn)
        except Exception as exc:
            if not _is_lost(conn, exc):
                # The statement reached the server: no replacing the connection after it.
                self._statements += 1
                if self._reads_only:
                    await self._release()
                if isinstance(exc, _TOO_SLOW):
                    logger.warning("database statement too slow", extra={"error": repr(exc)})
                    raise DatabaseUnavailableError() from exc
                raise
            await self._discard()
            raise _ConnectionLostError from exc
        if self._reads_only:
            # Nothing spans statements: the connection goes back at once, not when the route
            # ends (a route may still call Valkey or build its answer meanwhile).
            await self._release()
        return result

    async def _connection(self) -> Connection:
        if self._ended:
            raise asyncpg.InterfaceError("the transaction has already ended")
        if self._broken:
            # Its connection died after a write: never continue on another one.
            raise DatabaseUnavailableError()
        if self._conn is not None:
            return self._conn
        async with self._taking:
            return self._conn or await self._begin()

    async def _begin(self) -> Connection:
        try:
            conn: Connection = await self._pool.acquire(timeout=self._acquire_timeout)
        except _NO_CONNECTION as exc:
            logger.warning("no database connection", extra={"error": repr(exc)})
            raise DatabaseUnavailableError() from None
        self._conn = conn
        if self._reads_only:
            return conn
        tx = conn.transaction()
        try:
            await tx.start()
        except BaseException as exc:
            if isinstance(exc, Exception) and _is_lost(conn, exc):
                await self._discard()
                raise _ConnectionLostError from exc
            await self._release()
            raise
        self._tx = tx
        return conn

    async def _discard(self) -> None:
        """Drops a dead connection: closed, so the pool opens a fresh one in its place."""
        conn, self._conn, self._tx = self._conn, None, None
        if conn is None:
            return
        # A connection the server closed may already be back in the pool, detached.
        with contextlib.suppress(asyncpg.InterfaceError):
            conn.terminate()
        with contextlib.suppress(Exception):
            await self._pool.release(conn)

    async def _release(self) -> None:
        conn, self._conn, self._tx = self._conn, None, None
        if conn is None:
            return
        try:
            await self._pool.release(conn)
        except Exception as exc:
            # The reset on release found the server gone after the work was done (committed
            # or rolled back): the outcome stands, and asyncpg has dropped the connection.
            logger.warning("connection lost on release, dropped", extra={"error": repr(exc)})
            with contextlib.suppress(Exception):
                conn.terminate()

    async def _commit(self) -> None:
        self._ended = True
        if self._broken:
            raise DatabaseUnavailableError()
        if self._tx is not None:
            conn = self._conn
            assert conn is not None
            try:
                await self._tx.commit()
            except Exception as exc:
                if not _is_lost(conn, exc):
                    await self._release()
                    raise
                await self._discard()
                logger.warning("database connection lost at commit", extra={"error": repr(exc)})
                raise DatabaseUnavailableError() from exc
            await self._release()
        elif self._conn is not None:
            await self._release()
        steps, self._after_commit = self._after_commit, []
        for step in steps:
            try:
                await step()
            except Exception:
                # The write is committed: a failed follow-up is logged, the outcome stands.
                logger.exception("after-commit step failed", extra={"step": repr(step)})

    async def _rollback(self) -> None:
        self._ended = True
        self._after_commit = []
        if self._tx is None:
            if self._conn is not None:
                await self._release()
            return
        conn = self._conn
        assert conn is not None
        try:
            await self._tx.rollback()
        except Exception as exc:
            # A connection in an unknown state never goes back to the pool.
            logger.warning("rollback failed, connection dropped", extra={"error": repr(exc)})
            await self._discard()
            return
        await self._release()


def after_commit(conn: Any, step: AfterCommit) -> None:
    """Runs `step` once `conn`'s transaction has committed; never if it rolls back.

    `conn` is the connection a request (`DbConn`), an event handler or `transaction()` was
    given. Steps run in the order registered, before the response is sent (or the event is
    acknowledged); a step that fails is logged and does not undo the commit.
    """
    if not isinstance(conn, Transaction):
        raise TypeError(
            "after_commit needs the connection of a DbConn, an event handler or transaction()"
        )
    if conn._ended:
        raise asyncpg.InterfaceError("the transaction has already ended")
    conn._after_commit.append(step)


@asynccontextmanager
async def transaction(
    pool: asyncpg.Pool, timeout: float | None = None, *, reads_only: bool = False
) -> AsyncIterator[Transaction]:
    """A transaction that commits when the block ends and rolls back if it raises.

    `timeout` bounds the wait for a pooled connection (then `DatabaseUnavailableError`).
    `reads_only`: for code that only reads, the statements run without BEGIN and COMMIT (two
    round trips fewer), each on a connection taken from the pool for that statement alone. At
    PostgreSQL's READ COMMITTED, which every service uses, each statement of a transaction
    reads its own snapshot anyway, so reads see exactly what they would inside one. Nothing
    that writes, locks (`FOR UPDATE`) or sets `SET LOCAL` belongs there: each statement
    commits on its own, and the next may run on another connection.
    """
    tx = Transaction(pool, timeout, reads_only=reads_only)
    try:
        yield tx
    except BaseException:
        await tx._rollback()
        raise
    await tx._commit()


async def _request_transaction(request: Request) -> AsyncIterator[Transaction]:
    pool: asyncpg.Pool = request.app.state.db_pool
    timeout: float = request.app.state.settings.db_acquire_timeout
    async with transaction(pool, timeout) as conn:
        yield conn


def request_reads(pool_name: str) -> Callable[[Request], AsyncIterator[Transaction]]:
    """The dependency behind `DbRead`, on the app's pool `app.state.<pool_name>`: a service
    with a pool of its own for some reads (course's searches) declares its own `DbRead`."""

    async def reads(request: Request) -> AsyncIterator[Transaction]:
        pool: asyncpg.Pool = getattr(request.app.state, pool_name)
        timeout: float = request.app.state.settings.db_acquire_timeout
        async with transaction(pool, timeout, reads_only=True) as conn:
            yield conn

    return reads


# scope="function": the transaction commits (and its after-commit steps run) when the endpoint
# returns, before the response is sent, so a client never sees a 2xx for a write that then
# fails to commit, nor a stale read of what it just wrote.
DbConn = Annotated[Transaction, Depends(_request_transaction, scope="function")]
# A route that only reads: the same, without BEGIN and COMMIT (see `transaction`'s reads_only).
DbRead = Annotated[Transaction, Depends(request_reads("db_pool"), scope="function")]


def pool_sizes(*pools: asyncpg.Pool | None) -> tuple[int, int] | None:
    """Connections open and idle, over all of a service's request pools."""
    found = [pool for pool in pools if pool is not None]
    if not found:
        return None
    return sum(p.get_size() for p in found), sum(p.get_idle_size() for p in found)
