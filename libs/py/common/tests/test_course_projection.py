"""The shared course projection on real PostgreSQL: every snapshot event applied, the newest
revision kept, and each service's choice of columns."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from edu_common.course_projection import COURSE_SNAPSHOTS, Course, CourseProjection
from edu_common.events.contracts import (
    CourseArchived,
    CourseCreated,
    CourseSnapshot,
    CourseUpdated,
    LessonCreated,
    LessonDeleted,
)

# The two tables the services migrate: enrollment keeps the lesson ids, payment does not.
_WITH_LESSONS = """
CREATE TABLE courses_with_lessons (
    id uuid PRIMARY KEY, title text NOT NULL, price_cents integer NOT NULL,
    currency text NOT NULL, status text NOT NULL, lesson_ids uuid[] NOT NULL,
    revision bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now()
)"""
_PRICES_ONLY = """
CREATE TABLE courses_prices (
    id uuid PRIMARY KEY, title text NOT NULL, price_cents integer NOT NULL,
    currency text NOT NULL, status text NOT NULL,
    revision bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now()
)"""


@pytest.fixture
async def db(event_db: Any) -> Any:
    await event_db.pool.execute(_WITH_LESSONS)
    await event_db.pool.execute(_PRICES_ONLY)
    return event_db


def created(**fields: Any) -> CourseCreated:
    values: dict[str, Any] = {
        "course_id": uuid.uuid4(),
        "teacher_id": uuid.uuid4(),
        "title": "Rust for Pythonistas",
        "price_cents": 2500,
        "currency": "EUR",
        "status": "published",
        "lesson_ids": [],
        "revision": 1,
        **fields,
    }
    return CourseCreated(**values)


def following(cls: type[CourseSnapshot], before: CourseSnapshot, **fields: Any) -> CourseSnapshot:
    values = {**before.model_dump(exclude={"event_id", "occurred_at"}), **fields}
    return cls(**values)


async def test_every_snapshot_event_moves_the_projection_forward(db: Any) -> None:
    courses = CourseProjection("lesson_ids", table="courses_with_lessons")
    first, second = uuid.uuid4(), uuid.uuid4()
    start = created()
    steps: list[CourseSnapshot] = [
        start,
        following(CourseUpdated, start, title="Rust, Gently", price_cents=0, revision=2),
        following(LessonCreated, start, lesson_ids=[first], lesson_id=first, revision=3),
        following(LessonCreated, start, lesson_ids=[first, second], lesson_id=second, revision=4),
        following(LessonDeleted, start, lesson_ids=[second], lesson_id=first, revision=5),
        following(CourseArchived, start, lesson_ids=[second], status="archived", revision=6),
    ]
    assert {type(s) for s in steps} == set(COURSE_SNAPSHOTS)
    async with db.pool.acquire() as conn:
        for step in steps:
            assert await courses.apply(conn, step) is True
            row = await conn.fetchrow(
                "SELECT title, price_cents, status, lesson_ids, revision"
                " FROM courses_with_lessons WHERE id = $1",
                start.course_id,
            )
            assert row["revision"] == step.revision
            assert row["title"] == step.title
            assert row["price_cents"] == step.price_cents
            assert row["status"] == step.status
            assert list(row["lesson_ids"]) == step.lesson_ids
        course = await courses.get(conn, start.course_id)
    assert course == Course(
        id=start.course_id,
        title="Rust for Pythonistas",
        price_cents=2500,
        currency="EUR",
        status="archived",
    )
    assert course.is_archived
    assert not course.is_free


async def test_an_older_or_repeated_revision_is_ignored(db: Any) -> None:
    courses = CourseProjection(table="courses_prices")
    start = created(revision=5)
    async with db.pool.acquire() as conn:
        assert await courses.apply(conn, start) is True
        older = following(CourseUpdated, start, title="Stale", price_cents=1, revision=4)
        same = following(CourseUpdated, start, title="Repeat", revision=5)
        assert await courses.apply(conn, older) is False
        assert await courses.apply(conn, same) is False
        course = await courses.get(conn, start.course_id)
        assert course is not None
        assert (course.title, course.price_cents) == ("Rust for Pythonistas", 2500)
        newer = following(CourseUpdated, start, price_cents=0, revision=6)
        assert await courses.apply(conn, newer) is True
        course = await courses.get(conn, start.course_id)
    assert course is not None
    assert course.is_free


async def test_each_service_keeps_the_columns_it_chose(db: Any) -> None:
    lesson = uuid.uuid4()
    snapshot = created(lesson_ids=[lesson])
    with_lessons = CourseProjection("lesson_ids", table="courses_with_lessons")
    prices_only = CourseProjection(table="courses_prices")
    assert with_lessons.fields == ("title", "price_cents", "currency", "status", "lesson_ids")
    assert prices_only.fields == ("title", "price_cents", "currency", "status")
    async with db.pool.acquire() as conn:
        # Payment's table has no lesson_ids column: its projection never writes one.
        await prices_only.apply(conn, snapshot)
        await with_lessons.apply(conn, snapshot)
        assert await prices_only.get(conn, snapshot.course_id) == await with_lessons.get(
            conn, snapshot.course_id
        )
        found = await with_lessons.with_lesson(conn, lesson)
        assert [c.id for c in found] == [snapshot.course_id]
        assert await with_lessons.with_lesson(conn, uuid.uuid4()) == []
        with pytest.raises(TypeError):
            await prices_only.with_lesson(conn, lesson)
        assert await prices_only.get(conn, uuid.uuid4()) is None


async def test_handlers_apply_then_derive_in_the_same_transaction(db: Any) -> None:
    courses = CourseProjection(table="courses_prices")
    seen: list[tuple[uuid.UUID, str]] = []

    async def then(conn: Any, event: CourseSnapshot) -> None:
        # Runs after the snapshot is stored, on the same connection.
        title = await conn.fetchval(
            "SELECT title FROM courses_prices WHERE id = $1", event.course_id
        )
        seen.append((event.course_id, title))

    handlers = courses.handlers(then=then)
    assert set(handlers) == set(COURSE_SNAPSHOTS)
    snapshot = created()
    async with db.pool.acquire() as conn:
        async with conn.transaction():
            await handlers[CourseCreated](conn, snapshot)
        assert seen == [(snapshot.course_id, snapshot.title)]
        await courses.handlers()[CourseUpdated](
            conn, following(CourseUpdated, snapshot, title="Renamed", revision=2)
        )
        course = await courses.get(conn, snapshot.course_id)
    assert course is not None
    assert course.title == "Renamed"


def test_unknown_fields_and_tables_are_refused() -> None:
    with pytest.raises(ValueError, match="not a course snapshot field"):
        CourseProjection("price_history")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a table name"):
        CourseProjection(table="courses; DROP TABLE courses")
