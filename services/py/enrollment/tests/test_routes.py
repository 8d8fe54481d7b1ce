"""Every enrollment route, for the right caller and the wrong ones, and bad input: always
the documented status as a problem detail, never a 500."""

from __future__ import annotations

import uuid
from typing import Any

from edu_devstack.testing import assert_problem
from enrollment.enrollments.service import MY_ENROLLMENTS


async def test_each_route_for_each_kind_of_caller(
    client: Any, tokens: Any, add_course: Any
) -> None:
    course = await add_course(price_cents=0)
    lesson = course.lesson_ids[0]
    _, owner = tokens.student()
    assert (
        await client.post("/enrollments", json={"course_id": str(course.course_id)}, headers=owner)
    ).status_code == 201
    _, stranger = tokens.student()
    expired = tokens.student(ttl_seconds=-3600)[1]
    wrong_roles = {
        "teacher": tokens.teacher()[1],
        "admin": tokens.admin()[1],
        "service": tokens.service()[1],
    }
    student_routes = [
        ("POST", "/enrollments", {"course_id": str(course.course_id)}),
        ("GET", "/enrollments/me", None),
        ("POST", f"/progress/lessons/{lesson}/complete", None),
        ("GET", f"/progress/courses/{course.course_id}", None),
    ]
    for method, path, body in student_routes:
        assert_problem(await client.request(method, path, json=body), 401, "unauthorized")
        r = await client.request(method, path, json=body, headers=expired)
        assert_problem(r, 401)
        r = await client.request(
            method, path, json=body, headers={"Authorization": "Basic dXNlcjpwYXNz"}
        )
        assert_problem(r, 401)
        for role, headers in wrong_roles.items():
            r = await client.request(method, path, json=body, headers=headers)
            assert r.status_code == 403, (role, method, path, r.text)
            assert_problem(r, 403, "forbidden")

    # The owner: a second enrollment is a conflict; the rest answers.
    r = await client.post("/enrollments", json={"course_id": str(course.course_id)}, headers=owner)
    assert_problem(r, 409, "already_enrolled")
    assert (await client.get("/enrollments/me", headers=owner)).status_code == 200
    r = await client.post(f"/progress/lessons/{lesson}/complete", headers=owner)
    assert r.status_code == 200
    r = await client.get(f"/progress/courses/{course.course_id}", headers=owner)
    assert r.status_code == 200
    assert r.json()["completed_lesson_ids"] == [str(lesson)]

    # Another student: not enrolled, and their own list is empty.
    r = await client.post(f"/progress/lessons/{lesson}/complete", headers=stranger)
    assert_problem(r, 403, "not_enrolled")
    r = await client.get(f"/progress/courses/{course.course_id}", headers=stranger)
    assert_problem(r, 403, "not_enrolled")
    assert (await client.get("/enrollments/me", headers=stranger)).json()["items"] == []

    # The head count is public: anyone, any role, the same answer.
    path = f"/enrollments/course/{course.course_id}/count"
    for headers in (None, owner, stranger, *wrong_roles.values()):
        r = await client.get(path, headers=headers)
        assert r.status_code == 200
        assert r.json() == {"course_id": str(course.course_id), "count": 1}


async def test_unknown_ids(client: Any, tokens: Any, add_course: Any) -> None:
    _, headers = tokens.student()
    unknown = uuid.uuid4()
    r = await client.post("/enrollments", json={"course_id": str(unknown)}, headers=headers)
    assert_problem(r, 404, "not_found")
    # A lesson in no course enrollment knows of: 404, like a course it does not know.
    assert_problem(await client.post(f"/progress/lessons/{unknown}/complete", headers=headers), 404)
    assert_problem(await client.get(f"/progress/courses/{unknown}", headers=headers), 404)
    r = await client.get(f"/enrollments/course/{unknown}/count")
    assert r.json() == {"course_id": str(unknown), "count": 0}
    archived = await add_course(status="archived")
    r = await client.post(
        "/enrollments", json={"course_id": str(archived.course_id)}, headers=headers
    )
    assert_problem(r, 404)


async def test_bad_bodies(client: Any, tokens: Any) -> None:
    _, headers = tokens.student()
    json_headers = {**headers, "Content-Type": "application/json"}
    for raw in (b"", b"{", b"\xff\xfe", b'{"course_id": "'):
        r = await client.post("/enrollments", content=raw, headers=json_headers)
        assert r.status_code in (400, 422), (raw, r.text)
        assert_problem(r, r.status_code)
    bodies: list[object] = [[], None, "text", 7, {}, {"course_id": None}, {"course_id": ["x"]}]
    for body in bodies:
        r = await client.post("/enrollments", json=body, headers=headers)
        assert_problem(r, 422, "validation_error")
    r = await client.post(
        "/enrollments", content=b"course_id=1", headers={**headers, "Content-Type": "text/plain"}
    )
    assert 400 <= r.status_code < 500
    for key in ("", "k" * 201):
        r = await client.post(
            "/enrollments",
            json={"course_id": str(uuid.uuid4())},
            headers={**headers, "Idempotency-Key": key},
        )
        assert_problem(r, 422, "validation_error")


async def test_bad_paths_limits_and_cursors(client: Any, tokens: Any, enrollment: Any) -> None:
    _, headers = tokens.student()
    for path in (
        "/enrollments/course/nope/count",
        "/progress/courses/123",
        "/enrollments/me?limit=0",
        "/enrollments/me?limit=101",
        "/enrollments/me?limit=-1",
        "/enrollments/me?limit=ten",
    ):
        assert_problem(await client.get(path, headers=headers), 422, "validation_error")
    assert_problem(await client.post("/progress/lessons/x/complete", headers=headers), 422)
    assert (await client.get("/enrollments/me?limit=100", headers=headers)).status_code == 200
    codec = enrollment.app.state.cursors
    cursors = [
        "x",
        "%%%",
        "A" * 400,
        codec.encode("my_payments", ["2026-01-01T00:00:00+00:00", str(uuid.uuid4())]),
        codec.encode(MY_ENROLLMENTS, ["not a time", "not an id"]),
        codec.encode(MY_ENROLLMENTS, ["2026-01-01T00:00:00+00:00"]),
        codec.encode(MY_ENROLLMENTS, []),
    ]
    good = codec.encode(MY_ENROLLMENTS, ["2026-01-01T00:00:00+00:00", str(uuid.uuid4())])
    cursors.append(good[:-2] + ("AA" if not good.endswith("AA") else "BB"))
    for cursor in cursors:
        r = await client.get("/enrollments/me", params={"cursor": cursor}, headers=headers)
        assert_problem(r, 400, "invalid_cursor")
    r = await client.get("/enrollments/me", params={"cursor": good}, headers=headers)
    assert r.status_code == 200
