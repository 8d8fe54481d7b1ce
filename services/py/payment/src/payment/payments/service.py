"""Payment rules: what a student may pay for, and what a completed payment announces."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

import asyncpg
from edu_common.errors import AppError, not_found
from edu_common.events import enqueue
from edu_common.events.contracts import PaymentCompleted
from edu_common.pagination import CursorCodec, PageRequest
from edu_common.security.tokens import Principal

from payment.courses.repository import COURSES
from payment.payments.provider import Charge
from payment.payments.repository import (
    Payment,
    PaymentRepository,
    PendingPayment,
    PendingPaymentRepository,
)

MY_PAYMENTS = "my_payments"


class PaymentDeclinedError(AppError):
    def __init__(self) -> None:
        super().__init__(402, "payment_declined", "the payment provider declined the charge")


class PaymentPendingError(AppError):
    """The outcome of this student's payment for the course is not known yet."""

    def __init__(self, retry_after_seconds: float) -> None:
        super().__init__(
            503,
            "payment_pending",
            "a payment for this course is still being processed; try again shortly (it will "
            "not be charged twice)",
            headers={"Retry-After": str(max(1, math.ceil(retry_after_seconds)))},
        )


@dataclass(frozen=True)
class PaymentInFlight:
    """Another request is charging this student for the course; its lease runs out in
    `lease_left` seconds."""

    lease_left: float


async def lock_purchase(
    conn: asyncpg.Connection, student_id: uuid.UUID, course_id: uuid.UUID
) -> None:
    """Serializes the steps of purchases of one course by one student (each transaction's)."""
    await PaymentRepository(conn).lock_purchase(student_id, course_id)


async def start_payment(
    conn: asyncpg.Connection, student_id: uuid.UUID, course_id: uuid.UUID, lease_seconds: float
) -> PendingPayment | PaymentInFlight:
    """With the purchase locked: the pending payment this request is to charge, new or one
    whose lease ran out (then the same payment id and amount); or the one in flight."""
    course = await COURSES.get(conn, course_id)
    if course is None or course.is_archived:
        raise not_found("course")
    if course.is_free:
        raise AppError(400, "course_is_free", "this course is free: enroll without paying")
    if await PaymentRepository(conn).completed_for(student_id, course_id):
        raise AppError(409, "already_paid", "you have already paid for this course")
    pending = PendingPaymentRepository(conn)
    started = await pending.start(
        student_id, course.id, course.price_cents, course.currency, course.title, lease_seconds
    )
    if started is not None:
        return started
    resumed = await pending.take_over(student_id, course.id, lease_seconds)
    if resumed is not None:
        return resumed
    return PaymentInFlight(await pending.lease_left(student_id, course.id) or 0.0)


async def finish_payment(
    conn: asyncpg.Connection, pending: PendingPayment, charge: Charge
) -> Payment | None:
    """With the purchase locked: the provider's answer. Approved, the payment is completed
    with its event (once, if two requests finish it); declined (None), it is gone, and the
    student may try again."""
    await PendingPaymentRepository(conn).remove(pending.id)
    if not charge.approved:
        return None
    payment, first = await PaymentRepository(conn).complete(pending, charge.reference)
    if first:
        await enqueue(
            conn,
            PaymentCompleted(
                payment_id=payment.id,
                course_id=payment.course_id,
                student_id=payment.student_id,
                amount_cents=payment.amount_cents,
                currency=payment.currency,
                course_title=pending.course_title,
            ),
        )
    return payment


async def leave_pending(conn: asyncpg.Connection, pending: PendingPayment) -> None:
    """The provider gave no answer: the next try resumes the payment without waiting."""
    await PendingPaymentRepository(conn).end_lease(pending.id)


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
