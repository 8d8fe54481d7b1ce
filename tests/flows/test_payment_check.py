"""Enrolling in a paid course before the payment event arrives: enrollment asks the real
payment app (in process) whether the student paid."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from edu_common.events.contracts import EnrollmentCreated, PaymentCompleted
from edu_devstack.processes import free_port
from enrollment.app import MIGRATIONS, create_app
from enrollment.courses.repository import COURSES
from enrollment.payments.handlers import payment_completed
from enrollment.settings import EnrollmentSettings

TIMEOUT = 0.5
# Where payment does answer, a loaded test machine must not turn its answer into a timeout.
GENEROUS = 5.0
# What a refused or timed-out call may add to the timeout before the client has its answer.
MARGIN = 1.0


@pytest.fixture
async def enrollment(services: Any) -> Any:
    """Enrollment with no event consumers: payment events never arrive in these tests."""
    return await services.start(
        "enrollment",
        create_app,
        EnrollmentSettings,
        MIGRATIONS,
        events_enabled=False,
        payment_timeout_seconds=GENEROUS,
    )


@pytest.fixture
async def connected(enrollment: Any, payment: Any, reach_payment: Any) -> Any:
    reach_payment(enrollment, payment)
    return enrollment


async def _pay(payment: Any, course: Any, headers: dict[str, str]) -> dict[str, Any]:
    r = await payment.client.post(
        "/payments", json={"course_id": str(course.course_id)}, headers=headers
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def _enroll(enrollment: Any, course: Any, headers: dict[str, str]) -> Any:
    return await enrollment.client.post(
        "/enrollments", json={"course_id": str(course.course_id)}, headers=headers
    )


async def test_student_who_just_paid_is_enrolled(
    connected: Any, payment: Any, tokens: Any, add_paid_course: Any
) -> None:
    course = await add_paid_course(connected)
    student_id, headers = tokens.student()
    paid = await _pay(payment, course, headers)

    r = await _enroll(connected, course, headers)
    assert r.status_code == 201, r.text
    assert r.json()["student_id"] == str(student_id)
    assert r.json()["status"] == "active"
    recorded = await connected.pool.fetchval(
        "SELECT payment_id FROM paid_courses WHERE student_id = $1 AND course_id = $2",
        student_id,
        course.course_id,
    )
    assert str(recorded) == paid["id"]
    r = await _enroll(connected, course, headers)
    assert r.status_code == 409
    assert r.json()["code"] == "already_enrolled"

    # The payment event, arriving late, finds the student enrolled: nothing more happens.
    row = await payment.pool.fetchrow(
        "SELECT payload FROM outbox WHERE subject = $1", PaymentCompleted.subject
    )
    async with connected.pool.acquire() as conn, conn.transaction():
        await payment_completed(conn, PaymentCompleted.model_validate(row["payload"]))
    assert await connected.pool.fetchval("SELECT count(*) FROM enrollments") == 1
    created = await connected.pool.fetchval(
        "SELECT count(*) FROM outbox WHERE subject = $1", EnrollmentCreated.subject
    )
    assert created == 1


async def test_another_students_payment_does_not_open_the_course(
    connected: Any, payment: Any, tokens: Any, add_paid_course: Any
) -> None:
    course = await add_paid_course(connected)
    payer_id, payer = tokens.student()
    paid = await _pay(payment, course, payer)
    _, other = tokens.student()
    r = await _enroll(connected, course, other)
    assert r.status_code == 402
    assert r.json()["code"] == "payment_required"
    # Unknown fields naming the payer, their payment or a status change nothing.
    r = await connected.client.post(
        "/enrollments",
        json={
            "course_id": str(course.course_id),
            "student_id": str(payer_id),
            "status": "completed",
            "payment_id": paid["id"],
            "paid": True,
        },
        headers=other,
    )
    assert r.status_code == 402
    assert await connected.pool.fetchval("SELECT count(*) FROM enrollments") == 0
    assert await connected.pool.fetchval("SELECT count(*) FROM paid_courses") == 0


async def test_paying_for_another_course_does_not_open_this_one(
    connected: Any, payment: Any, tokens: Any, add_paid_course: Any
) -> None:
    bought = await add_paid_course(connected)
    wanted = await add_paid_course(connected)
    _, headers = tokens.student()
    await _pay(payment, bought, headers)
    r = await _enroll(connected, wanted, headers)
    assert r.status_code == 402


async def test_concurrent_enrollments_after_paying_enroll_once(
    connected: Any, payment: Any, tokens: Any, add_paid_course: Any
) -> None:
    course = await add_paid_course(connected)
    _, headers = tokens.student()
    await _pay(payment, course, headers)
    responses = await asyncio.gather(*(_enroll(connected, course, headers) for _ in range(20)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 19
    assert await connected.pool.fetchval("SELECT count(*) FROM enrollments") == 1
    assert await connected.pool.fetchval("SELECT count(*) FROM paid_courses") == 1
    created = await connected.pool.fetchval(
        "SELECT count(*) FROM outbox WHERE subject = $1", EnrollmentCreated.subject
    )
    assert created == 1


async def test_idempotent_repeats_after_paying_replay_one_enrollment(
    connected: Any, payment: Any, tokens: Any, add_paid_course: Any
) -> None:
    course = await add_paid_course(connected)
    _, headers = tokens.student()
    keyed = {**headers, "Idempotency-Key": str(uuid.uuid4())}
    # Before paying: a 402, not stored, so the same key works once the student has paid.
    assert (await _enroll(connected, course, keyed)).status_code == 402
    await _pay(payment, course, headers)
    responses = await asyncio.gather(*(_enroll(connected, course, keyed) for _ in range(10)))
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert await connected.pool.fetchval("SELECT count(*) FROM enrollments") == 1


@dataclass
class SilentServer:
    """A TCP server that accepts connections and never answers: a hung payment service."""

    port: int = 0
    held: list[asyncio.StreamWriter] = field(default_factory=list)

    async def hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.held.append(writer)


@contextlib.asynccontextmanager
async def _silent_server() -> AsyncIterator[SilentServer]:
    silent = SilentServer()
    server = await asyncio.start_server(silent.hold, "127.0.0.1", 0)
    silent.port = server.sockets[0].getsockname()[1]
    try:
        yield silent
    finally:
        for writer in silent.held:
            writer.close()
        server.close()
        await server.wait_closed()


async def _start_pointed_at(services: Any, tokens: Any, url: str, **overrides: Any) -> Any:
    _, service = tokens.service()
    values: dict[str, Any] = {
        "events_enabled": False,
        "payment_url": url,
        "service_token": service["Authorization"].removeprefix("Bearer "),
        "payment_timeout_seconds": TIMEOUT,
        **overrides,
    }
    return await services.start("enrollment", create_app, EnrollmentSettings, MIGRATIONS, **values)


async def _paid_course_in(enrollment: Any, course_event: Any) -> Any:
    course = course_event(price_cents=1200)
    async with enrollment.pool.acquire() as conn:
        await COURSES.apply(conn, course)
    return course


async def _timed_enroll(enrollment: Any, course: Any, headers: dict[str, str]) -> Any:
    started = time.monotonic()
    r = await _enroll(enrollment, course, headers)
    return r, time.monotonic() - started


@contextlib.asynccontextmanager
async def _served(app: Any) -> AsyncIterator[int]:
    """Serves an app (its lifespan already running) over real HTTP on a free port."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="error")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            assert not task.done(), "the server did not start"
            await asyncio.sleep(0.02)
        yield port
    finally:
        server.should_exit = True
        await task


