"""Enrollment rules: who may join a course, and what joining announces."""

from __future__ import annotations

import uuid

import asyncpg
from edu_common.errors import AppError, not_found
from edu_common.events import enqueue
from edu_common.events.contracts import EnrollmentCreated
from edu_common.pagination import CursorCodec, PageRequest

from enrollment.courses.repository import COURSES
from enrollment.enrollments.repository import Enrollment, EnrollmentRepository, EnrollmentView
from enrollment.payments.repository import PaidCourseRepository

MY_ENROLLMENTS = "my_enrollments"


async def _announce(conn: asyncpg.Connection, enrollment: Enrollment, course_title: str) -> None:
    await enqueue(
        conn,
        EnrollmentCreated(
            enrollment_id=enrollment.id,
            course_id=enrollment.course_id,
            student_id=enrollment.student_id,
            course_title=course_title,
        ),
    )


class PaymentRequiredError(AppError):
    """No completed payment of this student for this course is known here."""

    def __init__(self) -> None:
        super().__init__(402, "payment_required", "pay for this course before enrolling")


async def enroll_student(
    conn: asyncpg.Connection,
    student_id: uuid.UUID,
    course_id: uuid.UUID,
    confirmed_payment_id: uuid.UUID | None = None,
) -> Enrollment:
    """Enrolls a student who asked: free courses at once, paid ones after a payment.

    The payment is known from payment events, or `confirmed_payment_id` is one the payment
    service confirmed for this student and course before its event arrived (it is then
    recorded, as the event will record it again)."""
    course = await COURSES.get(conn, course_id)
    if course is None or course.is_archived:
        raise not_found("course")
    if not course.is_free:
        paid = PaidCourseRepository(conn)
        if not await paid.has_paid(student_id, course_id):
            if confirmed_payment_id is None:
                raise PaymentRequiredError
            await paid.record(student_id, course_id, confirmed_payment_id)
    enrollment = await EnrollmentRepository(conn).add(student_id, course_id, course.title)
    if enrollment is None:
        raise AppError(409, "already_enrolled", "you are already enrolled in this course")
    await _announce(conn, enrollment, course.title)
    return enrollment


async def enroll_after_payment(
    conn: asyncpg.Connection, student_id: uuid.UUID, course_id: uuid.UUID, course_title: str
) -> None:
    """Enrolls a student who paid; nothing happens when they are enrolled already."""
    enrollment = await EnrollmentRepository(conn).add(student_id, course_id, course_title)
    if enrollment is not None:
        await _announce(conn, enrollment, course_title)


async def enrollment_count(conn: asyncpg.Connection, course_id: uuid.UUID) -> int:
    return await EnrollmentRepository(conn).count_for_course(course_id)


async def my_enrollments(
    conn: asyncpg.Connection,
    cursors: CursorCodec,
    student_id: uuid.UUID,
    limit: int,
    cursor: str | None,
) -> tuple[list[EnrollmentView], str | None]:
    page = PageRequest.decode(cursors, MY_ENROLLMENTS, limit, cursor)
    return await EnrollmentRepository(conn).of_student(student_id, page)
