from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from course.enrollments.handlers import CONSUMER as ENROLLMENTS
from course.enrollments.handlers import EnrollmentProjection
from edu_common.db import transaction
from edu_common.events.consumer import EventConsumer
from edu_common.events.contracts import EnrollmentCompleted, EnrollmentCreated


def _created(course_id: str, student_id: uuid.UUID | None = None) -> EnrollmentCreated:
    return EnrollmentCreated(
        enrollment_id=uuid.uuid4(),
        course_id=uuid.UUID(course_id),
        student_id=student_id or uuid.uuid4(),
        course_title="A course",
    )


def _completed(created: EnrollmentCreated) -> EnrollmentCompleted:
    return EnrollmentCompleted(
        enrollment_id=created.enrollment_id,
        course_id=created.course_id,
        student_id=created.student_id,
        course_title=created.course_title,
        completed_at=datetime.now(UTC),
    )


async def _count(client: httpx.AsyncClient, course_id: str) -> int:
    r = await client.get(f"/courses/{course_id}")
    assert r.status_code == 200, r.text
    count: int = r.json()["enrollment_count"]
    return count


async def _status(course_service: Any, event: EnrollmentCreated) -> str | None:
    status: str | None = await course_service.pool.fetchval(
        "SELECT status FROM enrollments WHERE course_id = $1 AND student_id = $2",
        event.course_id,
        event.student_id,
    )
    return status


async def test_created_counts_once_even_when_redelivered(
    client: httpx.AsyncClient,
    make_course: Any,
    deliver: Any,
    settle: Any,
    eventually: Any,
    course_service: Any,
    teacher: Any,
) -> None:
    course = await make_course()
    cid = course["id"]
    assert await _count(client, cid) == 0  # cached from here on
    event = _created(cid)
    for _ in range(3):
        await deliver(event)

    async def counted() -> bool:
        return await _count(client, cid) == 1

    await eventually(counted)
    await settle()
    assert await _count(client, cid) == 1
    assert await _status(course_service, event) == "active"
    processed = await course_service.pool.fetchval(
        "SELECT count(*) FROM processed_events WHERE event_id = $1", event.event_id
    )
    assert processed == 1
    mine = (await client.get("/courses/my", headers=teacher[1])).json()["items"]
    assert [c["enrollment_count"] for c in mine] == [1]
    listed = (await client.get("/courses")).json()["items"]
    assert [c["enrollment_count"] for c in listed if c["id"] == cid] == [1]

    # The same student enrolling again under a new event changes nothing either.
    again = _created(cid, event.student_id)
    await deliver(again)
    await settle()
    assert await _count(client, cid) == 1

    second = _created(cid)
    await deliver(second)
    await settle()
    assert await _count(client, cid) == 2


async def test_completed_before_created_counts_once(
    client: httpx.AsyncClient,
    make_course: Any,
    deliver: Any,
    settle: Any,
    course_service: Any,
) -> None:
    course = await make_course()
    created = _created(course["id"])
    await deliver(_completed(created))
    await settle()
    assert await _count(client, course["id"]) == 1
    assert await _status(course_service, created) == "completed"
    await deliver(created)
    await settle()
    assert await _count(client, course["id"]) == 1
    assert await _status(course_service, created) == "completed"


async def test_completed_after_created_is_not_counted_again(
    client: httpx.AsyncClient,
    make_course: Any,
    deliver: Any,
    settle: Any,
    course_service: Any,
) -> None:
    course = await make_course()
    created = _created(course["id"])
    await deliver(created)
    await settle()
    assert await _status(course_service, created) == "active"
    completed = _completed(created)
    await deliver(completed)
    await deliver(completed)
    await settle()
    assert await _count(client, course["id"]) == 1
    assert await _status(course_service, created) == "completed"


async def test_event_for_an_unknown_course_is_kept_without_a_count(
    client: httpx.AsyncClient, make_course: Any, deliver: Any, settle: Any, course_service: Any
) -> None:
    course = await make_course()
    stray = _created(str(uuid.uuid4()))
    await deliver(stray)
    await settle()
    assert await _status(course_service, stray) == "active"
    assert await _count(client, course["id"]) == 0


async def test_enrolled_students_read_paid_lessons(
    client: httpx.AsyncClient,
    make_course: Any,
    add_module: Any,
    add_lesson: Any,
    tokens: Any,
    deliver: Any,
    settle: Any,
    enroll: Any,
) -> None:
    course = await make_course(price_cents=4900)
    module = await add_module(course["id"])
    lesson = await add_lesson(module["id"], content="Paid **content**")
    path = f"/lessons/{lesson['id']}"

    student_id, student = tokens.student()
    r = await client.get(path, headers=student)
    assert r.status_code == 403
    assert r.json()["code"] == "not_enrolled"
    await enroll(course["id"], student_id)
    r = await client.get(path, headers=student)
    assert r.status_code == 200, r.text
    assert r.json()["content"] == "Paid **content**"
    assert "<strong>content</strong>" in r.json()["content_html"]

    finished = _created(course["id"])
    await deliver(_completed(finished))
    await settle()
    _, graduate = tokens.student(user_id=finished.student_id)
    assert (await client.get(path, headers=graduate)).status_code == 200

    _, outsider = tokens.student()
    r = await client.get(path, headers=outsider)
    assert r.status_code == 403
    assert r.json()["code"] == "not_enrolled"
    # An enrollment in another course opens nothing here.
    other = await make_course(title="Other", price_cents=100)
    outsider_id, outsider = tokens.student()
    await enroll(other["id"], outsider_id)
    assert (await client.get(path, headers=outsider)).status_code == 403
    r = await client.get(path)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"


