from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx


async def _all_pages(client: httpx.AsyncClient, query: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        url = query + (f"&cursor={cursor}" if cursor else "")
        r = await client.get(url)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("too many pages")


async def test_pagination_without_dupes_or_skips(
    client: httpx.AsyncClient, make_course: Any
) -> None:
    await asyncio.gather(
        *(make_course(title=f"C{i}", price_cents=100 * (i % 3)) for i in range(11))
    )
    for sort in ("newest", "rating", "price_asc", "price_desc"):
        items = await _all_pages(client, f"/courses?limit=3&sort={sort}")
        ids = [c["id"] for c in items]
        assert len(ids) == 11, sort
        assert len(set(ids)) == 11, sort
    prices = [c["price_cents"] for c in await _all_pages(client, "/courses?limit=4&sort=price_asc")]
    assert prices == sorted(prices)


async def test_filters(client: httpx.AsyncClient, make_course: Any, tokens: Any) -> None:
    cats = (await client.get("/categories")).json()
    _, other = tokens.teacher(is_verified=True)
    await make_course(title="Free one", price_cents=0, level="beginner")
    await make_course(
        title="Paid one", price_cents=500, level="advanced", category_id=cats[1]["id"]
    )
    other_course = await make_course(headers=other, title="Other's")

    async def titles(query: str) -> set[str]:
        r = await client.get(f"/courses?{query}")
        assert r.status_code == 200, r.text
        return {c["title"] for c in r.json()["items"]}

    assert await titles("is_free=false") == {"Paid one"}
    assert await titles("level=advanced") == {"Paid one"}
    assert await titles(f"category_id={cats[1]['id']}") == {"Paid one"}
    assert await titles(f"teacher_id={other_course['teacher_id']}") == {"Other's"}
    assert "Free one" in await titles("is_free=true")


async def test_bad_catalog_queries(client: httpx.AsyncClient, make_course: Any) -> None:
    for _ in range(3):
        await make_course()
    for bad in ("limit=0", "limit=101", "level=expert", "sort=cheapest", "category_id=x"):
        assert (await client.get(f"/courses?{bad}")).status_code == 422, bad
    assert (await client.get("/courses?cursor=garbage")).status_code == 400
    cursor = (await client.get("/courses?limit=1&sort=newest")).json()["next_cursor"]
    assert cursor
    assert (await client.get(f"/courses?limit=1&sort=newest&cursor={cursor}")).status_code == 200
    r = await client.get(f"/courses?limit=1&sort=price_asc&cursor={cursor}")
    assert r.status_code == 400
    r = await client.get(f"/courses?limit=1&sort=newest&is_free=true&cursor={cursor}")
    assert r.status_code == 400
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    assert (await client.get(f"/courses?cursor={tampered}")).status_code == 400


async def test_search_relevance_and_typos(client: httpx.AsyncClient, make_course: Any) -> None:
    await make_course(title="Cooking for beginners", description="Kubernetes is not here")
    await make_course(title="Kubernetes in depth", description="Pods, services, deployments")
    await make_course(title="Gardening", description="Plants")
    await make_course(title="Программирование на Python", description="Основы языка")

    r = await client.get("/courses?q=Kubernetes in depth")
    items = r.json()["items"]
    assert items[0]["title"] == "Kubernetes in depth"
    assert "Gardening" not in [c["title"] for c in items]

    r = await client.get("/courses?q=kubernets")
    assert [c["title"] for c in r.json()["items"]][:1] == ["Kubernetes in depth"]

    r = await client.get("/courses?q=программирование")
    assert [c["title"] for c in r.json()["items"]] == ["Программирование на Python"]

    assert (await client.get("/courses?q=zzzqqq")).json()["items"] == []


async def test_search_pagination(client: httpx.AsyncClient, make_course: Any) -> None:
    await asyncio.gather(*(make_course(title="Rust course", description="same") for _ in range(7)))
    items = await _all_pages(client, "/courses?q=rust&limit=2")
    assert len({c["id"] for c in items}) == 7
    assert len(items) == 7


async def test_newest_first_lists_page_through_equal_timestamps(
    client: httpx.AsyncClient, make_course: Any, teacher: Any, course_service: Any
) -> None:
    courses = [await make_course(title=f"Tied {i}") for i in range(7)]
    ids = [c["id"] for c in courses]
    for i, student_id in enumerate(uuid.uuid4() for _ in range(5)):
        await course_service.pool.execute(
            "INSERT INTO reviews (course_id, student_id, author_name, rating, comment)"
            " VALUES ($1, $2, $3, 4, '')",
            uuid.UUID(ids[0]),
            student_id,
            f"Reader {i}",
        )
    # The same instant for every course and every review: only the id tells them apart.
    await course_service.pool.execute("UPDATE courses SET created_at = '2026-01-01T00:00:00Z'")
    await course_service.pool.execute("UPDATE reviews SET created_at = '2026-01-01T00:00:00Z'")
    newest = sorted(ids, reverse=True)
    assert [c["id"] for c in await _all_pages(client, "/courses?sort=newest&limit=2")] == newest

    async def pages(path: str, headers: dict[str, str] | None = None) -> list[str]:
        found: list[str] = []
        cursor = None
        for _ in range(20):
            params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            r = await client.get(path, params=params, headers=headers)
            assert r.status_code == 200, r.text
            found += [item["id"] for item in r.json()["items"]]
            cursor = r.json()["next_cursor"]
            if cursor is None:
                return found
        raise AssertionError("too many pages")

    assert await pages("/courses/my", teacher[1]) == newest
    review_ids = await course_service.pool.fetch("SELECT id FROM reviews")
    expected = sorted((str(r["id"]) for r in review_ids), reverse=True)
    assert await pages(f"/reviews/course/{ids[0]}") == expected
