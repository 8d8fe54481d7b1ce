"""Payment and enrollment together over the event bus: paying enrolls the student, once."""

from __future__ import annotations

import uuid
from typing import Any

from edu_common.events.contracts import EnrollmentCreated, Event, PaymentCompleted
from payment.app import MIGRATIONS as PAYMENT_MIGRATIONS
from payment.app import create_app as create_payment_app
from payment.settings import PaymentSettings


async def _publish(service: Any, event: Event, msg_id: str | None = None) -> None:
    await service.app.state.event_bus.publish(
        event.subject, event.model_dump_json().encode(), msg_id=msg_id or str(event.event_id)
    )


async def test_payment_enrolls_the_student_once(
    services: Any, enrollment: Any, tokens: Any, course_event: Any, eventually: Any
) -> None:
    payment = await services.start(
        "payment", create_payment_app, PaymentSettings, PAYMENT_MIGRATIONS
    )
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


async def test_client_enrolling_first_then_event_is_one_enrollment(
    enrollment: Any, tokens: Any, course_event: Any, eventually: Any
) -> None:
    course = course_event(price_cents=1000)
    await _publish(enrollment, course)
    student_id, headers = tokens.student()
    paid = PaymentCompleted(
        payment_id=uuid.uuid4(),
        course_id=course.course_id,
        student_id=student_id,
        amount_cents=1000,
        currency="USD",
        course_title=course.title,
    )
    await _publish(enrollment, paid)

    async def paid_known() -> bool:
        # The course too: its events reach enrollment through a consumer of their own.
        return bool(
            await enrollment.pool.fetchval(
                "SELECT true FROM paid_courses WHERE student_id = $1"
                " AND EXISTS (SELECT 1 FROM courses WHERE id = $2)",
                student_id,
                course.course_id,
            )
        )

    await eventually(paid_known)
    r = await enrollment.client.post(
        "/enrollments", json={"course_id": str(course.course_id)}, headers=headers
    )
    assert r.status_code == 409
    assert await enrollment.pool.fetchval("SELECT count(*) FROM enrollments") == 1
