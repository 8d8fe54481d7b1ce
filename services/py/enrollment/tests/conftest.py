"""Enrollment under test: the real app against embedded PostgreSQL, Valkey and NATS."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from edu_common.events.contracts import CourseCreated
from enrollment.app import MIGRATIONS, create_app
from enrollment.courses.repository import COURSES
from enrollment.payments.client import PaymentStatusClient
from enrollment.settings import EnrollmentSettings
from payment.app import MIGRATIONS as PAYMENT_MIGRATIONS
from payment.app import create_app as create_payment_app
from payment.courses.repository import COURSES as PAYMENT_COURSES
from payment.settings import PaymentSettings


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
            await COURSES.apply(conn, event)
        return event

    return make


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


@pytest.fixture(name="course_event")
def course_event_factory() -> Callable[..., CourseCreated]:
    return course_event


@pytest.fixture(name="eventually")
def eventually_fixture() -> Callable[..., Awaitable[None]]:
    return eventually


@pytest.fixture
async def payment(services: Any) -> Any:
    """The real payment app, beside enrollment (the same event namespace)."""
    return await services.start("payment", create_payment_app, PaymentSettings, PAYMENT_MIGRATIONS)


@pytest.fixture
async def reach_payment(tokens: Any) -> AsyncIterator[Callable[..., None]]:
    """Points an enrollment app's payment status calls at a running payment app (in process,
    through an ASGI transport), with a service token or the one given."""
    clients: list[httpx.AsyncClient] = []

    def connect(enrollment: Any, payment: Any, headers: dict[str, str] | None = None) -> None:
        if headers is None:
            _, headers = tokens.service()
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=payment.app), base_url="http://payment.test"
        )
        clients.append(http)
        token = headers["Authorization"].removeprefix("Bearer ")
        timeout = enrollment.settings.payment_timeout_seconds
        enrollment.app.state.payment_status = PaymentStatusClient(http, token, timeout)

    yield connect
    for http in clients:
        await http.aclose()


@pytest.fixture
def add_paid_course(payment: Any) -> Any:
    """Puts a paid course in payment's projection and in each enrollment app's given."""

    async def make(*enrollments: Any, price_cents: int = 2500, **fields: Any) -> CourseCreated:
        event = course_event(price_cents, **fields)
        async with payment.pool.acquire() as conn:
            await PAYMENT_COURSES.apply(conn, event)
        for enrollment in enrollments:
            async with enrollment.pool.acquire() as conn:
                await COURSES.apply(conn, event)
        return event

    return make
