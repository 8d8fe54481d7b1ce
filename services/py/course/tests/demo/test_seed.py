"""The demo catalog: seeded once in development, never in production, announced to the other
services so students can enroll in and pay for demo courses."""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from typing import Any

import asyncpg
import httpx
import pytest
from course.app import MIGRATIONS, create_app
from course.curriculum.content import render_markdown
from course.demo.catalog import outline_catalog, write_courses
from course.demo.seed import seed_demo_catalog
from course.settings import CourseSettings
from edu_common.demo import DEMO_TEACHER
from edu_common.events.contracts import CourseCreated
from edu_devstack.testing import RunningService, ServiceLauncher, Tokens

DEMO_COURSES = len(outline_catalog())
CATEGORIES = 8


@pytest.fixture
async def demo(services: ServiceLauncher) -> RunningService:
    return await services.start(
        "course", create_app, CourseSettings, MIGRATIONS, seed_demo_data=True
    )


async def _all_pages(client: httpx.AsyncClient, path: str, **kw: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(20):
        query = f"{path}?limit=100" + (f"&cursor={cursor}" if cursor else "")
        r = await client.get(query, **kw)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("too many pages")


async def _count(pool: asyncpg.Pool, table: str) -> int:
    n: int = await pool.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608 - table names are the test's constants
    return n


async def test_catalog_is_a_few_hundred_courses_across_categories_and_levels(
    demo: RunningService,
) -> None:
    assert 200 <= DEMO_COURSES <= 400
    courses = await _all_pages(demo.client, "/courses")
    assert len(courses) == DEMO_COURSES
    assert len({c["id"] for c in courses}) == DEMO_COURSES
    assert {c["id"] for c in courses} == {str(o.id) for o in outline_catalog()}
    assert {c["teacher_id"] for c in courses} == {str(DEMO_TEACHER.id)}
    assert {c["teacher_name"] for c in courses} == {"Terry Teacher"}
    assert {c["level"] for c in courses} == {"beginner", "intermediate", "advanced"}
    free = sum(c["is_free"] for c in courses)
    assert 0.15 * DEMO_COURSES < free < 0.5 * DEMO_COURSES
    russian = [c for c in courses if re.search("[\u0400-\u04ff]", c["title"])]
    assert 0 < len(russian) < 0.25 * DEMO_COURSES
    assert all(c["duration_minutes"] > 0 and c["description"] for c in courses)

    categories = (await demo.client.get("/categories")).json()
    assert len(categories) == CATEGORIES
    assert sum(c["course_count"] for c in categories) == DEMO_COURSES
    assert min(c["course_count"] for c in categories) >= 20

    # Every course has 2-4 modules of 2-5 lessons, in dense positions.
    modules = await demo.pool.fetch(
        "SELECT course_id, count(*) AS n, array_agg(position ORDER BY position) AS positions"
        " FROM modules GROUP BY course_id"
    )
    assert len(modules) == DEMO_COURSES
    assert all(2 <= m["n"] <= 4 and m["positions"] == list(range(1, m["n"] + 1)) for m in modules)
    lessons = await demo.pool.fetch(
        "SELECT module_id, count(*) AS n, array_agg(position ORDER BY position) AS positions"
        " FROM lessons GROUP BY module_id"
    )
    assert len(lessons) == sum(m["n"] for m in modules)
    assert all(2 <= m["n"] <= 5 and m["positions"] == list(range(1, m["n"] + 1)) for m in lessons)
    # A course's duration is that of its lessons.
    mismatched = await demo.pool.fetchval(
        "SELECT count(*) FROM courses c WHERE duration_minutes"
        " <> (SELECT sum(duration_minutes) FROM lessons l WHERE l.course_id = c.id)"
    )
    assert mismatched == 0

    # The catalog searches demo courses like any other.
    r = await demo.client.get("/courses?q=python")
    assert r.status_code == 200, r.text
    assert any("Python" in c["title"] for c in r.json()["items"])


async def test_lessons_read_like_lessons_and_their_html_is_the_routes_rendering(
    demo: RunningService, tokens: Tokens
) -> None:
    rows = await demo.pool.fetch(
        "SELECT l.title, l.content, l.content_html, cat.slug FROM lessons l"
        " JOIN courses c ON c.id = l.course_id JOIN categories cat ON cat.id = c.category_id"
    )
    for row in rows:
        assert row["content_html"] == render_markdown(row["content"]), row["title"]
        assert "<script" not in row["content_html"].lower()
        assert "<h3>" in row["content_html"]
        assert "<li>" in row["content_html"]
    code = [
        r
        for r in rows
        if r["slug"] == "programming" and '<pre tabindex="0"><code' in r["content_html"]
    ]
    assert len(code) > 100
    assert not any("<pre" in r["content_html"] for r in rows if r["slug"] == "design")

    # Through the routes: a curriculum, a preview lesson of a paid course open to anyone, the
    # rest of that course only to the enrolled (and its teacher).
    course_id = await demo.pool.fetchval(
        "SELECT id FROM courses WHERE price_cents > 0 ORDER BY created_at DESC LIMIT 1"
    )
    curriculum = (await demo.client.get(f"/courses/{course_id}/curriculum")).json()
    lessons = [lesson for m in curriculum["modules"] for lesson in m["lessons"]]
    assert curriculum["total_lessons"] == len(lessons) >= 4
    preview = lessons[0]
    assert preview["is_preview"]
    assert (await demo.client.get(f"/lessons/{preview['id']}")).status_code == 200
    closed = next(lesson for lesson in lessons if not lesson["is_preview"])
    assert (await demo.client.get(f"/lessons/{closed['id']}")).status_code == 401
    _, teacher = tokens.teacher(user_id=DEMO_TEACHER.id, name=DEMO_TEACHER.name)
    r = await demo.client.get(f"/lessons/{closed['id']}", headers=teacher)
    assert r.status_code == 200, r.text
    _, stranger = tokens.student()
    r = await demo.client.get(f"/lessons/{closed['id']}", headers=stranger)
    assert r.status_code == 403, r.text


async def test_the_demo_teacher_owns_the_demo_courses(demo: RunningService, tokens: Tokens) -> None:
    _, teacher = tokens.teacher(user_id=DEMO_TEACHER.id, name=DEMO_TEACHER.name)
    mine = await _all_pages(demo.client, "/courses/my", headers=teacher)
    assert len(mine) == DEMO_COURSES
    assert all(c["enrollment_count"] == 0 for c in mine)
    r = await demo.client.put(
        f"/courses/{mine[0]['id']}", json={"price_cents": 1500}, headers=teacher
    )
    assert r.status_code == 200, r.text

    _, other = tokens.teacher(is_verified=True)
    assert await _all_pages(demo.client, "/courses/my", headers=other) == []
    r = await demo.client.put(f"/courses/{mine[1]['id']}", json={"price_cents": 1}, headers=other)
    assert r.status_code == 403
    r = await demo.client.get("/courses/my")
    assert r.status_code == 401


async def test_a_second_start_adds_nothing_and_announces_nothing(demo: RunningService) -> None:
    counts = [await _count(demo.pool, t) for t in ("courses", "modules", "lessons")]
    events = await demo.pool.fetch("SELECT subject, payload FROM outbox")
    assert len(events) == DEMO_COURSES
    assert {e["subject"] for e in events} == {CourseCreated.subject}

    # One event per course with the snapshot consumers rely on: lessons in curriculum order.
    event = CourseCreated.model_validate(events[0]["payload"])
    ordered = await demo.pool.fetch(
        "SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id"
        " WHERE l.course_id = $1 ORDER BY m.position, l.position",
        event.course_id,
    )
    course = await demo.pool.fetchrow(
        "SELECT teacher_id, title, price_cents, currency, status, revision FROM courses"
        " WHERE id = $1",
        event.course_id,
    )
    assert event.lesson_ids == [r["id"] for r in ordered]
    assert (
        event.teacher_id,
        event.title,
        event.price_cents,
        event.currency,
        event.status,
        event.revision,
    ) == tuple(course.values())

    started = time.perf_counter()
    assert isinstance(demo.settings, CourseSettings)
    again = create_app(demo.settings)
    async with again.router.lifespan_context(again):
        assert [await _count(demo.pool, t) for t in ("courses", "modules", "lessons")] == counts
    assert time.perf_counter() - started < 5
    assert await _count(demo.pool, "outbox") == DEMO_COURSES


async def test_workers_seeding_at_once_seed_once(services: ServiceLauncher) -> None:
    svc = await services.start("course", create_app, CourseSettings, MIGRATIONS)
    assert await _count(svc.pool, "courses") == 0

    async def seed() -> int:
        async with svc.pool.acquire() as conn, conn.transaction():
            return await seed_demo_catalog(conn)

    added = await asyncio.gather(seed(), seed(), seed())
    assert sorted(added) == [0, 0, DEMO_COURSES]
    assert await _count(svc.pool, "courses") == DEMO_COURSES
    assert await _count(svc.pool, "outbox") == DEMO_COURSES


async def test_a_deleted_demo_course_is_the_only_one_seeded_again(
    demo: RunningService, tokens: Tokens
) -> None:
    _, teacher = tokens.teacher(user_id=DEMO_TEACHER.id, name=DEMO_TEACHER.name)
    course_id = str(outline_catalog()[0].id)
    assert (await demo.client.delete(f"/courses/{course_id}", headers=teacher)).status_code == 204
    async with demo.pool.acquire() as conn, conn.transaction():
        assert await seed_demo_catalog(conn) == 1
    r = await demo.client.get(f"/courses/{course_id}")
    assert r.status_code == 200, r.text
    assert await _count(demo.pool, "courses") == DEMO_COURSES


async def test_production_and_default_settings_never_seed(services: ServiceLauncher) -> None:
    production = await services.start(
        "course",
        create_app,
        CourseSettings,
        MIGRATIONS,
        seed_demo_data=True,
        environment="production",
        cursor_secret="c" * 32,
    )
    default = await services.start("course", create_app, CourseSettings, MIGRATIONS)
    for svc in (production, default):
        assert await _count(svc.pool, "courses") == 0
        assert await _count(svc.pool, "outbox") == 0
        assert (await svc.client.get("/courses")).json()["items"] == []


def test_the_catalog_is_the_same_on_every_run() -> None:
    first, second = outline_catalog(), outline_catalog()
    assert first == second
    assert write_courses(first[:10]) == write_courses(second[:10])
    titles = Counter(c.title for c in write_courses(first))
    assert titles.most_common(1)[0][1] == 1  # no two courses share a title
