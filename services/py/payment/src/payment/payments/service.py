"""Payment rules: what a student may pay for, and what a completed payment announces."""

from __future__ import annotations

import uuid

import asyncpg
from edu_common.errors import AppError, not_found
from edu_common.events import enqueue
from edu_common.events.contracts import PaymentCompleted
from edu_common.pagination import CursorCodec, PageRequest
from edu_common.security.tokens import Principal

from payment.courses.repository import CourseRepository
from payment.payments.provider import PaymentProvider
from payment.payments.repository import Payment, PaymentRepository

MY_PAYMENTS = "my_payments"


async def pay_for_course(
    conn: asyncpg.Connection,
    provider: PaymentProvider,
    student_id: uuid.UUID,
    course_id: uuid.UUID,
) -> Payment:
    """Charges the course's price and records the completed payment with its event."""
    course = await CourseRepository(conn).get(course_id)
    if course is None or course.is_archived:
        raise not_found("course")
    if course.is_free:
        raise AppError(400, "course_is_free", "this course is free: enroll without paying")
    payments = PaymentRepository(conn)
    await payments.lock_purchase(student_id, course_id)
    if await payments.completed_for(student_id, course_id):
        raise AppError(409, "already_paid", "you have already paid for this course")
    payment_id = uuid.uuid4()
    charge = await provider.charge(
        payment_id=payment_id,
        student_id=student_id,
        amount_cents=course.price_cents,
        currency=course.currency,
    )
    if not charge.approved:
        raise AppError(402, "payment_declined", "the payment provider declined the charge")
    payment = await payments.add(
        payment_id, course.id, student_id, course.price_cents, course.currency, charge.reference
    )
    await enqueue(
        conn,
        PaymentCompleted(
            payment_id=payment.id,
            course_id=payment.course_id,
            student_id=payment.student_id,
            amount_cents=payment.amount_cents,
            currency=payment.currency,
            course_title=course.title,
        ),
    )
    return payment


async def completed_payment_id(
    conn: asyncpg.Connection, student_id: uuid.UUID, course_id: uuid.UUID
) -> uuid.UUID | None:
    """The student's completed payment for the course, for other services to check."""
    return await PaymentRepository(conn).completed_id(student_id, course_id)


async def get_payment(
    conn: asyncpg.Connection, caller: Principal, payment_id: uuid.UUID
) -> Payment:
    payment = await PaymentRepository(conn).get(payment_id)
    # Someone else's payment is a 404: its existence is not theirs to know.
    if payment is None or (payment.student_id != caller.user_id and not caller.is_admin):
        raise not_found("payment")
    return payment


async def my_payments(
    conn: asyncpg.Connection,
    cursors: CursorCodec,
    student_id: uuid.UUID,
    limit: int,
    cursor: str | None,
) -> tuple[list[Payment], str | None]:
    page = PageRequest.decode(cursors, MY_PAYMENTS, limit, cursor)
    return await PaymentRepository(conn).of_student(student_id, page)
