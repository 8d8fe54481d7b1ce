"""Every database read into the operating system's page cache before a run, so that a run
measures the platform with its data in memory, as it serves all day, and not how long ago
the data was last read (a restarted PostgreSQL read lessons 10 times slower for minutes:
docs/performance). pg_prewarm's `read` mode reads each block through the kernel without
taking PostgreSQL's shared buffers, which hold a fraction of the full data set."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass

import asyncpg

from edu_load.statements import each_database

# Tables, their TOAST tables, indexes and materialized views, outside the system catalogs.
_PREWARM = """
SELECT coalesce(sum(pg_prewarm(c.oid, 'read')), 0)::bigint
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 't', 'i', 'm') AND c.relpersistence = 'p'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
"""


@dataclass(frozen=True)
class Warmed:
    blocks: int
    seconds: float
    failed: dict[str, str]

    def note(self, block_size: int = 8192) -> str:
        text = (
            f"{self.blocks * block_size / 2**20:,.0f} MiB of the databases read into the page"
            f" cache before the run (pg_prewarm, 'read'), {self.seconds:.1f} s"
        )
        if self.failed:
            text += "; not warmed: " + ", ".join(f"{n} ({e})" for n, e in self.failed.items())
        return text


def warm(urls: Mapping[str, str]) -> Warmed:
    async def read(conn: asyncpg.Connection) -> int:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        blocks: int = await conn.fetchval(_PREWARM)
        return blocks

    started = time.monotonic()
    results = asyncio.run(each_database(urls, read))
    return Warmed(
        blocks=sum(r for r in results.values() if isinstance(r, int)),
        seconds=time.monotonic() - started,
        failed={n: str(r) for n, r in results.items() if isinstance(r, BaseException)},
    )
