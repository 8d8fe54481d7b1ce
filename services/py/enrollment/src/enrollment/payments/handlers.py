"""A completed payment opens the course to the student, who is enrolled at once."""

from __future__ import annotations

from collections.abc import Mapping

import asyncpg
from edu_common.events.consumer import Handler
from edu_common.events.contracts import Event, PaymentCompleted

from enrollment.enrollments.service import enroll_after_payment
from enrollment.payments.repository import PaidCourseRepository


async def payment_completed(conn: asyncpg.Connection, event: PaymentCompleted) -> None:
    await PaidCourseRepository(conn).record(event.student_id, event.course_id, event.payment_id)
    await enroll_after_payment(conn, event.student_id, event.course_id, event.course_title)


HANDLERS: Mapping[type[Event], Handler] = {PaymentCompleted: payment_completed}
