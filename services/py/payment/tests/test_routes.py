"""Every payment route, for the right caller and the wrong ones, and bad input: always the
documented status as a problem detail, never a 500."""

from __future__ import annotations

import uuid
from typing import Any

from edu_devstack.testing import assert_problem
from payment.payments.service import MY_PAYMENTS


async def test_each_route_for_each_kind_of_caller(
    client: Any, tokens: Any, add_course: Any
) -> None:
    course = await add_course()
    owner_id, owner = tokens.student()
    r = await client.post("/payments", json={"course_id": str(course.course_id)}, headers=owner)
    assert r.status_code == 201
    payment_id = r.json()["id"]
    _, stranger = tokens.student()
    expired = tokens.student(ttl_seconds=-3600)[1]
    wrong_roles = {
        "teacher": tokens.teacher()[1],
        "admin": tokens.admin()[1],
        "service": tokens.service()[1],
    }
    other = await add_course()
    for method, path, body in (
        ("POST", "/payments", {"course_id": str(other.course_id)}),
        ("GET", "/payments/me", None),
    ):
        assert_problem(await client.request(method, path, json=body), 401, "unauthorized")
        assert_problem(await client.request(method, path, json=body, headers=expired), 401)
        for role, headers in wrong_roles.items():
            r = await client.request(method, path, json=body, headers=headers)
            assert r.status_code == 403, (role, method, path)
            assert_problem(r, 403, "forbidden")

    # One payment: its owner and admins see it; anyone else is told it does not exist.
    path = f"/payments/{payment_id}"
    assert_problem(await client.get(path), 401)
    assert_problem(await client.get(path, headers=expired), 401)
    for headers in (owner, wrong_roles["admin"]):
        r = await client.get(path, headers=headers)
        assert r.status_code == 200
        assert r.json()["student_id"] == str(owner_id)
    for headers in (stranger, wrong_roles["teacher"], wrong_roles["service"]):
        assert_problem(await client.get(path, headers=headers), 404, "not_found")
    mine = (await client.get("/payments/me", headers=owner)).json()["items"]
    assert [p["id"] for p in mine] == [payment_id]
    assert (await client.get("/payments/me", headers=stranger)).json()["items"] == []


async def test_unknown_and_archived_courses(client: Any, tokens: Any, add_course: Any) -> None:
    _, headers = tokens.student()
    r = await client.post("/payments", json={"course_id": str(uuid.uuid4())}, headers=headers)
    assert_problem(r, 404, "not_found")
    archived = await add_course(status="archived")
    r = await client.post("/payments", json={"course_id": str(archived.course_id)}, headers=headers)
    assert_problem(r, 404)
    _, admin = tokens.admin()
    assert_problem(await client.get(f"/payments/{uuid.uuid4()}", headers=admin), 404)


async def test_bad_bodies(client: Any, tokens: Any) -> None:
    _, headers = tokens.student()
    json_headers = {**headers, "Content-Type": "application/json"}
    for raw in (b"", b"{", b"\xff\xfe", b'{"course_id": "'):
        r = await client.post("/payments", content=raw, headers=json_headers)
        assert r.status_code in (400, 422), (raw, r.text)
        assert_problem(r, r.status_code)
    bodies: list[object] = [[], None, "text", 7, {}, {"course_id": None}, {"course_id": {"a": 1}}]
    for body in bodies:
        assert_problem(await client.post("/payments", json=body, headers=headers), 422)
    for key in ("", "k" * 201):
        r = await client.post(
            "/payments",
            json={"course_id": str(uuid.uuid4())},
            headers={**headers, "Idempotency-Key": key},
        )
        assert_problem(r, 422, "validation_error")


async def test_bad_limits_and_cursors(client: Any, tokens: Any, payment: Any) -> None:
    _, headers = tokens.student()
    for query in ("limit=0", "limit=101", "limit=-5", "limit=many"):
        assert_problem(await client.get(f"/payments/me?{query}", headers=headers), 422)
    codec = payment.app.state.cursors
    for cursor in (
        "x",
        "A" * 300,
        codec.encode("my_enrollments", ["2026-01-01T00:00:00+00:00", str(uuid.uuid4())]),
        codec.encode(MY_PAYMENTS, ["yesterday", "someone"]),
        codec.encode(MY_PAYMENTS, [1, 2, 3]),
    ):
        r = await client.get("/payments/me", params={"cursor": cursor}, headers=headers)
        assert_problem(r, 400, "invalid_cursor")
