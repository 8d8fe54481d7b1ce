"""Catalog search benchmark: the course service's real catalog query against a naive baseline.

    python tools/bench/search.py                      # 100K courses, 300 runs per scenario
    python tools/bench/search.py --courses 2000 --runs 5
    python tools/bench/search.py --explain            # also EXPLAIN ANALYZE one query per kind
    python tools/bench/search.py --pending-edits 5000 # searches beside a GIN pending list
    python tools/bench/search.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

It starts its own embedded PostgreSQL (or uses the server at --database-url, where it creates
and drops a scratch database), applies the course migrations, loads generated English and
Russian courses with COPY, runs ANALYZE, then times each scenario through the service's own
`catalog` function, so it measures the SQL the service runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import course
from course.catalog.repository import COURSE_COLUMNS, CatalogFilter
from course.catalog.schemas import Sort
from course.catalog.search import SEARCH_SESSION, CatalogQuery
from course.catalog.service import catalog
from course.settings import CourseSettings
from edu_common.migrations import COMMON_MIGRATIONS, migrate
from edu_common.pagination import CursorCodec
from edu_devstack.infra import EmbeddedPostgres
from edu_devstack.processes import free_port
from edu_seed.catalog_text import COPY_COLUMNS, CatalogGenerator

COURSE_MIGRATIONS = Path(course.__file__).parent / "migrations"
PAGE = 20
DEEP_PAGE = 50

SEARCHES = {
    "search: common word": ["python", "javascript", "beginners", "data", "course"],
    "search: rare word": ["haskell", "erlang", "cobol", "prolog", "каллиграфия"],
    "search: typo": ["pyhton", "kubernets", "machne lerning", "javascirpt", "statistcs"],
    "search: phrase": [
        "introduction to machine learning",
        '"data analysis" for managers',
        "complete python bootcamp",
        "hands-on docker projects",
    ],
    "search: russian": [
        "программирование",
        "машинное обучение",
        "основы статистики",
        "курс по программированию",
        "анализ данных",
    ],
}


@dataclass
class Scenario:
    name: str
    ours: Callable[[asyncpg.Connection], Awaitable[Any]]
    baseline: Callable[[asyncpg.Connection], Awaitable[Any]] | None = None
    baseline_name: str = ""
    ours_ms: list[float] = field(default_factory=list)
    baseline_ms: list[float] = field(default_factory=list)


# --- the scratch database -------------------------------------------------------------------


@contextlib.asynccontextmanager
async def scratch_database(server_url: str | None) -> AsyncIterator[str]:
    """A new, migrated database on the given server or on an embedded one started here."""
    with contextlib.ExitStack() as stack:
        if server_url is None:
            root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="edu-bench-")))
            server = EmbeddedPostgres(root / "postgres", free_port())
            print(f"starting embedded PostgreSQL in {root}", flush=True)
            await asyncio.to_thread(server.start)
            stack.callback(server.stop)
            server_url = server.url()
        name = f"bench_search_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(server_url)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        try:
            yield server_url.rsplit("/", 1)[0] + "/" + name
        finally:
            admin = await asyncpg.connect(server_url)
            try:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await admin.close()


async def load(conn: asyncpg.Connection, courses: int, seed: int) -> None:
    await migrate(conn, [("common", COMMON_MIGRATIONS), ("course", COURSE_MIGRATIONS)])
    categories = [r["id"] for r in await conn.fetch("SELECT id FROM categories ORDER BY slug")]
    generator = CatalogGenerator(seed, categories)
    started = time.perf_counter()
    rows = generator.courses(courses)
    batch = 10_000
    for done in range(0, courses, batch):
        chunk = [next(rows).row() for _ in range(min(batch, courses - done))]
        await conn.copy_records_to_table("courses", records=chunk, columns=COPY_COLUMNS)
    await conn.execute("VACUUM ANALYZE courses")
    print(f"loaded {courses} courses in {time.perf_counter() - started:.1f} s", flush=True)


# --- scenarios ------------------------------------------------------------------------------

_CURSORS = CursorCodec("bench")
# The service's default search_candidates; --candidates changes it.
CANDIDATES: int = CourseSettings.model_fields["search_candidates"].default


async def _page(
    conn: asyncpg.Connection, filters: CatalogFilter, sort: Sort | None, cursor: str | None
) -> Any:
    """One catalog page as the service reads it; a search with the search pool's settings
    (set for the call here, where the service's search connections start with them)."""
    async with conn.transaction():
        if filters.q:
            await conn.execute(
                "; ".join(f"SET LOCAL {name} = {value}" for name, value in SEARCH_SESSION.items())
            )
        return await catalog(CatalogQuery(conn, CANDIDATES), _CURSORS, filters, sort, PAGE, cursor)


def ours(filters: CatalogFilter, sort: Sort | None, cursor: str | None = None) -> Any:
    async def run(conn: asyncpg.Connection) -> Any:
        return await _page(conn, filters, sort, cursor)

    return run


def ilike(q: str) -> Any:
    """The prototype's search: a substring scan of every title and description."""

    async def run(conn: asyncpg.Connection) -> Any:
        async with conn.transaction():
            return await conn.fetch(
                f"SELECT {COURSE_COLUMNS} FROM courses WHERE status = 'published'"  # noqa: S608 - text from constants; values are bound
                " AND (title ILIKE $1 OR description ILIKE $1)"
                " ORDER BY created_at DESC, id DESC LIMIT $2",
                f"%{q}%",
                PAGE,
            )

    return run


def offset_page(sort_sql: str, offset: int) -> Any:
    async def run(conn: asyncpg.Connection) -> Any:
        async with conn.transaction():
            return await conn.fetch(
                f"SELECT {COURSE_COLUMNS} FROM courses WHERE status = 'published'"  # noqa: S608 - text from constants; values are bound
                f" ORDER BY {sort_sql} LIMIT $1 OFFSET $2",
                PAGE,
                offset,
            )

    return run


async def cursor_for_page(
    conn: asyncpg.Connection, filters: CatalogFilter, sort: Sort, page: int
) -> str | None:
    cursor = None
    for _ in range(page - 1):
        _, cursor = await _page(conn, filters, sort, cursor)
        if cursor is None:
            break
    return cursor


def rotate(runs: list[Any]) -> Any:
    """One scenario over several queries: each call runs the next one."""
    state = {"i": 0}

    async def run(conn: asyncpg.Connection) -> Any:
        state["i"] += 1
        return await runs[state["i"] % len(runs)](conn)

    return run


async def scenarios(conn: asyncpg.Connection) -> list[Scenario]:
    category = await conn.fetchval("SELECT id FROM categories WHERE slug = 'programming'")
    teacher = await conn.fetchval(
        "SELECT teacher_id FROM courses GROUP BY teacher_id ORDER BY count(*) DESC, teacher_id"
        " LIMIT 1"
    )
    found: list[Scenario] = []
    for name, queries in SEARCHES.items():
        found.append(
            Scenario(
                name,
                rotate([ours(CatalogFilter(q=q), None) for q in queries]),
                rotate([ilike(q) for q in queries]),
                "ILIKE",
            )
        )
    found.append(
        Scenario(
            "search + filters",
            rotate(
                [
                    ours(CatalogFilter(q="python", level="beginner", is_free=True), None),
                    ours(CatalogFilter(q="анализ данных", category_id=category), None),
                ]
            ),
        )
    )
    found += [
        Scenario(
            "catalog: category+level",
            ours(CatalogFilter(category_id=category, level="advanced"), None),
        ),
        Scenario("catalog: is_free", ours(CatalogFilter(is_free=True), None)),
        Scenario("catalog: teacher_id", ours(CatalogFilter(teacher_id=teacher), None)),
    ]
    for sort in (Sort.NEWEST, Sort.RATING, Sort.PRICE_ASC, Sort.PRICE_DESC):
        found.append(Scenario(f"sort: {sort}", ours(CatalogFilter(), sort)))
    found.append(
        Scenario(
            "sort: price_asc + is_free=false",
            ours(CatalogFilter(is_free=False, category_id=category), Sort.PRICE_ASC),
        )
    )
    deep = await cursor_for_page(conn, CatalogFilter(), Sort.NEWEST, DEEP_PAGE)
    found.append(
        Scenario(
            f"page {DEEP_PAGE}: newest",
            ours(CatalogFilter(), Sort.NEWEST, deep),
            offset_page("created_at DESC, id DESC", PAGE * (DEEP_PAGE - 1)),
            "OFFSET",
        )
    )
    deep = await cursor_for_page(conn, CatalogFilter(), Sort.RATING, DEEP_PAGE)
    found.append(
        Scenario(
            f"page {DEEP_PAGE}: rating",
            ours(CatalogFilter(), Sort.RATING, deep),
            offset_page("coalesce(avg_rating, -1) DESC, id", PAGE * (DEEP_PAGE - 1)),
            "OFFSET",
        )
    )
    deep = await cursor_for_page(conn, CatalogFilter(q="python"), Sort.RELEVANCE, DEEP_PAGE)
    found.append(
        Scenario(
            f"page {DEEP_PAGE}: relevance 'python'",
            ours(CatalogFilter(q="python"), Sort.RELEVANCE, deep),
        )
    )
    return found


# --- measuring ------------------------------------------------------------------------------


async def measure(
    conn: asyncpg.Connection, run: Callable[[asyncpg.Connection], Awaitable[Any]], runs: int
) -> list[float]:
    for _ in range(min(5, runs)):
        await run(conn)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await run(conn)
        times.append((time.perf_counter() - started) * 1000)
    return times


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(found: list[Scenario]) -> None:
    head = (
        f"{'scenario':34} {'ours p50':>9} {'p99':>7} {'mean':>7}"
        f" | {'naive':6} {'p50':>8} {'p99':>8} {'mean':>8} | {'p50 ratio':>9}"
    )
    print(head)
    print("-" * len(head))
    for s in found:
        line = (
            f"{s.name:34} {p(s.ours_ms, 0.5):9.2f} {p(s.ours_ms, 0.99):7.2f}"
            f" {statistics.fmean(s.ours_ms):7.2f}"
        )
        if s.baseline_ms:
            ratio = p(s.baseline_ms, 0.5) / p(s.ours_ms, 0.5)
            line += (
                f" | {s.baseline_name:6} {p(s.baseline_ms, 0.5):8.2f}"
                f" {p(s.baseline_ms, 0.99):8.2f} {statistics.fmean(s.baseline_ms):8.2f}"
                f" | {ratio:8.1f}x"
            )
        print(line)
    print(
        f"(milliseconds per call, one connection, a transaction per call, in which a search"
        f" sets what the service's search connections start with;"
        f" search_candidates={CANDIDATES})"
    )


class ExplainingConnection:
    """Passes statements through, printing EXPLAIN ANALYZE for each query that fetches rows."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    async def fetch(self, sql: str, *args: Any) -> Any:
        plan = await self._conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", *args)
        print("\n".join(r[0] for r in plan))
        return await self._conn.fetch(sql, *args)


async def explain(conn: asyncpg.Connection, found: list[Scenario]) -> None:
    proxy = ExplainingConnection(conn)
    for s in found:
        for name, run in ((s.name, s.ours), (f"{s.name} ({s.baseline_name})", s.baseline)):
            if run is not None:
                print(f"\n=== EXPLAIN ANALYZE: {name}")
                await run(proxy)


async def main(args: argparse.Namespace) -> None:
    global CANDIDATES
    CANDIDATES = args.candidates
    async with scratch_database(args.database_url) as url:
        conn = await asyncpg.connect(url)
        try:
            await load(conn, args.courses, args.seed)
            if args.pending_edits:
                await pending_list(conn, args.pending_edits)
            found = await scenarios(conn)
            started = time.perf_counter()
            for s in found:
                s.ours_ms = await measure(conn, s.ours, args.runs)
                if s.baseline is not None:
                    s.baseline_ms = await measure(conn, s.baseline, args.baseline_runs or args.runs)
            print(f"measured in {time.perf_counter() - started:.1f} s\n")
            report(found)
            if args.explain:
                await explain(conn, found)
        finally:
            await conn.close()


async def pending_list(conn: asyncpg.Connection, edits: int) -> None:
    """Puts the search index back as it was before course's migration 008 (new entries kept in
    a pending list that every search reads) and edits `edits` courses' descriptions, as the
    mix's teachers do, so the searches run beside the list those edits left."""
    await conn.execute("ALTER INDEX courses_search SET (fastupdate = on)")
    await conn.execute(
        "UPDATE courses SET description = description || ' edited' WHERE id IN"
        " (SELECT id FROM courses WHERE status = 'published' ORDER BY id LIMIT $1)",
        edits,
    )
    await conn.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
    row = await conn.fetchrow("SELECT * FROM pgstatginindex('courses_search')")
    print(
        f"pending list: {row['pending_pages']} pages, {row['pending_tuples']} entries", flush=True
    )


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--courses", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300, help="timed calls per scenario")
    parser.add_argument("--baseline-runs", type=int, default=0, help="default: --runs")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--candidates", type=int, default=CANDIDATES, help="search_candidates")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each kind")
    parser.add_argument(
        "--pending-edits",
        type=int,
        default=0,
        help="edit this many courses with the search index's pending list on (see pending_list)",
    )
    parser.add_argument(
        "--database-url", help="a PostgreSQL server to use instead of an embedded one"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse()))
