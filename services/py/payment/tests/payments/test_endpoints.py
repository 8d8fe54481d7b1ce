from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from edu_common.events.contracts import CourseCreated, CourseUpdated, PaymentCompleted
from payment.payments.provider import MockPaymentProvider


async def _outbox(payment: Any) -> list[dict[str, Any]]:
    rows = await payment.pool.fetch("SELECT subject, payload FROM outbox ORDER BY seq")
    return [{"subject": r["subject"], **r["payload"]} for r in rows]


async def test_pay_for_course(client: Any, tokens: Any, add_course: Any, payment: Any) -> None:
    course = await add_course(price_cents=4900, title="Async Python")
    student_id, headers = tokens.student()
    # A client-sent amount is ignored.
    r = await client.post(
        "/payments",
        json={"course_id": str(course.course_id), "amount_cents": 1},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["amount_cents"] == 4900
    assert body["currency"] == "USD"
    assert body["status"] == "completed"
    assert body["student_id"] == str(student_id)
    assert body["course_id"] == str(course.course_id)
    events = await _outbox(payment)
    assert [e["subject"] for e in events] == [PaymentCompleted.subject]
    assert events[0]["course_title"] == "Async Python"
    assert events[0]["payment_id"] == body["id"]

    r = await client.get(f"/payments/{body['id']}", headers=headers)
    assert r.status_code == 200
    assert r.json() == body


async def test_pay_twice_is_409(client: Any, tokens: Any, add_course: Any) -> None:
    course = await add_course()
    _, headers = tokens.student()
    payload = {"course_id": str(course.course_id)}
    assert (await client.post("/payments", json=payload, headers=headers)).status_code == 201
    r = await client.post("/payments", json=payload, headers=headers)
    assert r.status_code == 409
    assert r.json()["code"] == "already_paid"
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_free_course_is_400(client: Any, tokens: Any, add_course: Any) -> None:
    course = await add_course(price_cents=0)
    _, headers = tokens.student()
    r = await client.post("/payments", json={"course_id": str(course.course_id)}, headers=headers)
    assert r.status_code == 400
    assert r.json()["code"] == "course_is_free"


async def test_unknown_course_is_404(client: Any, tokens: Any) -> None:
    _, headers = tokens.student()
    r = await client.post("/payments", json={"course_id": str(uuid.uuid4())}, headers=headers)
    assert r.status_code == 404


async def test_declined_payment_is_402_and_leaves_nothing(
    client: Any, tokens: Any, add_course: Any, payment: Any
) -> None:
    course = await add_course()
    _, headers = tokens.student()
    payment.app.state.payment_provider = MockPaymentProvider(declines=True)
    r = await client.post(
        "/payments",
        json={"course_id": str(course.course_id)},
        headers={**headers, "Idempotency-Key": "k1"},
    )
    assert r.status_code == 402
    assert r.json()["code"] == "payment_declined"
    assert await _outbox(payment) == []
    # Not stored: the same key works once the card does.
    payment.app.state.payment_provider = MockPaymentProvider()
    r = await client.post(
        "/payments",
        json={"course_id": str(course.course_id)},
        headers={**headers, "Idempotency-Key": "k1"},
    )
    assert r.status_code == 201


async def test_concurrent_repeats_with_one_key_pay_once(
    client: Any, tokens: Any, add_course: Any, payment: Any
) -> None:
    course = await add_course()
    _, headers = tokens.student()
    headers = {**headers, "Idempotency-Key": str(uuid.uuid4())}
    responses = await asyncio.gather(
        *(
            client.post("/payments", json={"course_id": str(course.course_id)}, headers=headers)
            for _ in range(20)
        )
    )
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert await payment.pool.fetchval("SELECT count(*) FROM payments") == 1
    assert len(await _outbox(payment)) == 1


async def test_concurrent_payments_without_key_pay_once(
    client: Any, tokens: Any, add_course: Any, payment: Any
) -> None:
    course = await add_course()
    _, headers = tokens.student()
    responses = await asyncio.gather(
        *(
            client.post("/payments", json={"course_id": str(course.course_id)}, headers=headers)
            for _ in range(10)
        )
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 9
    assert await payment.pool.fetchval("SELECT count(*) FROM payments") == 1


async def test_key_reused_with_another_body_is_409(
    client: Any, tokens: Any, add_course: Any
) -> None:
    first, second = await add_course(), await add_course()
    _, headers = tokens.student()
    headers = {**headers, "Idempotency-Key": "same"}
    r = await client.post("/payments", json={"course_id": str(first.course_id)}, headers=headers)
    assert r.status_code == 201
    r = await client.post("/payments", json={"course_id": str(second.course_id)}, headers=headers)
    assert r.status_code == 409
    assert r.json()["code"] == "idempotency_key_reused"
    # The key belongs to its user: another student may use the same string.
    _, other = tokens.student()
    r = await client.post(
        "/payments",
        json={"course_id": str(second.course_id)},
        headers={**other, "Idempotency-Key": "same"},
    )
    assert r.status_code == 201


async def test_expired_key_is_claimed_again(
    client: Any, tokens: Any, add_course: Any, payment: Any
) -> None:
    first, second = await add_course(), await add_course()
    _, headers = tokens.student()
    headers = {**headers, "Idempotency-Key": "old"}
    r = await client.post("/payments", json={"course_id": str(first.course_id)}, headers=headers)
    assert r.status_code == 201
    await payment.pool.execute(
        "UPDATE idempotency_keys SET created_at = now() - interval '25 hours'"
    )
    r = await client.post("/payments", json={"course_id": str(second.course_id)}, headers=headers)
    assert r.status_code == 201


async def test_payment_of_someone_else_is_404(client: Any, tokens: Any, add_course: Any) -> None:
    course = await add_course()
    _, owner = tokens.student()
    r = await client.post("/payments", json={"course_id": str(course.course_id)}, headers=owner)
    payment_id = r.json()["id"]
    _, stranger = tokens.student()
    assert (await client.get(f"/payments/{payment_id}", headers=stranger)).status_code == 404
    _, teacher = tokens.teacher()
    assert (await client.get(f"/payments/{payment_id}", headers=teacher)).status_code == 404
    _, admin = tokens.admin()
    assert (await client.get(f"/payments/{payment_id}", headers=admin)).status_code == 200
    r = await client.get(f"/payments/{uuid.uuid4()}", headers=owner)
    assert r.status_code == 404


async def test_roles_and_auth(client: Any, tokens: Any, add_course: Any) -> None:
    course = await add_course()
    payload = {"course_id": str(course.course_id)}
    assert (await client.post("/payments", json=payload)).status_code == 401
    _, teacher = tokens.teacher()
    assert (await client.post("/payments", json=payload, headers=teacher)).status_code == 403
    _, admin = tokens.admin()
    assert (await client.get("/payments/me", headers=admin)).status_code == 403
    bad = {"Authorization": "Bearer nope"}
    assert (await client.get("/payments/me", headers=bad)).status_code == 401


async def test_bad_input(client: Any, tokens: Any) -> None:
    _, headers = tokens.student()
    r = await client.post(
        "/payments",
        content=b"{not json",
        headers={**headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert r.json()["code"] == "malformed_json"
    r = await client.post("/payments", json={"course_id": "nope"}, headers=headers)
    assert r.status_code == 422
    r = await client.post("/payments", json={}, headers=headers)
    assert r.status_code == 422
    assert (await client.get("/payments/not-a-uuid", headers=headers)).status_code == 422
    assert (await client.get("/payments/me?limit=0", headers=headers)).status_code == 422
    assert (await client.get("/payments/me?limit=101", headers=headers)).status_code == 422
    assert (await client.get("/payments/me?cursor=garbage", headers=headers)).status_code == 400


async def test_my_payments_paginated(client: Any, tokens: Any, add_course: Any) -> None:
    _, headers = tokens.student()
    ids = []
    for _ in range(3):
        course = await add_course()
        r = await client.post(
            "/payments", json={"course_id": str(course.course_id)}, headers=headers
        )
        ids.append(r.json()["id"])
    _, other = tokens.student()
    assert (await client.get("/payments/me", headers=other)).json()["items"] == []
    r = await client.get("/payments/me?limit=2", headers=headers)
    page = r.json()
    assert [p["id"] for p in page["items"]] == ids[::-1][:2]
    r = await client.get(f"/payments/me?limit=2&cursor={page['next_cursor']}", headers=headers)
    page = r.json()
    assert [p["id"] for p in page["items"]] == ids[:1]
    assert page["next_cursor"] is None


async def test_my_payments_page_across_payments_made_at_one_instant(
    client: Any, tokens: Any, add_course: Any, payment: Any
) -> None:
    student_id, headers = tokens.student()
    for _ in range(5):
        course = await add_course()
        r = await client.post(
            "/payments", json={"course_id": str(course.course_id)}, headers=headers
        )
        assert r.status_code == 201, r.text
    await payment.pool.execute(
        "UPDATE payments SET created_at = '2026-03-01T12:00:00Z' WHERE student_id = $1",
        student_id,
    )
    ties = await payment.pool.fetch(
        "SELECT id FROM payments WHERE student_id = $1 ORDER BY id DESC", student_id
    )

    seen: list[str] = []
    sizes: list[int] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = (await client.get("/payments/me", params=params, headers=headers)).json()
        seen += [p["id"] for p in page["items"]]
        sizes.append(len(page["items"]))
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]

    assert seen == [str(r["id"]) for r in ties]
    assert sizes == [2, 2, 1]


async def test_course_events_set_the_price(client: Any, tokens: Any, payment: Any) -> None:
    bus = payment.app.state.event_bus
    created = CourseCreated(
        course_id=uuid.uuid4(),
        teacher_id=uuid.uuid4(),
        title="Draft",
        price_cents=1000,
        currency="USD",
        status="published",
        lesson_ids=[],
        revision=1,
    )
    updated = CourseUpdated(**{**created.model_dump(exclude={"event_id"}), "revision": 3})
    updated = updated.model_copy(update={"price_cents": 2500, "title": "Final"})
    stale = CourseUpdated(**{**created.model_dump(exclude={"event_id"}), "revision": 2})
    for event in (created, updated, updated, stale):
        await bus.publish(
            event.subject, event.model_dump_json().encode(), msg_id=str(event.event_id)
        )
    _, headers = tokens.student()
    for _ in range(100):
        row = await payment.pool.fetchrow(
            "SELECT price_cents, revision FROM courses WHERE id = $1", created.course_id
        )
        done = await payment.pool.fetchval("SELECT count(*) FROM processed_events")
        if row is not None and row["revision"] == 3 and done >= 3:
            break
        await asyncio.sleep(0.05)
    r = await client.post("/payments", json={"course_id": str(created.course_id)}, headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["amount_cents"] == 2500
    events = await _outbox(payment)
    assert json.dumps(events[0]["course_title"]) == '"Final"'