async def test_delete_archives_a_course_with_enrollments(
    client: httpx.AsyncClient,
    make_course: Any,
    add_module: Any,
    add_lesson: Any,
    teacher: Any,
    tokens: Any,
    enroll: Any,
) -> None:
    kept = await make_course(title="Kept", price_cents=1000)
    lesson = await add_lesson((await add_module(kept["id"]))["id"])
    student_id, student = tokens.student()
    await enroll(kept["id"], student_id)
    gone = await make_course(title="Gone")
    for course in (kept, gone):
        await client.get(f"/courses/{course['id']}")  # cached before the delete

    assert (await client.delete(f"/courses/{kept['id']}", headers=teacher[1])).status_code == 204
    r = await client.get(f"/courses/{kept['id']}")
    assert r.status_code == 200
    assert r.json()["status"] == "archived"
    assert r.json()["enrollment_count"] == 1
    assert (await client.get(f"/lessons/{lesson['id']}", headers=student)).status_code == 200
    assert (await client.get(f"/courses/{kept['id']}/curriculum")).status_code == 200
    listed = [c["id"] for c in (await client.get("/courses")).json()["items"]]
    assert kept["id"] not in listed
    assert gone["id"] in listed
    mine = (await client.get("/courses/my", headers=teacher[1])).json()["items"]
    assert {c["id"]: c["status"] for c in mine}[kept["id"]] == "archived"
    # Deleting an archived course again is harmless.
    assert (await client.delete(f"/courses/{kept['id']}", headers=teacher[1])).status_code == 204
    assert (await client.get(f"/courses/{kept['id']}")).json()["status"] == "archived"

    assert (await client.delete(f"/courses/{gone['id']}", headers=teacher[1])).status_code == 204
    assert (await client.get(f"/courses/{gone['id']}")).status_code == 404
    assert (await client.get(f"/courses/{gone['id']}/curriculum")).status_code == 404
    assert (await client.delete(f"/courses/{gone['id']}", headers=teacher[1])).status_code == 404
    listed = [c["id"] for c in (await client.get("/courses")).json()["items"]]
    assert gone["id"] not in listed


async def test_workers_racing_on_one_student_count_once(
    client: httpx.AsyncClient, make_course: Any, course_service: Any
) -> None:
    """Two service workers share the durable consumer: the same student's events, handled at
    the same moment in separate transactions, still count once."""
    course = await make_course()
    app = course_service.app
    projection = EnrollmentProjection(lambda: app.state.caches)
    workers = [
        EventConsumer(ENROLLMENTS, app.state.event_bus, course_service.pool, projection.handlers)
        for _ in range(2)
    ]
    first = _created(course["id"])
    events: list[EnrollmentCreated | EnrollmentCompleted] = [first, _completed(first)]
    events += [_created(course["id"], first.student_id) for _ in range(4)]
    others = [_created(course["id"]) for _ in range(6)]
    events += others + [_completed(o) for o in others[:3]]
    applied = await asyncio.gather(
        *(
            workers[i % 2].handle(event.subject, event.model_dump_json().encode())
            for i, event in enumerate(events)
        ),
        # A redelivery racing its first delivery has one effect.
        workers[1].handle(first.subject, first.model_dump_json().encode()),
    )
    assert applied.count(False) == 1
    assert await _count(client, course["id"]) == 7
    assert await _status(course_service, first) == "completed"
    statuses = [await _status(course_service, o) for o in others]
    assert statuses == ["completed"] * 3 + ["active"] * 3


async def test_cached_course_is_dropped_only_after_the_count_commits(
    client: httpx.AsyncClient, course_service: Any, make_course: Any
) -> None:
    course = await make_course()
    caches = course_service.app.state.caches
    projection = EnrollmentProjection(lambda: caches)
    assert await _count(client, course["id"]) == 0  # now cached

    # Rolled back: the cached course stays, and so does the count it shows.
    with contextlib.suppress(RuntimeError):
        async with transaction(course_service.pool) as conn:
            await projection.on_created(conn, _created(course["id"]))
            raise RuntimeError("the handler's transaction fails")
    cached = await caches.courses.get(course["id"])
    assert cached is not None
    assert cached["enrollment_count"] == 0
    assert await _count(client, course["id"]) == 0

    async with transaction(course_service.pool) as conn:
        await projection.on_created(conn, _created(course["id"]))
        # Until the commit, a reader gets the committed count (cached or not): nothing to drop.
        cached = await caches.courses.get(course["id"])
        assert cached is not None
        assert cached["enrollment_count"] == 0
    assert await caches.courses.get(course["id"]) is None
    assert await _count(client, course["id"]) == 1
