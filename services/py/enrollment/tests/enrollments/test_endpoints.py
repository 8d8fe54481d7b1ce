from __future__ import annotations

import asyncio
import uuid
from typing import Any

from edu_common.events.contracts import EnrollmentCreated


async def _outbox(service: Any, subject: str) -> list[dict[str, Any]]:
    rows = await service.pool.fetch(
        "SELECT payload FROM outbox WHERE subject = $1 ORDER BY seq", subject
    )
    return [r["payload"] for r in rows]


async def test_enroll_in_free_course(
    client: Any, tokens: Any, add_course: Any, enrollment: Any
) -> None:
    course = await add_course(title="Free Python")
    student_id, headers = tokens.student()
    r = await client.post(
        "/enrollments",
        json={"course_id": str(course.course_id), "status": "completed"},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "active"
    assert body["student_id"] == str(student_id)
    assert body["course_id"] == str(course.course_id)
    events = await _outbox(enrollment, EnrollmentCreated.subject)
    assert len(events) == 1
    assert events[0]["course_title"] == "Free Python"
    assert events[0]["enrollment_id"] == body["id"]

    r = await client.get("/enrollments/me", headers=headers)
    [item] = r.json()["items"]
    assert item["course_title"] == "Free Python"
    assert item["progress_percent"] == 0
    assert item["status"] == "active"
    assert item["completed_at"] is None
    r = await client.get(f"/enrollments/course/{course.course_id}/count")
    assert r.json() == {"course_id": str(course.course_id), "count": 1}


async def test_second_enrollment_is_409(client: Any, tokens: Any, add_course: Any) -> None:
    course = await add_course()
    _, headers = tokens.student()
    payload = {"course_id": str(course.course_id)}
    assert (await client.post("/enrollments", json=payload, headers=headers)).status_code == 201
    r = await client.post("/enrollments", json=payload, headers=headers)
    assert r.status_code == 409
    assert r.json()["code"] == "already_enrolled"


async def test_paid_course_without_payment_is_402(
    client: Any, tokens: Any, add_course: Any
) -> None:
    course = await add_course(price_cents=1500)
    _, headers = tokens.student()
    r = await client.post(
        "/enrollments",
        json={"course_id": str(course.course_id)},
        headers={**headers, "Idempotency-Key": "k"},
    )
    assert r.status_code == 402
    assert r.json()["code"] == "payment_required"


async def test_unknown_course_is_404(client: Any, tokens: Any) -> None:
    _, headers = tokens.student()
    r = await client.post("/enrollments", json={"course_id": str(uuid.uuid4())}, headers=headers)
    assert r.status_code == 404


async def test_concurrent_enrollments_enroll_once(
    client: Any, tokens: Any, add_course: Any, enrollment: Any
) -> None:
    course = await add_course()
    _, headers = tokens.student()
    payload = {"course_id": str(course.course_id)}
    responses = await asyncio.gather(
        *(client.post("/enrollments", json=payload, headers=headers) for _ in range(20))
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 19
    assert await enrollment.pool.fetchval("SELECT count(*) FROM enrollments") == 1
    assert len(await _outbox(enrollment, EnrollmentCreated.subject)) == 1


async def test_concurrent_repeats_with_one_key_replay(
    client: Any, tokens: Any, add_course: Any, enrollment: Any
) -> None:
    course = await add_course()
    _, headers = tokens.student()
    headers = {**headers, "Idempotency-Key": str(uuid.uuid4())}
    payload = {"course_id": str(course.course_id)}
    responses = await asyncio.gather(
        *(client.post("/enrollments", json=payload, headers=headers) for _ in range(20))
    )
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert await enrollment.pool.fetchval("SELECT count(*) FROM enrollments") == 1

    other = await add_course()
    r = await client.post("/enrollments", json={"course_id": str(other.course_id)}, headers=headers)
    assert r.status_code == 409
    assert r.json()["code"] == "idempotency_key_reused"


async def test_roles_and_auth(client: Any, tokens: Any, add_course: Any) -> None:
    course = await add_course()
    payload = {"course_id": str(course.course_id)}
    assert (await client.post("/enrollments", json=payload)).status_code == 401
    _, teacher = tokens.teacher()
    assert (await client.post("/enrollments", json=payload, headers=teacher)).status_code == 403
    assert (await client.get("/enrollments/me")).status_code == 401
    _, admin = tokens.admin()
    assert (await client.get("/enrollments/me", headers=admin)).status_code == 403


async def test_bad_input(client: Any, tokens: Any) -> None:
    _, headers = tokens.student()
    r = await client.post(
        "/enrollments",
        content=b"{oops",
        headers={**headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert r.json()["code"] == "malformed_json"
    r = await client.post("/enrollments", json={"course_id": 5}, headers=headers)
    assert r.status_code == 422
    assert (await client.get("/enrollments/course/nope/count")).status_code == 422
    assert (await client.get("/enrollments/me?limit=500", headers=headers)).status_code == 422
    assert (await client.get("/enrollments/me?cursor=x", headers=headers)).status_code == 400


async def test_my_enrollments_paginated(client: Any, tokens: Any, add_course: Any) -> None:
    _, headers = tokens.student()
    ids = []
    for _ in range(3):
        course = await add_course()
        r = await client.post(
            "/enrollments", json={"course_id": str(course.course_id)}, headers=headers
        )
        ids.append(r.json()["id"])
    page = (await client.get("/enrollments/me?limit=2", headers=headers)).json()
    assert [e["id"] for e in page["items"]] == ids[::-1][:2]
    r = await client.get(f"/enrollments/me?limit=2&cursor={page['next_cursor']}", headers=headers)
    page = r.json()
    assert [e["id"] for e in page["items"]] == ids[:1]
    assert page["next_cursor"] is None
    _, other = tokens.student()
    assert (await client.get("/enrollments/me", headers=other)).json()["items"] == []


async def test_my_enrollments_page_across_enrollments_made_at_one_instant(
    client: Any, tokens: Any, add_course: Any, enrollment: Any
) -> None:
    student_id, headers = tokens.student()
    titles = {}
    for n in range(5):
        course = await add_course(title=f"Course {n}")
        r = await client.post(
            "/enrollments", json={"course_id": str(course.course_id)}, headers=headers
        )
        assert r.status_code == 201, r.text
        titles[r.json()["id"]] = f"Course {n}"
    await enrollment.pool.execute(
        "UPDATE enrollments SET created_at = '2026-03-01T12:00:00Z' WHERE student_id = $1",
        student_id,
    )
    ties = await enrollment.pool.fetch(
        "SELECT id FROM enrollments WHERE student_id = $1 ORDER BY id DESC", student_id
    )

    seen: list[dict[str, Any]] = []
    sizes: list[int] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = (await client.get("/enrollments/me", params=params, headers=headers)).json()
        seen += page["items"]
        sizes.append(len(page["items"]))
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]

    assert [e["id"] for e in seen] == [str(r["id"]) for r in ties]
    assert {e["id"]: e["course_title"] for e in seen} == titles
    assert sizes == [2, 2, 1]
