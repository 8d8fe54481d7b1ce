"""Enrollment under test: the real app against embedded PostgreSQL, Valkey and NATS."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from edu_common.events.contracts import CourseCreated
from enrollment.app import MIGRATIONS, create_app
from enrollment.courses.repository import CourseRepository
from enrollment.settings import EnrollmentSettings


@pytest.fixture
async def enrollment(services: Any) -> Any:
    return await services.start("enrollment", create_app, EnrollmentSettings, MIGRATIONS)


@pytest.fixture
def client(enrollment: Any) -> Any:
    return enrollment.client


def course_event(price_cents: int = 0, lessons: int = 3, **fields: Any) -> CourseCreated:
    values: dict[str, Any] = {
        "course_id": uuid.uuid4(),
        "teacher_id": uuid.uuid4(),
        "title": "Python Basics",
        "price_cents": price_cents,
        "currency": "USD",
        "status": "published",
        "lesson_ids": [uuid.uuid4() for _ in range(lessons)],
        "revision": 1,
        **fields,
    }
    return CourseCreated(**values)


@pytest.fixture
def add_course(enrollment: Any) -> Any:
    """Puts a course in enrollment's projection, as a course event would."""

    async def make(price_cents: int = 0, lessons: int = 3, **fields: Any) -> CourseCreated:
        event = course_event(price_cents, lessons, **fields)
        async with enrollment.pool.acquire() as conn:
            await CourseRepository(conn).apply(event)
        return event

    return make


@pytest.fixture(name="course_event")
def course_event_factory() -> Callable[..., CourseCreated]:
    return course_event
