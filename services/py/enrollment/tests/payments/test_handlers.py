"""Payment events reaching enrollment: a payment known before the student enrolls."""

from __future__ import annotations

import uuid
from typing import Any

from edu_common.events.contracts import Event, PaymentCompleted


async def _publish(service: Any, event: Event, msg_id: str | None = None) -> None:
    await service.app.state.event_bus.publish(
        event.subject, event.model_dump_json().encode(), msg_id=msg_id or str(event.event_id)
    )


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
