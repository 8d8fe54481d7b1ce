"""The seeder at a tiny scale against real databases: counts, and every fact one service keeps
about another's data agreeing with the source."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from argon2 import PasswordHasher
from edu_devstack import testing
from edu_seed.dataset import COURSE_TABLES, SeedPlan
from edu_seed.scale import SEED_ADMIN_EMAIL, SEED_PASSWORD, Scale, student_email
from edu_seed.writer import DATABASES, SeedError, seed

TINY = Scale("tiny", students=40, teachers=3, courses=30, enrollments=120, payments=30,
             reviews=60)  # fmt: skip
CATEGORIES = [uuid.UUID(int=n) for n in range(1, 9)]


async def _databases(servers: testing.TestServers) -> dict[str, str]:
    names = {db: f"t_seed_{db}_{uuid.uuid4().hex[:10]}" for db in DATABASES}
    admin = await asyncpg.connect(servers.postgres.url())
    try:
        for name in names.values():
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return names


async def _drop(servers: testing.TestServers, names: dict[str, str]) -> None:
    for name in names.values():
        await servers.drop_database(name)


@pytest.fixture(scope="module")
async def seeded(edu_servers: testing.TestServers) -> AsyncIterator[dict[str, Any]]:
    names = await _databases(edu_servers)
    urls = {db: edu_servers.postgres.url(name) for db, name in names.items()}
    out = io.StringIO()
    result = await seed(urls, TINY, 7, stream=out)
    conns = {db: await asyncpg.connect(url) for db, url in urls.items()}
    try:
        yield {"urls": urls, "conns": conns, "result": result, "out": out.getvalue()}
    finally:
        for conn in conns.values():
            await conn.close()
        await _drop(edu_servers, names)


async def _set(conn: asyncpg.Connection, sql: str) -> set[tuple[Any, ...]]:
    return {tuple(r) for r in await conn.fetch(sql)}


async def test_counts_match_the_scale(seeded: dict[str, Any]) -> None:
    c = seeded["conns"]
    counts = {
        "identity.users": TINY.users,
        "notification.recipients": TINY.users,
        "course.courses": TINY.courses,
        "course.enrollments": TINY.enrollments,
        "course.reviews": TINY.reviews,
        "enrollment.courses": TINY.courses,
        "enrollment.enrollments": TINY.enrollments,
        "enrollment.paid_courses": TINY.payments,
        "payment.courses": TINY.courses,
        "payment.payments": TINY.payments,
    }
    for table, expected in counts.items():
        db, name = table.split(".")
        assert await c[db].fetchval(f"SELECT count(*) FROM {name}") == expected, table  # noqa: S608 - table names are the test's constants
        assert seeded["result"].rows[table] == expected, table
    roles = dict(await c["identity"].fetch("SELECT role, count(*) FROM users GROUP BY role"))
    assert roles == {"admin": 1, "teacher": TINY.teachers, "student": TINY.students}
    for table in COURSE_TABLES:
        assert table in seeded["out"]
    assert "rows/s overall" in seeded["out"]


async def test_curriculum_shape(seeded: dict[str, Any]) -> None:
    course = seeded["conns"]["course"]
    shape = await course.fetch(
        "SELECT c.id, count(DISTINCT m.id) AS modules, count(l.id) AS lessons,"
        " min(per.n) AS fewest, max(per.n) AS most"
        " FROM courses c JOIN modules m ON m.course_id = c.id"
        " JOIN lessons l ON l.module_id = m.id"
        " JOIN (SELECT module_id, count(*) AS n FROM lessons GROUP BY module_id) per"
        "   ON per.module_id = m.id GROUP BY c.id"
    )
    assert len(shape) == TINY.courses
    for row in shape:
        assert 3 <= row["modules"] <= 5
        assert row["fewest"] >= 5
        assert row["most"] <= 10
    # The rendered lesson is the service's rendering of its markdown.
    lesson = await course.fetchrow("SELECT content, content_html FROM lessons LIMIT 1")
    from course.curriculum.content import render_markdown

    assert lesson["content_html"] == render_markdown(lesson["content"])
    mismatched = await course.fetchval(
        "SELECT count(*) FROM courses c WHERE duration_minutes <>"
        " (SELECT sum(duration_minutes) FROM lessons WHERE course_id = c.id)"
    )
    assert mismatched == 0


async def test_course_counts_and_ratings_agree_with_their_sources(seeded: dict[str, Any]) -> None:
    c = seeded["conns"]
    courses = {r["id"]: r for r in await c["course"].fetch("SELECT * FROM courses")}
    enrollments = await c["enrollment"].fetch("SELECT course_id, count(*) FROM enrollments"
                                              " GROUP BY course_id")  # fmt: skip
    counted = {r["course_id"]: r["count"] for r in enrollments}
    for course_id, course in courses.items():
        assert course["enrollment_count"] == counted.get(course_id, 0)
    reviews = await c["course"].fetch(
        "SELECT course_id, count(*) AS n, sum(rating) AS total,"
        " round(avg(rating), 2) AS average FROM reviews GROUP BY course_id"
    )
    assert reviews
    for r in reviews:
        course = courses[r["course_id"]]
        assert (course["review_count"], course["rating_sum"]) == (r["n"], r["total"])
        assert course["avg_rating"] == r["average"]
    unreviewed = [c for c in courses.values() if c["review_count"] == 0]
    assert all(c["avg_rating"] is None and c["rating_sum"] == 0 for c in unreviewed)
    # Only enrolled students review.
    strays = await c["course"].fetchval(
        "SELECT count(*) FROM reviews r LEFT JOIN enrollments e"
        " ON e.course_id = r.course_id AND e.student_id = r.student_id WHERE e.course_id IS NULL"
    )
    assert strays == 0


async def test_enrollment_projections_agree(seeded: dict[str, Any]) -> None:
    c = seeded["conns"]
    in_course = await _set(
        c["course"], "SELECT enrollment_id, course_id, student_id, status FROM enrollments"
    )
    in_enrollment = await _set(
        c["enrollment"], "SELECT id, course_id, student_id, status FROM enrollments"
    )
    assert in_course == in_enrollment
    # Every enrollment's course is in enrollment's projection, with the course's lessons in
    # curriculum order, its title, price, status and revision.
    missing = await c["enrollment"].fetchval(
        "SELECT count(*) FROM enrollments e LEFT JOIN courses c ON c.id = e.course_id"
        " WHERE c.id IS NULL"
    )
    assert missing == 0
    source = {
        r["id"]: r
        for r in await c["course"].fetch(
            "SELECT c.id, c.title, c.price_cents, c.currency, c.status, c.revision,"
            " array_agg(l.id ORDER BY m.position, l.position) AS lesson_ids"
            " FROM courses c JOIN modules m ON m.course_id = c.id"
            " JOIN lessons l ON l.module_id = m.id GROUP BY c.id"
        )
    }
    keys = ("title", "price_cents", "currency", "status", "revision")
    for r in await c["enrollment"].fetch("SELECT * FROM courses"):
        assert {k: r[k] for k in (*keys, "lesson_ids")} == {
            k: source[r["id"]][k] for k in (*keys, "lesson_ids")
        }
    for r in await c["payment"].fetch("SELECT * FROM courses"):
        assert {k: r[k] for k in keys} == {k: source[r["id"]][k] for k in keys}


async def test_progress_and_completion_agree(seeded: dict[str, Any]) -> None:
    enrollment = seeded["conns"]["enrollment"]
    rows = await enrollment.fetch(
        "SELECT e.status, e.completed_at, cardinality(c.lesson_ids) AS total,"
        " (SELECT count(*) FROM lesson_completions lc WHERE lc.enrollment_id = e.id) AS done,"
        " (SELECT bool_and(lc.lesson_id = ANY (c.lesson_ids)) FROM lesson_completions lc"
        "   WHERE lc.enrollment_id = e.id) AS own_lessons"
        " FROM enrollments e JOIN courses c ON c.id = e.course_id"
    )
    statuses = {r["status"] for r in rows}
    assert statuses == {"active", "completed"}
    for r in rows:
        assert (r["status"] == "completed") == (r["done"] == r["total"])
        assert (r["completed_at"] is not None) == (r["status"] == "completed")
        assert r["own_lessons"] in (True, None)
    assert any(0 < r["done"] < r["total"] for r in rows)


async def test_payments_are_the_paid_enrollments(seeded: dict[str, Any]) -> None:
    c = seeded["conns"]
    prices = dict(await c["course"].fetch("SELECT id, price_cents FROM courses"))
    paid_enrollments = {
        (r["student_id"], r["course_id"])
        for r in await c["enrollment"].fetch("SELECT student_id, course_id FROM enrollments")
        if prices[r["course_id"]] > 0
    }
    payments = await c["payment"].fetch("SELECT * FROM payments")
    assert {(p["student_id"], p["course_id"]) for p in payments} == paid_enrollments
    assert all(p["amount_cents"] == prices[p["course_id"]] for p in payments)
    assert all(p["status"] == "completed" for p in payments)
    paid = await _set(c["enrollment"], "SELECT student_id, course_id, payment_id FROM paid_courses")
    assert paid == {(p["student_id"], p["course_id"], p["id"]) for p in payments}


async def test_users_recipients_and_teachers_agree(seeded: dict[str, Any]) -> None:
    c = seeded["conns"]
    users = await c["identity"].fetch("SELECT * FROM users")
    recipients = await _set(c["notification"], "SELECT user_id, email, name FROM recipients")
    assert recipients == {(u["id"], u["email"], u["name"]) for u in users}
    by_email = {u["email"]: u for u in users}
    assert SEED_ADMIN_EMAIL in by_email
    assert student_email(TINY.students) in by_email
    # One real argon2 hash, shared: every seeded user logs in with the documented password.
    assert len({u["password_hash"] for u in users}) == 1
    assert PasswordHasher().verify(users[0]["password_hash"], SEED_PASSWORD)
    teachers = {u["id"]: u for u in users if u["role"] == "teacher"}
    assert all(t["is_verified"] for t in teachers.values())
    for course in await c["course"].fetch("SELECT teacher_id, teacher_name FROM courses"):
        assert teachers[course["teacher_id"]]["name"] == course["teacher_name"]
    students = {u["id"] for u in users if u["role"] == "student"}
    enrolled = {r["student_id"] for r in await c["enrollment"].fetch("SELECT * FROM enrollments")}
    assert enrolled <= students


async def test_a_second_run_is_refused(seeded: dict[str, Any]) -> None:
    with pytest.raises(SeedError, match="seeded already"):
        await seed(seeded["urls"], TINY, 7, stream=io.StringIO())


async def test_bulk_search_words_equal_what_the_row_trigger_keeps(
    seeded: dict[str, Any], edu_servers: testing.TestServers
) -> None:
    names = await _databases(edu_servers)
    try:
        urls = {db: edu_servers.postgres.url(name) for db, name in names.items()}
        await seed(urls, TINY, 7, stream=io.StringIO(), row_triggers=True)
        conn = await asyncpg.connect(urls["course"])
        try:
            with_trigger = await _set(conn, "SELECT word FROM search_words")
            same_courses = await _set(conn, "SELECT id, title, search FROM courses")
        finally:
            await conn.close()
        bulk = await _set(seeded["conns"]["course"], "SELECT word FROM search_words")
        assert with_trigger == bulk
        assert len(bulk) > 20
        courses = await _set(seeded["conns"]["course"], "SELECT id, title, search FROM courses")
        assert courses == same_courses
    finally:
        await _drop(edu_servers, names)


def test_the_plan_is_deterministic_for_a_seed() -> None:
    def rows(seed_number: int) -> list[Any]:
        plan = SeedPlan(TINY, seed_number, CATEGORIES)
        found: list[Any] = list(plan.user_rows("h").values())
        for batch in plan.batches(7):
            found.extend(batch.rows.values())
        return found

    assert rows(3) == rows(3)
    assert rows(3) != rows(4)


def test_ratings_round_like_the_service() -> None:
    plan = SeedPlan(TINY, 3, CATEGORIES)
    for batch in plan.batches(100):
        for course in batch.rows["course.courses"]:
            avg, count, total = course[11], course[12], course[13]
            assert isinstance(count, int)
            assert isinstance(total, int)
            if count:
                assert isinstance(avg, Decimal)
                assert abs(float(avg) - total / count) <= 0.005
