"""The catalog's result count: `total` on a query's first page, counted once and cached."""

from __future__ import annotations

from typing import Any

import httpx
from course.app import MIGRATIONS, create_app
from course.catalog.repository import CatalogFilter
from course.catalog.search import CatalogQuery
from course.settings import CourseSettings
from edu_devstack.testing import eventually, metric_value, unique_word


async def _pages(client: httpx.AsyncClient, query: str) -> tuple[int | None, list[Any], list[Any]]:
    """The first page's total, every later page's total, and the items of all pages."""
    first = await client.get(f"/courses?{query}")
    assert first.status_code == 200, first.text
    body = first.json()
    items, later = list(body["items"]), []
    cursor = body["next_cursor"]
    while cursor is not None:
        r = await client.get(f"/courses?{query}&cursor={cursor}")
        assert r.status_code == 200, r.text
        later.append(r.json()["total"])
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
    return body["total"], later, items


async def test_total_counts_every_page_of_the_query(
    client: httpx.AsyncClient, make_course: Any, teacher: Any, tokens: Any
) -> None:
    word = unique_word()
    for i in range(7):
        await make_course(title=f"{word} course {i}", price_cents=0 if i % 2 else 900)
    await make_course(title=f"{word} draft", status="draft")
    other, other_headers = tokens.teacher(is_verified=True, name="Other Teacher")
    await make_course(other_headers, title=f"{word} by another teacher")

    total, later, items = await _pages(client, f"teacher_id={teacher[0]}&limit=3")
    assert (total, later, len(items)) == (7, [None, None], 7)
    total, later, items = await _pages(client, f"teacher_id={teacher[0]}&is_free=true&limit=2")
    assert (total, len(items)) == (3, 3)
    assert later == [None]
    total, _, items = await _pages(client, f"teacher_id={teacher[0]}&is_free=false&sort=price_asc")
    assert (total, len(items)) == (4, 4)
    # A search, by relevance and in a keyed sort, the draft left out.
    for sort in ("relevance", "newest"):
        total, _, items = await _pages(client, f"q={word}&sort={sort}&limit=4")
        assert (total, len(items)) == (8, 8), sort
    total, _, items = await _pages(client, f"q={word}&teacher_id={other}")
    assert (total, len(items)) == (1, 1)
    total, _, items = await _pages(client, f"q={unique_word()}")
    assert (total, items) == (0, [])


async def test_by_relevance_the_total_is_the_ranked_set(services: Any, tokens: Any) -> None:
    course = await services.start(
        "course", create_app, CourseSettings, MIGRATIONS, search_candidates=10
    )
    word = unique_word()
    async with course.pool.acquire() as conn:
        await conn.executemany(
            "INSERT INTO courses (teacher_id, title, description, level, price_cents)"
            " VALUES (gen_random_uuid(), $1, 'About it.', 'beginner', 0)",
            [(f"{word} part {i}",) for i in range(25)] + [(word,)],
        )
    total, _, items = await _pages(course.client, f"q={word}&limit=50")
    # The ranked set holds `candidates` matches, plus the exact title if it was not among them.
    assert total == len(items)
    assert total in (10, 11)
    assert items[0]["title"] == word
    total, _, items = await _pages(course.client, f"q={word}&sort=newest&limit=50")
    assert (total, len(items)) == (26, 26)


def _counter(metrics: str, result: str) -> float:
    return metric_value(
        metrics, "cache_requests_total", cache="course:catalog_total", result=result
    )


async def test_the_count_is_cached_and_ages_out(services: Any, tokens: Any) -> None:
    course = await services.start(
        "course",
        create_app,
        CourseSettings,
        MIGRATIONS,
        catalog_total_ttl_seconds=1,
        catalog_page_ttl_seconds=0,
    )
    client: httpx.AsyncClient = course.client
    _, headers = tokens.teacher(is_verified=True, name="Cache Teacher")
    word = unique_word()

    async def add(title: str) -> None:
        body = {"title": title, "level": "beginner", "price_cents": 0}
        r = await client.post("/courses", json=body, headers=headers)
        assert r.status_code == 201, r.text

    await add(f"{word} one")
    before = (await client.get("/metrics")).text
    for _ in range(3):
        assert (await client.get(f"/courses?q={word}&sort=newest")).json()["total"] == 1
    after = (await client.get("/metrics")).text
    assert _counter(after, "miss") - _counter(before, "miss") == 1
    assert _counter(after, "hit") - _counter(before, "hit") == 2

    await add(f"{word} two")

    async def counted_again() -> bool:
        r = await client.get(f"/courses?q={word}&sort=newest")
        return bool(r.json()["total"] == 2)

    await eventually(counted_again, timeout=30)


async def test_by_relevance_the_page_query_counts_the_ranked_set_itself(
    services: Any, tokens: Any
) -> None:
    """No count statement and no cached count: the page's query counts the ranked set, so the
    total is as current as the page (here, with the page cache off, at once)."""
    course = await services.start(
        "course", create_app, CourseSettings, MIGRATIONS, catalog_page_ttl_seconds=0
    )
    client: httpx.AsyncClient = course.client
    _, headers = tokens.teacher(is_verified=True, name="Count Teacher")
    word = unique_word()
    before = (await client.get("/metrics")).text
    for n in (1, 2, 3):
        body = {"title": f"{word} {n}", "level": "beginner", "price_cents": 0}
        assert (await client.post("/courses", json=body, headers=headers)).status_code == 201
        page = (await client.get(f"/courses?q={word}&limit=2")).json()
        assert (page["total"], len(page["items"])) == (n, min(n, 2))
    assert (await client.get(f"/courses?q={unique_word()}")).json()["total"] == 0
    after = (await client.get("/metrics")).text
    for result in ("hit", "miss"):
        assert _counter(after, result) == _counter(before, result)


class _Explaining:
    """Hands `fetchval` the plan of each count instead of running it."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.plans: list[str] = []

    async def fetchval(self, sql: str, *args: Any) -> int:
        rows = await self.conn.fetch(f"EXPLAIN {sql}", *args)
        self.plans.append("\n".join(row[0] for row in rows))
        return 0


async def test_a_filtered_count_reads_the_facets_index_alone(course_service: Any) -> None:
    """A filtered list's total counts on the full data (100K courses) took 12-83 ms read from
    the table; from the index alone, 0.2-13 ms. Every filter combination can be answered so."""
    async with course_service.pool.acquire() as conn, conn.transaction():
        category_id = await conn.fetchval("SELECT id FROM categories ORDER BY slug LIMIT 1")
        # The test data is small enough to read whole: make the planner say what it can use.
        await conn.execute("SET LOCAL enable_seqscan = off")
        await conn.execute("SET LOCAL enable_bitmapscan = off")
        explaining = _Explaining(conn)
        query = CatalogQuery(explaining, candidates=300)
        combinations = [
            CatalogFilter(level="beginner"),
            CatalogFilter(is_free=False),
            CatalogFilter(category_id=category_id),
            CatalogFilter(category_id=category_id, level="advanced"),
            CatalogFilter(category_id=category_id, is_free=True),
            CatalogFilter(level="intermediate", is_free=False),
            CatalogFilter(category_id=category_id, level="beginner", is_free=True),
        ]
        for filters in combinations:
            await query.total(filters, "newest")
        for filters, plan in zip(combinations, explaining.plans, strict=True):
            assert "Index Only Scan using courses_published_facets" in plan, (filters, plan)
