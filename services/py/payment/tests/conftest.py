"""Payment under test: the real app against embedded PostgreSQL, Valkey and NATS."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from edu_common.events.contracts import CourseCreated
from payment.app import MIGRATIONS, create_app
from payment.courses.repository import COURSES
from payment.settings import PaymentSettings


@pytest.fixture
async def payment(services: Any) -> Any:
    return await services.start("payment", create_app, PaymentSettings, MIGRATIONS)


@pytest.fixture
def client(payment: Any) -> Any:
    return payment.client


@pytest.fixture
def add_course(payment: Any) -> Any:
    """Puts a course in payment's projection, as a course event would."""

    async def make(price_cents: int = 1999, **fields: Any) -> CourseCreated:
        values: dict[str, Any] = {
            "course_id": uuid.uuid4(),
            "teacher_id": uuid.uuid4(),
            "title": "Python for Data",
            "price_cents": price_cents,
            "currency": "USD",
            "status": "published",
            "lesson_ids": [],
            "revision": 1,
            **fields,
        }
        event = CourseCreated(**values)
        async with payment.pool.acquire() as conn:
            await COURSES.apply(conn, event)
        return event

    return make