async def test_over_real_http_with_the_configured_client(
    services: Any, tokens: Any, payment: Any, add_paid_course: Any
) -> None:
    # The client enrollment builds from its settings, against payment on a real port.
    async with _served(payment.app) as port:
        enrollment = await _start_pointed_at(
            services, tokens, f"http://127.0.0.1:{port}", payment_timeout_seconds=GENEROUS
        )
        course = await add_paid_course(enrollment)
        _, headers = tokens.student()
        _, other = tokens.student()
        await _pay(payment, course, headers)
        r = await _enroll(enrollment, course, headers)
        assert r.status_code == 201, r.text
        r = await _enroll(enrollment, course, other)
        assert r.status_code == 402


async def test_payment_service_down_is_503_fast(
    services: Any, tokens: Any, course_event: Any
) -> None:
    enrollment = await _start_pointed_at(services, tokens, f"http://127.0.0.1:{free_port()}")
    course = await _paid_course_in(enrollment, course_event)
    _, headers = tokens.student()
    r, elapsed = await _timed_enroll(enrollment, course, headers)
    assert r.status_code == 503, r.text
    assert r.json()["code"] == "payment_status_unavailable"
    assert r.headers["retry-after"] == "5"
    assert r.headers["content-type"].startswith("application/problem+json")
    assert elapsed < TIMEOUT + MARGIN
    assert await enrollment.pool.fetchval("SELECT count(*) FROM enrollments") == 0


