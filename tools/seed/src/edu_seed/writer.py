"""Writes a seed plan into every service's database with COPY, all or nothing."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import sys
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import asyncpg
from edu_common.migrations import COMMON_MIGRATIONS, migrate
from edu_common.security.passwords import PasswordHasher

from edu_seed.dataset import COLUMNS, COURSE_TABLES, Row, SeedPlan
from edu_seed.progress import Progress
from edu_seed.scale import SEED_ADMIN_EMAIL, SEED_PASSWORD, Scale

DATABASES = ("identity", "course", "enrollment", "payment", "notification")
BATCH_COURSES = 1_000

# What the course_search_words trigger adds per row, once for the whole catalog.
_SEARCH_WORDS = """
INSERT INTO search_words (word)
SELECT DISTINCT w FROM courses,
    unnest(tsvector_to_array(to_tsvector('simple', title || ' ' || description))) AS w
WHERE length(w) BETWEEN 3 AND 60
ON CONFLICT DO NOTHING
"""


class SeedError(RuntimeError):
    pass


@dataclass(frozen=True)
class SeedResult:
    rows: dict[str, int]
    seconds: float
    summary: str


def migrations_of(service: str) -> Path:
    """The service's migrations directory, applied the way the service applies them."""
    spec = importlib.util.find_spec(service)
    if spec is None or spec.origin is None:
        raise SeedError(f"the {service} service is not installed in this workspace")
    return Path(spec.origin).parent / "migrations"


@contextlib.asynccontextmanager
async def _connections(urls: Mapping[str, str]) -> AsyncIterator[dict[str, asyncpg.Connection]]:
    conns: dict[str, asyncpg.Connection] = {}
    try:
        for name in DATABASES:
            try:
                conns[name] = await asyncpg.connect(urls[name])
            except (OSError, asyncpg.PostgresError) as exc:
                raise SeedError(
                    f"cannot reach the {name} database ({exc}); is the stack up (`edu up`)?"
                ) from exc
        yield conns
    finally:
        for conn in conns.values():
            with contextlib.suppress(Exception):
                await conn.close()


async def _copy(conn: asyncpg.Connection, table: str, rows: list[Row], progress: Progress) -> None:
    if not rows:
        return
    started = time.perf_counter()
    await conn.copy_records_to_table(
        table.split(".", 1)[1], records=rows, columns=list(COLUMNS[table])
    )
    progress.add(table, len(rows), time.perf_counter() - started)


async def seed(
    urls: Mapping[str, str],
    scale: Scale,
    seed_number: int,
    *,
    stream: TextIO | None = None,
    row_triggers: bool = False,
) -> SeedResult:
    """Seeds every database (by name in `urls`) in one transaction each, committed together
    at the end. With `row_triggers` off (and a superuser), row triggers and foreign-key
    checks are skipped during COPY (the plan is consistent by construction) and the search
    vocabulary the course trigger keeps is refreshed in one statement instead."""
    async with _connections(urls) as conns:
        for name, conn in conns.items():
            await migrate(conn, [("common", COMMON_MIGRATIONS), (name, migrations_of(name))])
        found = await conns["identity"].fetchval(
            "SELECT 1 FROM users WHERE lower(email) = $1", SEED_ADMIN_EMAIL
        )
        if found:
            raise SeedError(
                "this platform is seeded already; `edu reset` (which wipes all data), then"
                " `edu up --detach` and seed again"
            )
        categories: list[uuid.UUID] = [
            r["id"] for r in await conns["course"].fetch("SELECT id FROM categories ORDER BY slug")
        ]
        plan = SeedPlan(scale, seed_number, categories)
        hasher = PasswordHasher()
        try:
            # One hash for every account: argon2 is slow on purpose, 50K of them would not be.
            password_hash = await hasher.hash(SEED_PASSWORD)
        finally:
            hasher.close()

        progress = Progress(plan.totals(), stream or sys.stderr)
        transactions = {name: conn.transaction() for name, conn in conns.items()}
        for name, conn in conns.items():
            await transactions[name].start()
            superuser = await conn.fetchval(
                "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
            )
            if not row_triggers and superuser:
                # At 10K courses (300K lessons) on a shared 2-core machine: 53 s with the
                # search-words trigger and foreign-key checks firing per row, 21-23 s without
                # them and one bulk refresh of the vocabulary (about 1 s).
                await conn.execute("SET LOCAL session_replication_role = replica")
        try:
            for table, rows in plan.user_rows(password_hash).items():
                await _copy(conns[table.split(".")[0]], table, rows, progress)
            progress.draw()

            # The databases take their COPY side by side; within one, in table order.
            async def write(database: str, batch_rows: dict[str, list[Row]]) -> None:
                for table in COURSE_TABLES:
                    if table.startswith(database + "."):
                        await _copy(conns[database], table, batch_rows[table], progress)

            # The next batch is made in a thread while PostgreSQL takes in this one.
            loop = asyncio.get_running_loop()
            batches = plan.batches(BATCH_COURSES)
            upcoming = loop.run_in_executor(None, next, batches, None)
            while (batch := await upcoming) is not None:
                upcoming = loop.run_in_executor(None, next, batches, None)
                await asyncio.gather(*(write(db, batch.rows) for db in DATABASES))
                progress.draw()
            started = time.perf_counter()
            await conns["course"].execute(_SEARCH_WORDS)
            words_seconds = time.perf_counter() - started
            for transaction in transactions.values():
                await transaction.commit()
        except BaseException:
            for transaction in transactions.values():
                with contextlib.suppress(Exception):
                    await transaction.rollback()
            raise
        summary = progress.finish()
        stream_out = progress.stream
        stream_out.write(f"search vocabulary refreshed in {words_seconds:.1f} s\n")
        started = time.perf_counter()
        await asyncio.gather(*(conn.execute("ANALYZE") for conn in conns.values()))
        stream_out.write(f"statistics (ANALYZE) in {time.perf_counter() - started:.1f} s\n")
        written = {table: entry.rows for table, entry in progress.tables.items()}
        return SeedResult(written, time.perf_counter() - progress.started, summary)
