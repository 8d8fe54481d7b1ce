"""Payment and enrollment together over the event bus: paying enrolls the student, once."""

from __future__ import annotations

import uuid
from typing import Any

from edu_common.events.contracts import EnrollmentCreated, Event, PaymentCompleted


async def _publish(service: Any, event: Event, msg_id: str | None = None) -> None:
    await service.app.state.event_bus.publish(
        event.subject, event.model_dump_json().encode(), msg_id=msg_id or str(event.event_id)
    )


async def test_payment_enrolls_the_student_once(
    enrollment: Any, payment: Any, tokens: Any, course_event: Any, eventually: Any
) -> None:
    course = course_event(price_cents=2900, title="Web Scraping")
    await _publish(enrollment, course)

    async def known_to_both() -> bool:
        query = "SELECT true FROM courses WHERE id = $1"
        return bool(
            await payment.pool.fetchval(query, course.course_id)
            and await enrollment.pool.fetchval(query, course.course_id)
        )

    await eventually(known_to_both)
    student_id, headers = tokens.student()
    payload = {"course_id": str(course.course_id)}
    r = await enrollment.client.post("/enrollments", json=payload, headers=headers)
    assert r.status_code == 402

    r = await payment.client.post("/payments", json=payload, headers=headers)
    assert r.status_code == 201, r.text

    async def enrolled() -> bool:
        r = await enrollment.client.get("/enrollments/me", headers=headers)
        return len(r.json()["items"]) == 1

    await eventually(enrolled)
    [item] = (await enrollment.client.get("/enrollments/me", headers=headers)).json()["items"]
    assert item["course_title"] == "Web Scraping"
    assert item["status"] == "active"
    r = await enrollment.client.post("/enrollments", json=payload, headers=headers)
    assert r.status_code == 409
    assert r.json()["code"] == "already_enrolled"

    # The same event redelivered, and another payment event for the same course: no effect.
    row = await payment.pool.fetchrow(
        "SELECT payload FROM outbox WHERE subject = $1", PaymentCompleted.subject
    )
    sent = PaymentCompleted.model_validate(row["payload"])
    await _publish(payment, sent, msg_id=str(uuid.uuid4()))
    again = sent.model_copy(update={"event_id": uuid.uuid4(), "payment_id": uuid.uuid4()})
    await _publish(payment, again)

    async def both_handled() -> bool:
        count = await enrollment.pool.fetchval(
            "SELECT count(*) FROM processed_events WHERE consumer = 'enrollment-payments'"
        )
        return bool(count == 2)

    await eventually(both_handled)
    assert await enrollment.pool.fetchval("SELECT count(*) FROM enrollments") == 1
    created = await enrollment.pool.fetch(
        "SELECT payload FROM outbox WHERE subject = $1", EnrollmentCreated.subject
    )
    assert [r["payload"]["student_id"] for r in created] == [str(student_id)]
    r = await enrollment.client.get(f"/enrollments/course/{course.course_id}/count")
    assert r.json()["count"] == 1
