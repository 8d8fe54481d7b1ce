"""Routes for other services only: enrollment asks here whether a student paid when the
payment event has not reached it yet."""

from __future__ import annotations

import uuid
from typing import Any

from edu_common.db import DbConn
from edu_common.errors import error_responses
from fastapi import APIRouter

from payment.dependencies import InternalService
from payment.internal.schemas import CompletedPaymentStatus
from payment.payments import service

router = APIRouter(prefix="/internal", tags=["internal"])


@router.get(
    "/payments/completed",
    response_model=CompletedPaymentStatus,
    responses=error_responses(401, 403, 422),
    summary="Whether a student has a completed payment for a course (services only)",
    description="For other services, with a bearer token of role `service`; every user role "
    "(student, teacher, admin) gets a 403. Always a 200 for well-formed ids: `completed` is "
    "false and `payment_id` null when the student has not paid for the course (a 404 would "
    "be mistaken for a wrong URL).",
)
async def completed_payment(
    student_id: uuid.UUID, course_id: uuid.UUID, _: InternalService, conn: DbConn
) -> Any:
    payment_id = await service.completed_payment_id(conn, student_id, course_id)
    return {
        "student_id": student_id,
        "course_id": course_id,
        "completed": payment_id is not None,
        "payment_id": payment_id,
    }
