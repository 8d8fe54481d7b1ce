"""Catalog pages from the cache: the same bytes as a page read from the database, cards that
never lag a write, and a list of courses that may lag by the page TTL."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from course.app import MIGRATIONS, create_app
from course.catalog.pages import CatalogPages
from course.catalog.schemas import CatalogPage
from course.settings import CourseSettings
from edu_common.events.contracts import EnrollmentCreated
from edu_devstack.testing import metric_value, unique_word
from redis.asyncio import Connection, ConnectionPool, Redis


def _counter(metrics: str, cache: str, result: str) -> float:
    return metric_value(metrics, "cache_requests_total", cache=cache, result=result)


class _CountedConnection(Connection):
    """A Valkey connection that counts what it sends: one send is one round trip."""

    sent = 0

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        _CountedConnection.sent += 1
        await super().send_packed_command(command, check_health)


async def _titles(client: httpx.AsyncClient, query: str) -> list[str]:
    r = await client.get(f"/courses?{query}")
    assert r.status_code == 200, r.text
    return [item["title"] for item in r.json()["items"]]


async def test_a_cached_page_is_the_page_as_read(
    client: httpx.AsyncClient, make_course: Any, teacher: Any
) -> None:
    word = unique_word()
    for i in range(5):
        await make_course(title=f"{word} part {i}", price_cents=i * 100, description="x" * 400)
    queries = [f"q={word}&limit=3", f"teacher_id={teacher[0]}&sort=price_desc&limit=3"]
    for query in queries:
        before = (await client.get("/metrics")).text
        first = await client.get(f"/courses?{query}")
        again = await client.get(f"/courses?{query}")
        after = (await client.get("/metrics")).text
        assert first.status_code == again.status_code == 200
        assert again.content == first.content, query
        assert again.headers["content-type"] == first.headers["content-type"]
        pages = "course:catalog_page"
        assert _counter(after, pages, "miss") - _counter(before, pages, "miss") == 1
        assert _counter(after, pages, "hit") - _counter(before, pages, "hit") == 1
        body = first.json()
        assert len(body["items"]) == 3
        assert body["total"] == 5
        assert body["items"][0]["description"].endswith("…")
        # The next page, reached by its cursor, is cached on its own and as read.
        cursor = body["next_cursor"]
        second = await client.get(f"/courses?{query}&cursor={cursor}")
        assert (await client.get(f"/courses?{query}&cursor={cursor}")).content == second.content
        assert len(second.json()["items"]) == 2
        assert second.json()["total"] is None


async def test_cards_never_lag_a_write_the_list_may(
    client: httpx.AsyncClient,
    make_course: Any,
    teacher: Any,
    course_service: Any,
    eventually: Any,
) -> None:
    word = unique_word()
    kept = await make_course(title=f"{word} kept")
    gone = await make_course(title=f"{word} gone")
    enrolled = await make_course(title=f"{word} enrolled")
    query = f"teacher_id={teacher[0]}&sort=newest"
    assert await _titles(client, query) == [f"{word} enrolled", f"{word} gone", f"{word} kept"]

    # A new course shows in this query's list once the cached list ages out (30 s).
    await make_course(title=f"{word} new")
    assert f"{word} new" not in await _titles(client, query)

    # A change to a listed course shows at once, and so do ratings and enrollment counts.
    r = await client.put(f"/courses/{kept['id']}", json={"title": f"{word} renamed"},
                         headers=teacher[1])  # fmt: skip
    assert r.status_code == 200, r.text
    assert f"{word} renamed" in await _titles(client, query)
    event = EnrollmentCreated(
        enrollment_id=uuid.uuid4(),
        course_id=uuid.UUID(enrolled["id"]),
        student_id=uuid.uuid4(),
        course_title=enrolled["title"],
    )
    bus = course_service.app.state.event_bus
    await bus.publish(event.subject, event.model_dump_json().encode(), msg_id=str(event.event_id))

    async def counted() -> bool:
        r = await client.get(f"/courses?{query}")
        counts = {i["title"]: i["enrollment_count"] for i in r.json()["items"]}
        return counts.get(f"{word} enrolled") == 1

    await eventually(counted)

    # A removed course leaves the list at once.
    assert (await client.delete(f"/courses/{gone['id']}", headers=teacher[1])).status_code == 204
    assert f"{word} gone" not in await _titles(client, query)


async def test_with_no_page_ttl_every_page_is_read(services: Any, tokens: Any) -> None:
    course = await services.start(
        "course", create_app, CourseSettings, MIGRATIONS, catalog_page_ttl_seconds=0
    )
    client: httpx.AsyncClient = course.client
    teacher_id, headers = tokens.teacher(is_verified=True, name="Uncached Teacher")
    word = unique_word()
    for title in (f"{word} one", f"{word} two"):
        r = await client.post(
            "/courses", json={"title": title, "level": "beginner", "price_cents": 0},
            headers=headers,
        )  # fmt: skip
        assert r.status_code == 201, r.text
        assert title in await _titles(client, f"teacher_id={teacher_id}")


async def test_a_page_is_written_and_read_in_one_round_trip_each(
    client: httpx.AsyncClient, make_course: Any, course_service: Any
) -> None:
    word = unique_word()
    listed = [await make_course(title=f"{word} {i}") for i in range(3)]
    read = await client.get(f"/courses?q={word}")
    assert read.status_code == 200, read.text
    page = CatalogPage.model_validate(read.json())
    assert len(page.items) == 3
    pool = ConnectionPool.from_url(
        course_service.app.state.settings.redis_url, connection_class=_CountedConnection
    )
    redis = Redis(connection_pool=pool)
    pages = CatalogPages(redis, 30)
    key, empty_key = f"test:{word}", f"test:{word}:empty"
    try:
        assert await pages.get(key) is None  # connects, and loads the script
        _CountedConnection.sent = 0
        body = await pages.put(key, page)
        assert _CountedConnection.sent == 1
        # The same bytes as the route answered with.
        assert body == read.content
        _CountedConnection.sent = 0
        assert await pages.get(key) == body
        assert _CountedConnection.sent == 1

        # A card dropped by a write: the page is read again, whatever its entry says, and
        # that is a miss of the page.
        await pages.drop(uuid.UUID(listed[1]["id"]))
        before = (await client.get("/metrics")).text
        assert await pages.get(key) is None
        after = (await client.get("/metrics")).text
        for result, counted in (("miss", 1), ("hit", 0)):
            change = _counter(after, "course:catalog_page", result) - _counter(
                before, "course:catalog_page", result
            )
            assert change == counted, result
        await pages.put(key, page)
        assert await pages.get(key) == body

        # Each card is written afresh with the page, and kept as long as it: one cached by
        # an earlier page, with less time left, would expire under this one.
        older, dropped = pages.cards.key(listed[0]["id"]), pages.cards.key(listed[2]["id"])
        await redis.set(older, b'"as an earlier read found it"', ex=2)
        await redis.delete(dropped)
        await pages.put(f"{key}:again", page)
        page_ttl = await redis.pttl(pages.pages.key(f"{key}:again"))
        for card in (older, dropped):
            assert await redis.get(card) != b'"as an earlier read found it"'
            assert page_ttl - 1000 < await redis.pttl(card) <= 30_000
        assert await pages.get(key) == body

        # After a Valkey restart the script is loaded again, and a page with no courses is a
        # page like any other.
        await redis.script_flush()
        none = CatalogPage(items=[], next_cursor=None, total=0)
        assert await pages.put(empty_key, none) == none.model_dump_json().encode()
        assert await pages.get(empty_key) == b'{"items":[],"next_cursor":null,"total":0}'
        assert await pages.get(key) == body
    finally:
        await redis.aclose()
