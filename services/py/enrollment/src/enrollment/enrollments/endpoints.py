"""Enrollment routes: joining a course, one's enrollments, and a course's head count."""

from __future__ import annotations

import uuid
from typing import Any

from edu_common.auth import Student
from edu_common.db import DbRead
from edu_common.errors import error_responses
from edu_common.idempotency import Idempotency, Idempotent
from edu_common.pagination import Cursor, Cursors, Limit
from edu_common.transactions import DbTransactions, Transactions
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from enrollment.dependencies import PaymentClient
from enrollment.enrollments import service
from enrollment.enrollments.schemas import (
    EnrollmentCount,
    EnrollmentIn,
    EnrollmentOut,
    MyEnrollment,
    MyEnrollmentPage,
)

router = APIRouter(tags=["enrollments"])


@router.post(
    "/enrollments",
    status_code=201,
    response_model=EnrollmentOut,
    responses=error_responses(401, 402, 403, 404, 409, 422, 503),
    summary="Enroll in a course",
    description="Free courses at once; paid ones only with a completed payment by the caller "
    "for this course, else 402 `payment_required`. Payments are known from payment events; "
    "when the caller's has not arrived yet, the payment service is asked directly, so a "
    "student who just paid is enrolled (201). If the payment service cannot answer in time, "
    "the answer is 503 `payment_status_unavailable` with `Retry-After`, not a 402: the caller "
    "may have paid and must not be told to pay again; a completed payment enrolls the "
    "student by itself once its event arrives. 409 `already_enrolled` for a second "
    "enrollment, 404 for an unknown course. With an `Idempotency-Key`, a repeat with the "
    "same body replays the first 201; a different body is a 409 `idempotency_key_reused`.",
)
async def enroll(
    body: EnrollmentIn,
    student: Student,
    transactions: DbTransactions,
    payments: PaymentClient,
    idempotency: Idempotent,
) -> Any:
    try:
        return await _enroll(transactions, student.user_id, body, idempotency)
    except service.PaymentRequiredError:
        if not payments.enabled:
            raise
    # Asked with no transaction open: a slow payment service holds no connection or lock.
    payment_id = await payments.completed_payment(student.user_id, body.course_id)
    if payment_id is None:
        raise service.PaymentRequiredError
    return await _enroll(transactions, student.user_id, body, idempotency, payment_id)


async def _enroll(
    transactions: Transactions,
    student_id: uuid.UUID,
    body: EnrollmentIn,
    idempotency: Idempotency,
    confirmed_payment_id: uuid.UUID | None = None,
) -> JSONResponse:
    """One transaction: claim the key (or replay), enroll, store the response."""
    async with transactions.begin() as conn:
        replay = await idempotency.claim(conn, body)
        if replay is not None:
            return replay
        enrollment = await service.enroll_student(
            conn, student_id, body.course_id, confirmed_payment_id
        )
        out = EnrollmentOut.model_validate(enrollment, from_attributes=True).model_dump(mode="json")
        return await idempotency.respond(conn, out, 201)


@router.get(
    "/enrollments/me",
    response_model=MyEnrollmentPage,
    responses=error_responses(400, 401, 403, 422),
    summary="The caller's enrollments with progress, newest first",
)
async def my_enrollments(
    student: Student, conn: DbRead, cursors: Cursors, limit: Limit = 20, cursor: Cursor = None
) -> Any:
    views, next_cursor = await service.my_enrollments(conn, cursors, student.user_id, limit, cursor)
    items = [MyEnrollment.model_validate(v, from_attributes=True) for v in views]
    return {"items": items, "next_cursor": next_cursor}


@router.get(
    "/enrollments/course/{course_id}/count",
    response_model=EnrollmentCount,
    responses=error_responses(422),
    summary="How many students are enrolled in a course (active and completed)",
)
async def enrollment_count(course_id: uuid.UUID, conn: DbRead) -> Any:
    return {"course_id": course_id, "count": await service.enrollment_count(conn, course_id)}
