# ruff: noqa: RUF001 - Russian text is Cyrillic on purpose
"""Catalog search: ranking, typos, stemming in English and Russian, odd queries, pages."""

from __future__ import annotations

import asyncio
import collections
from typing import Any

import httpx
from course.catalog.search import CatalogQuery, corrections_kept
from edu_devstack.testing import assert_problem, unique_word


async def _search(client: httpx.AsyncClient, query: str) -> list[dict[str, Any]]:
    r = await client.get(f"/courses?{query}")
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def _all_pages(client: httpx.AsyncClient, query: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        r = await client.get(query + (f"&cursor={cursor}" if cursor else ""))
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("too many pages")


async def _insert(course_service: Any, titles: list[tuple[str, str]]) -> None:
    """Many published courses at once, straight into the table (the API makes one a call)."""
    async with course_service.pool.acquire() as conn:
        await conn.executemany(
            "INSERT INTO courses (teacher_id, title, description, level, price_cents)"
            " VALUES (gen_random_uuid(), $1, $2, 'beginner', 0)",
            titles,
        )


async def test_exact_title_ranks_first_among_thousands(
    client: httpx.AsyncClient, course_service: Any, make_course: Any
) -> None:
    # Thousands of courses share the words, more than the ranked candidate set holds, and
    # many of them say "python" more often than the exact title does.
    await _insert(
        course_service,
        [
            (f"Python data science with Python, part {i}", "Python science. Data and Python.")
            for i in range(2500)
        ],
    )
    exact = await make_course(title="Python Data Science", description="Numbers.")
    items = await _search(client, "q=python data science")
    assert items[0]["id"] == exact["id"]
    items = await _search(client, "q=PYTHON: data   science!")
    assert items[0]["id"] == exact["id"]
    # A typo in the exact title still finds it first.
    items = await _search(client, "q=pyhton data science")
    assert items[0]["id"] == exact["id"]


async def test_typos_find_the_course(client: httpx.AsyncClient, make_course: Any) -> None:
    course = await make_course(title="Kubernetes for operators", description="Pods and nodes.")
    await make_course(title="Gardening", description="Plants and soil.")
    for typo in ("kubernets", "kuberentes", "kubrenetes", "kubernetes oprators", "pods nodse"):
        items = await _search(client, f"q={typo}")
        assert [c["id"] for c in items] == [course["id"]], typo
    assert await _search(client, "q=qqqzzzxxx") == []


class _CountingCorrections:
    """A connection that counts the typo corrections looked up through it."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.looked_up = 0

    async def fetchrow(self, sql: str, *args: Any) -> Any:
        self.looked_up += "search_words" in sql
        return await self.conn.fetchrow(sql, *args)


async def test_a_worker_looks_a_query_s_correction_up_once_while_it_keeps_it(
    client: httpx.AsyncClient, make_course: Any, course_service: Any
) -> None:
    await make_course(title="Terraform for operators", description="Plans and state.")
    async with course_service.app.state.search_pool.acquire() as conn:
        counting = _CountingCorrections(conn)
        kept = corrections_kept(30)
        for _ in range(3):
            query = CatalogQuery(counting, 300, kept)
            assert await query.corrected("terrafrom") == "terraform"
            assert await query.corrected("terraform") is None
        assert counting.looked_up == 2
        # Without a store (no page cache either), each request looks its query up again.
        assert corrections_kept(0) is None
        for _ in range(2):
            await CatalogQuery(counting, 300).corrected("terrafrom")
        assert counting.looked_up == 4


async def test_a_typo_s_candidates_come_from_the_vocabulary_s_trigram_index(
    client: httpx.AsyncClient, make_course: Any, course_service: Any
) -> None:
    await make_course(title="Kotlin coroutines", description="Flows and channels.")
    async with course_service.app.state.search_pool.acquire() as conn:
        # A GIN index answers `word % w`; a GiST one was walked for both the typo and the
        # known-word check (tens of pages per word on the full data).
        indexdef = await conn.fetchval(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'search_words_trgm'"
        )
        assert "USING gin (word gin_trgm_ops)" in indexdef
        # Search connections take every word at least TYPO_SIMILARITY alike as a candidate.
        assert float(await conn.fetchval("SHOW pg_trgm.similarity_threshold")) == 0.25
        assert await CatalogQuery(conn, 300).corrected("kotlim corutines") == "kotlin coroutines"


async def test_new_words_go_into_the_search_indexes_at_once(
    client: httpx.AsyncClient, course_service: Any
) -> None:
    # A GIN index's pending list is read by every search besides the index (up to 4 MB of it
    # under the mix's edits); with it off, what a write adds is in the index itself.
    word, edit = unique_word(), unique_word()
    await _insert(course_service, [(f"{word} {n}", f"Words number {n}.") for n in range(50)])
    async with course_service.pool.acquire() as conn:
        await conn.execute(
            "UPDATE courses SET description = description || ' ' || $2 WHERE title LIKE $1",
            f"{word} %",
            edit,
        )
        for index in ("courses_search", "search_words_trgm"):
            pending_pages = await conn.fetchval(
                "SELECT gin_clean_pending_list($1::regclass)", index
            )
            assert pending_pages == 0, index
    assert len(await _search(client, f"q={edit}&limit=100")) == 50


async def test_a_made_up_word_is_not_taken_for_a_short_word_it_begins_with(
    client: httpx.AsyncClient, make_course: Any
) -> None:
    # "hoc" shares 3 of the 12 trigrams of "hoczgcxreq": as similar as "pyhton" to "python".
    await make_course(title="Ansible in practice", description="Ad hoc commands and playbooks.")
    assert [c["title"] for c in await _search(client, "q=hoc")] == ["Ansible in practice"]
    assert await _search(client, "q=hoczgcxreq") == []
    assert [c["title"] for c in await _search(client, "q=playbok")] == ["Ansible in practice"]


async def test_english_stemming(client: httpx.AsyncClient, make_course: Any) -> None:
    course = await make_course(title="Course on testing", description="Learn to test.")
    for q in ("courses", "tested", "COURSE", "learning"):
        assert [c["id"] for c in await _search(client, f"q={q}")] == [course["id"]], q


async def test_russian_text(client: httpx.AsyncClient, make_course: Any) -> None:
    course = await make_course(
        title="Курс по программированию", description="Основы алгоритмов и структур данных."
    )
    await make_course(title="Программирование на Python", description="Для начинающих.")
    items = await _search(client, "q=программирование")
    assert len(items) == 2
    items = await _search(client, "q=курс по программированию")
    assert items[0]["id"] == course["id"]
    for q in ("курсы", "алгоритм", "структура данных", "програмирования"):
        assert course["id"] in [c["id"] for c in await _search(client, f"q={q}")], q


async def test_stop_words_and_punctuation_do_not_fail(
    client: httpx.AsyncClient, make_course: Any
) -> None:
    course = await make_course(title="The art of cooking", description="Of the kitchen.")
    # Stop words and operators alone leave nothing to search for: an empty page, not an error.
    for q in ("the", "of the", "!!!", "&|!():*", '"', "-", "or", "'; DROP TABLE courses; --"):
        r = await client.get("/courses", params={"q": q})
        assert r.status_code == 200, (q, r.text)
        assert r.json() == {"items": [], "next_cursor": None, "total": 0}, q
    # Beside a real word they change nothing; blank is no query at all: the whole catalog.
    for q in ("cooking or", "the cooking!", "   "):
        r = await client.get("/courses", params={"q": q})
        assert r.status_code == 200, (q, r.text)
        assert [c["id"] for c in r.json()["items"]] == [course["id"]], q


async def test_relevance_pages_with_equal_scores(
    client: httpx.AsyncClient, course_service: Any, make_course: Any
) -> None:
    await _insert(course_service, [("Rust systems", "Same words.") for _ in range(45)])
    await make_course(title="Rust systems", description="Same words.")
    items = await _all_pages(client, "/courses?q=rust systems&limit=7")
    ids = [c["id"] for c in items]
    assert len(ids) == 46
    assert len(set(ids)) == 46
    again = await _all_pages(client, "/courses?q=rust systems&limit=7")
    assert [c["id"] for c in again] == ids


async def test_relevance_pages_follow_the_ranking(
    client: httpx.AsyncClient, make_course: Any
) -> None:
    await asyncio.gather(
        make_course(title="Go", description="Go go go."),
        make_course(title="Go concurrency", description="Channels."),
        make_course(title="Web servers", description="Written in Go."),
        *(make_course(title=f"Go {i} patterns", description="Go.") for i in range(5)),
    )
    first = await _search(client, "q=go&limit=100")
    paged = await _all_pages(client, "/courses?q=go&limit=3")
    assert [c["id"] for c in paged] == [c["id"] for c in first]
    assert first[0]["title"] == "Go"
    assert first[-1]["title"] == "Web servers"


async def test_search_with_filters(
    client: httpx.AsyncClient, make_course: Any, tokens: Any
) -> None:
    cats = (await client.get("/categories")).json()
    _, other = tokens.teacher(is_verified=True)
    free = await make_course(title="Docker basics", price_cents=0, level="beginner")
    paid = await make_course(
        title="Docker in production",
        price_cents=900,
        level="advanced",
        category_id=cats[0]["id"],
    )
    others = await make_course(headers=other, title="Docker networking", price_cents=500)
    await make_course(title="Cooking basics", price_cents=0)

    async def ids(query: str) -> set[str]:
        return {c["id"] for c in await _search(client, query)}

    assert await ids("q=docker") == {free["id"], paid["id"], others["id"]}
    assert await ids("q=docker&is_free=true") == {free["id"]}
    assert await ids("q=docker&is_free=false") == {paid["id"], others["id"]}
    assert await ids("q=docker&level=advanced") == {paid["id"]}
    assert await ids(f"q=docker&category_id={cats[0]['id']}") == {paid["id"]}
    assert await ids(f"q=docker&teacher_id={others['teacher_id']}") == {others["id"]}
    assert await ids("q=dokcer&is_free=true") == {free["id"]}
    prices = [c["price_cents"] for c in await _search(client, "q=docker&sort=price_asc")]
    assert prices == [0, 500, 900]
    paged = await _all_pages(client, "/courses?q=docker&sort=price_desc&limit=1")
    assert [c["price_cents"] for c in paged] == [900, 500, 0]


async def test_archived_courses_are_not_found(
    client: httpx.AsyncClient, course_service: Any, make_course: Any
) -> None:
    course = await make_course(title="Elixir in depth")
    async with course_service.pool.acquire() as conn:
        await conn.execute("UPDATE courses SET status = 'archived' WHERE id = $1", course["id"])
    assert await _search(client, "q=elixir in depth") == []
    assert await _search(client, "q=elixr") == []


async def test_tampered_relevance_cursor(client: httpx.AsyncClient, make_course: Any) -> None:
    for i in range(3):
        await make_course(title=f"Scala {i}")
    r = await client.get("/courses?q=scala&limit=1")
    first = r.json()["items"]
    cursor = r.json()["next_cursor"]
    assert cursor
    r = await client.get(f"/courses?q=scala&limit=1&cursor={cursor}")
    assert r.status_code == 200, r.text
    second = r.json()["items"]
    assert len(first) == len(second) == 1
    assert second[0]["id"] != first[0]["id"]
    assert second[0]["title"].startswith("Scala ")
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    r = await client.get(f"/courses?q=scala&limit=1&cursor={tampered}")
    assert_problem(r, 400, "invalid_cursor")
    # A cursor of another query is not a page of this one.
    assert_problem(
        await client.get(f"/courses?q=java&limit=1&cursor={cursor}"), 400, "invalid_cursor"
    )


async def test_rating_pages_with_equal_ratings(
    client: httpx.AsyncClient, course_service: Any, make_course: Any
) -> None:
    ratings = [4.37, 4.37, 4.37, 3.1, None, 4.9, 3.1, None, 4.37]
    for i, rating in enumerate(ratings):
        course = await make_course(title=f"Rated {i}")
        async with course_service.pool.acquire() as conn:
            await conn.execute(
                "UPDATE courses SET avg_rating = $2::float8 WHERE id = $1", course["id"], rating
            )
    paged = await _all_pages(client, "/courses?sort=rating&limit=2")
    assert len({c["id"] for c in paged}) == len(ratings)
    assert [c["avg_rating"] for c in paged] == [4.9, 4.37, 4.37, 4.37, 4.37, 3.1, 3.1, None, None]


async def test_a_search_holds_no_transaction_open_between_its_statements(
    client: httpx.AsyncClient, course_service: Any
) -> None:
    """A search is a correction lookup, a page and a count, each on a connection taken for
    that statement alone: while many run at once, none of the request or search pools'
    connections waits idle inside a transaction (which would keep it from every other
    request). The events pool's relay has transactions of its own, named apart."""
    await _insert(course_service, [(f"Python course {i}", "About python.") for i in range(50)])
    states: collections.Counter[str] = collections.Counter()
    searching = True
    async with course_service.pool.acquire() as watcher:
        database = await watcher.fetchval("SELECT current_database()")

        async def watch() -> None:
            while searching:
                rows = await watcher.fetch(
                    "SELECT state FROM pg_stat_activity WHERE datname = $1"
                    " AND application_name IN ('course', 'course-search')"
                    " AND pid <> pg_backend_pid()",
                    database,
                )
                states.update(r["state"] for r in rows)

        async def search() -> None:
            nonlocal searching
            try:
                # Different typed words: none is a page already cached.
                answers = await asyncio.gather(
                    *(client.get("/courses", params={"q": f"pyhton {i}"}) for i in range(40))
                )
            finally:
                searching = False
            assert {r.status_code for r in answers} == {200}
            assert all(r.json()["total"] >= 1 for r in answers)

        await asyncio.gather(watch(), search())
    assert states["active"] > 0, states
    assert states["idle in transaction"] == 0, states
