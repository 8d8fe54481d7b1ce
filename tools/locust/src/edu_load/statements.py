"""Where each database spent its time during a run: pg_stat_statements, reset when the load
starts and read when it ends. The stack's PostgreSQL preloads the extension; a database
without it gets a note in the report instead."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import TypeVar

import asyncpg

from edu_load.report import DatabaseStatements, Statement

T = TypeVar("T")

_TOTAL = """
SELECT coalesce(sum(total_exec_time), 0)::float8 AS total_ms,
       coalesce(sum(calls), 0)::bigint AS calls
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
"""
_TOP = """
SELECT query, calls, total_exec_time::float8 AS total_ms
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY total_exec_time DESC
LIMIT $1
"""
_RESET = """
SELECT pg_stat_statements_reset(0, oid, 0) FROM pg_database WHERE datname = current_database()
"""


async def each_database(
    urls: Mapping[str, str], work: Callable[[asyncpg.Connection], Awaitable[T]]
) -> dict[str, T | BaseException]:
    """`work` on a connection of its own to each database, at once; a failure is its result."""

    async def one(url: str) -> T:
        conn = await asyncpg.connect(url, timeout=10)
        try:
            return await work(conn)
        finally:
            await conn.close()

    names = sorted(urls)
    results = await asyncio.gather(*(one(urls[n]) for n in names), return_exceptions=True)
    return dict(zip(names, results, strict=True))


def reset(urls: Mapping[str, str]) -> str | None:
    """Starts counting afresh in every database; None, or why statements cannot be counted."""

    async def start(conn: asyncpg.Connection) -> None:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        await conn.execute(_RESET)

    for result in asyncio.run(each_database(urls, start)).values():
        if isinstance(result, BaseException):
            return f"statements not counted: {result}"
    return None


def read(urls: Mapping[str, str], limit: int = 8) -> dict[str, DatabaseStatements]:
    """Each database's time in statements since `reset`, with the `limit` costliest."""

    async def collect(conn: asyncpg.Connection) -> DatabaseStatements:
        total = await conn.fetchrow(_TOTAL)
        top = await conn.fetch(_TOP, limit)
        return DatabaseStatements(
            total_ms=total["total_ms"],
            calls=total["calls"],
            top=[Statement(" ".join(r["query"].split()), r["calls"], r["total_ms"]) for r in top],
        )

    found = asyncio.run(each_database(urls, collect))
    return {name: r for name, r in found.items() if isinstance(r, DatabaseStatements)}
