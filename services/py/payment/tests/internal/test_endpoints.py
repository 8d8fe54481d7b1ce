"""The route other services call to learn whether a student paid for a course."""

from __future__ import annotations

import uuid
from typing import Any


def _query(student_id: uuid.UUID, course_id: uuid.UUID) -> str:
    return f"/internal/payments/completed?student_id={student_id}&course_id={course_id}"


async def test_service_learns_who_paid(client: Any, tokens: Any, add_course: Any) -> None:
    course = await add_course()
    payer_id, payer = tokens.student()
    other_id, _ = tokens.student()
    _, service = tokens.service()
    r = await client.post("/payments", json={"course_id": str(course.course_id)}, headers=payer)
    assert r.status_code == 201
    payment_id = r.json()["id"]

    r = await client.get(_query(payer_id, course.course_id), headers=service)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "student_id": str(payer_id),
        "course_id": str(course.course_id),
        "completed": True,
        "payment_id": payment_id,
    }
    # Another student, or another course: not paid.
    r = await client.get(_query(other_id, course.course_id), headers=service)
    assert r.json()["completed"] is False
    assert r.json()["payment_id"] is None
    r = await client.get(_query(payer_id, uuid.uuid4()), headers=service)
    assert r.status_code == 200
    assert r.json()["completed"] is False


async def test_only_services_may_ask(client: Any, tokens: Any, add_course: Any) -> None:
    course = await add_course()
    payer_id, payer = tokens.student()
    await client.post("/payments", json={"course_id": str(course.course_id)}, headers=payer)
    url = _query(payer_id, course.course_id)
    r = await client.get(url)
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(url, headers={"Authorization": "Bearer x"})).status_code == 401
    # Not even the payer, and not an admin: users read their payments through /payments.
    for headers in (payer, tokens.teacher()[1], tokens.admin()[1]):
        r = await client.get(url, headers=headers)
        assert r.status_code == 403
        assert r.json()["code"] == "forbidden"


async def test_bad_queries_are_422(client: Any, tokens: Any) -> None:
    _, service = tokens.service()
    for url in (
        "/internal/payments/completed",
        f"/internal/payments/completed?student_id={uuid.uuid4()}",
        f"/internal/payments/completed?student_id=nope&course_id={uuid.uuid4()}",
    ):
        r = await client.get(url, headers=service)
        assert r.status_code == 422, url
        assert r.json()["code"] == "validation_error"


async def test_openapi_documents_the_internal_route(client: Any) -> None:
    spec = (await client.get("/openapi.json")).json()
    route = spec["paths"]["/internal/payments/completed"]["get"]
    assert "service" in route["description"]
    assert {"200", "401", "403", "422"} <= set(route["responses"])
    params = {p["name"] for p in route["parameters"]}
    assert params == {"student_id", "course_id"}
