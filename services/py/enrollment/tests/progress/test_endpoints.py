from __future__ import annotations

import asyncio
import uuid
from typing import Any

from edu_common.events.contracts import EnrollmentCompleted, LessonDeleted
from enrollment.courses.handlers import HANDLERS as COURSE_HANDLERS


async def _enrolled(client: Any, tokens: Any, add_course: Any, lessons: int = 3) -> Any:
    course = await add_course(lessons=lessons)
    _, headers = tokens.student()
    r = await client.post(
        "/enrollments", json={"course_id": str(course.course_id)}, headers=headers
    )
    assert r.status_code == 201
    return course, headers


async def test_progress_to_completion(
    client: Any, tokens: Any, add_course: Any, enrollment: Any
) -> None:
    course, headers = await _enrolled(client, tokens, add_course)
    first, second, third = course.lesson_ids
    r = await client.post(f"/progress/lessons/{first}/complete", headers=headers)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "course_id": str(course.course_id),
        "completed_lessons": 1,
        "total_lessons": 3,
        "percent": 33,
        "completed_lesson_ids": [str(first)],
        "status": "active",
    }
    # Repeating is harmless.
    r = await client.post(f"/progress/lessons/{first}/complete", headers=headers)
    assert r.json()["completed_lessons"] == 1
    r = await client.post(f"/progress/lessons/{second}/complete", headers=headers)
    assert r.json()["percent"] == 66
    responses = await asyncio.gather(
        *(client.post(f"/progress/lessons/{third}/complete", headers=headers) for _ in range(5))
    )
    assert {r.status_code for r in responses} == {200}
    assert {r.json()["status"] for r in responses} == {"completed"}
    assert {r.json()["percent"] for r in responses} == {100}
    rows = await enrollment.pool.fetch(
        "SELECT payload FROM outbox WHERE subject = $1", EnrollmentCompleted.subject
    )
    assert len(rows) == 1
    assert rows[0]["payload"]["course_title"] == "Python Basics"

    [item] = (await client.get("/enrollments/me", headers=headers)).json()["items"]
    assert item["status"] == "completed"
    assert item["progress_percent"] == 100
    assert item["completed_at"] is not None
    r = await client.get(f"/progress/courses/{course.course_id}", headers=headers)
    assert r.json()["status"] == "completed"
    assert r.json()["completed_lessons"] == 3


async def test_progress_counts_current_lessons(
    client: Any, tokens: Any, add_course: Any, enrollment: Any
) -> None:
    course, headers = await _enrolled(client, tokens, add_course, lessons=2)
    first, second = course.lesson_ids
    await client.post(f"/progress/lessons/{first}/complete", headers=headers)
    # A lesson is added (newer revision) and one is deleted.
    added = uuid.uuid4()
    newer = course.model_copy(update={"lesson_ids": [second, added], "revision": 2})
    await add_course(**{k: v for k, v in newer.model_dump().items() if k != "event_id"})
    r = await client.get(f"/progress/courses/{course.course_id}", headers=headers)
    body = r.json()
    assert body["total_lessons"] == 2
    assert body["completed_lessons"] == 0
    r = await client.post(f"/progress/lessons/{first}/complete", headers=headers)
    assert r.status_code == 404


async def test_not_enrolled_is_403(client: Any, tokens: Any, add_course: Any) -> None:
    course, _ = await _enrolled(client, tokens, add_course)
    _, stranger = tokens.student()
    lesson = course.lesson_ids[0]
    r = await client.post(f"/progress/lessons/{lesson}/complete", headers=stranger)
    assert r.status_code == 403
    assert r.json()["code"] == "not_enrolled"
    r = await client.get(f"/progress/courses/{course.course_id}", headers=stranger)
    assert r.status_code == 403
    r = await client.post(f"/progress/lessons/{uuid.uuid4()}/complete", headers=stranger)
    assert r.status_code == 404
    r = await client.get(f"/progress/courses/{uuid.uuid4()}", headers=stranger)
    assert r.status_code == 404
    _, teacher = tokens.teacher()
    r = await client.post(f"/progress/lessons/{lesson}/complete", headers=teacher)
    assert r.status_code == 403
    assert (await client.post(f"/progress/lessons/{lesson}/complete")).status_code == 401
    r = await client.post("/progress/lessons/nope/complete", headers=stranger)
    assert r.status_code == 422


async def test_deleting_the_last_lesson_left_completes_the_course(
    client: Any, tokens: Any, add_course: Any, enrollment: Any
) -> None:
    course, headers = await _enrolled(client, tokens, add_course)
    first, second, third = course.lesson_ids
    for lesson in (first, second):
        await client.post(f"/progress/lessons/{lesson}/complete", headers=headers)
    # Someone else who completed nothing stays active.
    _, idle = tokens.student()
    await client.post("/enrollments", json={"course_id": str(course.course_id)}, headers=idle)
    deleted = LessonDeleted(
        **{
            **course.model_dump(exclude={"event_id"}),
            "lesson_ids": [first, second],
            "lesson_id": third,
            "revision": 2,
        }
    )
    for event in (deleted, deleted.model_copy(update={"event_id": uuid.uuid4()})):
        async with enrollment.pool.acquire() as conn, conn.transaction():
            await COURSE_HANDLERS[LessonDeleted](conn, event)
    r = await client.get(f"/progress/courses/{course.course_id}", headers=headers)
    assert r.json()["status"] == "completed"
    assert r.json()["percent"] == 100
    rows = await enrollment.pool.fetch(
        "SELECT payload FROM outbox WHERE subject = $1", EnrollmentCompleted.subject
    )
    assert len(rows) == 1
    r = await client.get(f"/progress/courses/{course.course_id}", headers=idle)
    assert r.json()["status"] == "active"
    assert r.json()["percent"] == 0
    # Every lesson deleted: nothing left to finish, nobody completes.
    emptied = deleted.model_copy(
        update={"lesson_ids": [], "lesson_id": first, "revision": 3, "event_id": uuid.uuid4()}
    )
    async with enrollment.pool.acquire() as conn, conn.transaction():
        await COURSE_HANDLERS[LessonDeleted](conn, emptied)
    r = await client.get(f"/progress/courses/{course.course_id}", headers=idle)
    assert r.json()["status"] == "active"


async def test_a_course_s_lessons_go_into_the_lesson_index_at_once(
    enrollment: Any, add_course: Any
) -> None:
    # A completion finds its enrollment through the GIN index on the projection's lesson ids;
    # a pending list beside it would be read by every lookup.
    for _ in range(20):
        await add_course(lessons=5)
    pending_pages = await enrollment.pool.fetchval(
        "SELECT gin_clean_pending_list('courses_lessons'::regclass)"
    )
    assert pending_pages == 0
