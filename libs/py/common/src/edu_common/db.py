"""asyncpg pool and the per-request transaction.

The request dependency owns the transaction: repositories and services take the connection,
never commit, and the outbox row lands in the same transaction as the state change.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import asyncpg
from asyncpg import Connection
from fastapi import Depends, Request

from edu_common.errors import AppError
from edu_common.settings import ServiceSettings

logger = logging.getLogger("edu.db")


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "jsonb", encoder=_json_dumps, decoder=_json_loads, schema="pg_catalog"
    )
    await conn.set_type_codec("json", encoder=_json_dumps, decoder=_json_loads, schema="pg_catalog")


def _json_dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


def _json_loads(value: str) -> Any:
    return json.loads(value)


async def create_pool(settings: ServiceSettings, **overrides: Any) -> asyncpg.Pool:
    options: dict[str, Any] = {
        "min_size": settings.db_pool_min_size,
        "max_size": settings.db_pool_max_size,
        "command_timeout": settings.db_command_timeout,
        "init": _init_connection,
        "server_settings": {"application_name": settings.service_name},
    }
    options.update(overrides)
    pool: asyncpg.Pool = await asyncpg.create_pool(settings.database_url, **options)
    return pool


@asynccontextmanager
async def transaction(
    pool: asyncpg.Pool, timeout: float | None = None
) -> AsyncIterator[Connection]:
    async with pool.acquire(timeout=timeout) as conn, conn.transaction():
        yield conn


async def _request_transaction(request: Request) -> AsyncIterator[Connection]:
    pool: asyncpg.Pool = request.app.state.db_pool
    timeout: float = request.app.state.settings.db_acquire_timeout
    try:
        conn: Connection = await pool.acquire(timeout=timeout)
    except (
        TimeoutError,
        OSError,
        asyncpg.PostgresConnectionError,
        asyncpg.CannotConnectNowError,
        asyncpg.TooManyConnectionsError,
    ) as exc:
        # Every connection busy, or the database unreachable: the client may retry later.
        logger.warning("no database connection", extra={"error": repr(exc)})
        raise AppError(
            503,
            "database_unavailable",
            "the service is busy, try again shortly",
            headers={"Retry-After": "1"},
        ) from None
    tx = conn.transaction()
    try:
        await tx.start()
        try:
            yield conn
        except BaseException:
            await tx.rollback()
            raise
        await tx.commit()
    finally:
        await pool.release(conn)


# scope="function": the transaction commits when the endpoint returns, before the response is
# sent, so a client never sees a 2xx for a write that then fails to commit.
DbConn = Annotated[Connection, Depends(_request_transaction, scope="function")]


def pool_sizes(pool: asyncpg.Pool | None) -> tuple[int, int] | None:
    if pool is None:
        return None
    return pool.get_size(), pool.get_idle_size()
