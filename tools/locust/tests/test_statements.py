"""The bench's statement counts, read from pg_stat_statements of the real PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
from edu_load import statements, warm


def test_statements_are_counted_from_the_reset_on(edu_servers: Any) -> None:
    url = edu_servers.postgres.url("postgres")
    marker = f"bench_{uuid.uuid4().hex[:8]}"

    async def run(times: int) -> None:
        conn = await asyncpg.connect(url)
        try:
            for i in range(times):
                await conn.fetchval(f"SELECT $1::int AS {marker}", i)
        finally:
            await conn.close()

    asyncio.run(run(3))
    assert statements.reset({"db": url}) is None
    asyncio.run(run(5))
    counted = statements.read({"db": url}, limit=50)["db"]
    mine = [s for s in counted.top if marker in s.query]
    # Counted since the reset only, its constant normalized to a placeholder.
    assert [(s.calls, s.query) for s in mine] == [(5, f"SELECT $1::int AS {marker}")]
    assert counted.calls >= 5
    assert counted.total_ms >= mine[0].total_ms > 0


def test_a_database_that_cannot_be_reached_is_a_note_not_a_crash(edu_servers: Any) -> None:
    url = edu_servers.postgres.url("no_such_database")
    note = statements.reset({"db": url})
    assert note is not None
    assert note.startswith("statements not counted:")
    assert "no_such_database" in note
    assert statements.read({"db": url}) == {}


def test_a_database_is_read_into_the_page_cache(edu_servers: Any) -> None:
    url = edu_servers.postgres.url("postgres")
    table = f"warm_{uuid.uuid4().hex[:8]}"

    async def make() -> int:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(
                f"CREATE TABLE {table} AS SELECT g AS n FROM generate_series(1, 50000) g"  # noqa: S608
            )
            pages: int = await conn.fetchval(
                "SELECT pg_relation_size($1) / current_setting('block_size')::int", table
            )
            return pages
        finally:
            await conn.close()

    async def drop() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(f"DROP TABLE {table}")
        finally:
            await conn.close()

    pages = asyncio.run(make())
    try:
        warmed = warm.warm({"db": url, "gone": edu_servers.postgres.url("no_such_database")})
    finally:
        asyncio.run(drop())
    assert warmed.blocks >= pages > 0
    assert list(warmed.failed) == ["gone"]
    assert "MiB of the databases read into the page cache" in warmed.note()
    assert "not warmed: gone" in warmed.note()
