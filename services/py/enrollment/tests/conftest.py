"""Enrollment under test: the real app against embedded PostgreSQL, Valkey and NATS."""

from __future__ import annotations

from typing import Any

import pytest
from edu_common.events.contracts import CourseCreated
from edu_devstack.testing import course_created
from enrollment.app import MIGRATIONS, create_app
from enrollment.courses.repository import COURSES
from enrollment.settings import EnrollmentSettings


@pytest.fixture
async def enrollment(services: Any) -> Any:
    return await services.start("enrollment", create_app, EnrollmentSettings, MIGRATIONS)


@pytest.fixture
def client(enrollment: Any) -> Any:
    return enrollment.client


@pytest.fixture
def add_course(enrollment: Any) -> Any:
    """Puts a course in enrollment's projection, as a course event would."""

    async def make(price_cents: int = 0, lessons: int = 3, **fields: Any) -> CourseCreated:
        event = course_created(price_cents, lessons, **fields)
        async with enrollment.pool.acquire() as conn:
            await COURSES.apply(conn, event)
        return event

    return make
