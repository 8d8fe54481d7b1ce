"""Course under test: the real app against embedded PostgreSQL, Valkey and NATS."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from course.app import MIGRATIONS, create_app
from course.enrollments.handlers import CONSUMER as ENROLLMENTS
from course.settings import CourseSettings
from edu_common.events.contracts import EnrollmentCreated, Event
from edu_devstack.testing import eventually
from nats.js.errors import NotFoundError


@pytest.fixture
async def course_service(services: Any) -> Any:
    return await services.start("course", create_app, CourseSettings, MIGRATIONS)


@pytest.fixture
def client(course_service: Any) -> httpx.AsyncClient:
    c: httpx.AsyncClient = course_service.client
    return c


@pytest.fixture
def teacher(tokens: Any) -> tuple[Any, dict[str, str]]:
    uid, headers = tokens.teacher(is_verified=True, name="Ada Teacher")
    return uid, headers


@pytest.fixture
def make_course(client: httpx.AsyncClient, teacher: Any) -> Any:
    """Creates a course as `teacher` (or the given headers); returns the 201 body."""

    async def make(headers: dict[str, str] | None = None, **fields: Any) -> dict[str, Any]:
        body = {
            "title": "Python from scratch",
            "description": "Variables, loops and functions.",
            "level": "beginner",
            "price_cents": 0,
            **fields,
        }
        r = await client.post("/courses", json=body, headers=headers or teacher[1])
        assert r.status_code == 201, r.text
        created: dict[str, Any] = r.json()
        return created

    return make


@pytest.fixture
def add_module(client: httpx.AsyncClient, teacher: Any) -> Any:
    """Adds a module to a course as `teacher` (or the given headers); returns the 201 body."""

    async def make(
        course_id: str, headers: dict[str, str] | None = None, **fields: Any
    ) -> dict[str, Any]:
        r = await client.post(
            f"/courses/{course_id}/modules",
            json={"title": "Module", **fields},
            headers=headers or teacher[1],
        )
        assert r.status_code == 201, r.text
        created: dict[str, Any] = r.json()
        return created

    return make


@pytest.fixture
def add_lesson(client: httpx.AsyncClient, teacher: Any) -> Any:
    """Adds a lesson to a module as `teacher` (or the given headers); returns the 201 body."""

    async def make(
        module_id: str, headers: dict[str, str] | None = None, **fields: Any
    ) -> dict[str, Any]:
        r = await client.post(
            f"/modules/{module_id}/lessons",
            json={"title": "Lesson", "content": "Some *text*.", **fields},
            headers=headers or teacher[1],
        )
        assert r.status_code == 201, r.text
        created: dict[str, Any] = r.json()
        return created

    return make


@pytest.fixture
def delivered() -> list[uuid.UUID]:
    """The ids of the events `deliver` has sent in this test."""
    return []


@pytest.fixture
def deliver(course_service: Any, delivered: list[uuid.UUID]) -> Any:
    """Publishes an event on the service's bus, as enrollment's outbox relay would; each call
    is a new message, so the same event can be delivered as often as asked."""

    async def send(event: Event) -> None:
        bus = course_service.app.state.event_bus
        await bus.publish(event.subject, event.model_dump_json().encode(), msg_id=str(uuid.uuid4()))
        delivered.append(event.event_id)

    return send


@pytest.fixture
def settle(course_service: Any, delivered: list[uuid.UUID]) -> Any:
    """Waits until the enrollment consumer has handled every message published so far: each
    delivered event has its processed-event row, and nothing is left to deliver or acknowledge
    (so repeats are settled too)."""

    async def wait() -> None:
        bus = course_service.app.state.event_bus

        async def drained() -> bool:
            processed = await course_service.pool.fetchval(
                "SELECT count(DISTINCT event_id) FROM processed_events"
                " WHERE consumer = $1 AND event_id = ANY($2::uuid[])",
                ENROLLMENTS,
                delivered,
            )
            if processed < len(set(delivered)):
                return False
            try:
                info = await bus.js.consumer_info(bus.stream, ENROLLMENTS)
            except NotFoundError:
                return False
            return bool(info.num_pending == 0 and info.num_ack_pending == 0)

        await eventually(drained)

    return wait


@pytest.fixture
def enroll(deliver: Any, course_service: Any) -> Any:
    """Enrolls a student (a new one unless given) through an EnrollmentCreated event on the
    real bus, and waits until course has it; returns the event."""

    async def make(course_id: str, student_id: uuid.UUID | None = None) -> EnrollmentCreated:
        event = EnrollmentCreated(
            enrollment_id=uuid.uuid4(),
            course_id=uuid.UUID(course_id),
            student_id=student_id or uuid.uuid4(),
            course_title="A course",
        )
        await deliver(event)

        async def recorded() -> bool:
            found: bool = await course_service.pool.fetchval(
                "SELECT EXISTS (SELECT 1 FROM enrollments WHERE course_id = $1"
                " AND student_id = $2)",
                event.course_id,
                event.student_id,
            )
            return found

        await eventually(recorded)
        return event

    return make