async def test_hung_payment_service_is_503_within_the_timeout(
    services: Any, tokens: Any, course_event: Any
) -> None:
    async with _silent_server() as silent:
        # One database connection in all: a call that held it would stall everyone else.
        enrollment = await _start_pointed_at(
            services,
            tokens,
            f"http://127.0.0.1:{silent.port}",
            db_pool_min_size=1,
            db_pool_max_size=1,
        )
        course = await _paid_course_in(enrollment, course_event)
        _, headers = tokens.student()
        r, elapsed = await _timed_enroll(enrollment, course, headers)
        assert r.status_code == 503, r.text
        assert r.json()["code"] == "payment_status_unavailable"
        assert TIMEOUT <= elapsed < TIMEOUT + MARGIN

        # While an enrollment waits on payment, the one connection serves another request.
        slow = asyncio.create_task(_enroll(enrollment, course, headers))
        waiting = len(silent.held) + 1
        async with asyncio.timeout(5):
            while len(silent.held) < waiting:
                await asyncio.sleep(0.01)
        count = asyncio.create_task(
            enrollment.client.get(f"/enrollments/course/{course.course_id}/count")
        )
        done, _ = await asyncio.wait({slow, count}, return_when=asyncio.FIRST_COMPLETED)
        assert done == {count}
        assert count.result().status_code == 200
        assert (await slow).status_code == 503


async def test_free_course_needs_no_payment_service(
    services: Any, tokens: Any, course_event: Any
) -> None:
    async with _silent_server() as silent:
        enrollment = await _start_pointed_at(services, tokens, f"http://127.0.0.1:{silent.port}")
        course = course_event(price_cents=0)
        async with enrollment.pool.acquire() as conn:
            await COURSES.apply(conn, course)
        _, headers = tokens.student()
        r, elapsed = await _timed_enroll(enrollment, course, headers)
        assert r.status_code == 201
        assert elapsed < TIMEOUT


async def test_without_service_token_no_call_is_made(
    services: Any, tokens: Any, course_event: Any
) -> None:
    async with _silent_server() as silent:
        enrollment = await _start_pointed_at(
            services, tokens, f"http://127.0.0.1:{silent.port}", service_token=""
        )
        course = await _paid_course_in(enrollment, course_event)
        _, headers = tokens.student()
        r, elapsed = await _timed_enroll(enrollment, course, headers)
        assert r.status_code == 402
        assert r.json()["code"] == "payment_required"
        assert elapsed < TIMEOUT


async def test_a_token_payment_refuses_is_503_not_an_enrollment(
    enrollment: Any, payment: Any, tokens: Any, add_paid_course: Any, reach_payment: Any
) -> None:
    # Misconfigured: enrollment holds a student's token, which payment's internal route
    # refuses. The student did pay, so a 402 would be a lie; nothing is enrolled either.
    _, wrong = tokens.student()
    reach_payment(enrollment, payment, wrong)
    course = await add_paid_course(enrollment)
    _, headers = tokens.student()
    await _pay(payment, course, headers)
    r = await _enroll(enrollment, course, headers)
    assert r.status_code == 503
    assert await enrollment.pool.fetchval("SELECT count(*) FROM enrollments") == 0


async def test_openapi_documents_the_payment_check(enrollment: Any) -> None:
    spec = (await enrollment.client.get("/openapi.json")).json()
    route = spec["paths"]["/enrollments"]["post"]
    assert {"201", "402", "409", "503"} <= set(route["responses"])
    assert "payment_status_unavailable" in route["description"]
