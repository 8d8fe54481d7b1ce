"""Enrollment routes: joining a course, one's enrollments, and a course's head count."""

from __future__ import annotations

import uuid
from typing import Any

from edu_common.auth import Student
from edu_common.db import DbConn
from edu_common.errors import error_responses
from edu_common.pagination import Cursor, Limit
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from enrollment.dependencies import Cursors
from enrollment.enrollments import service
from enrollment.enrollments.schemas import (
    EnrollmentCount,
    EnrollmentIn,
    EnrollmentOut,
    MyEnrollment,
    MyEnrollmentPage,
)
from enrollment.idempotency import IdempotencyKey, IdempotencyRepository, request_hash

router = APIRouter(tags=["enrollments"])


@router.post(
    "/enrollments",
    status_code=201,
    response_model=EnrollmentOut,
    responses=error_responses(401, 402, 403, 404, 409, 422),
    summary="Enroll in a course",
    description="Free courses at once; paid ones only after a completed payment by the caller "
    "(else 402 `payment_required`). 409 `already_enrolled` for a second enrollment, 404 for an "
    "unknown course. With an `Idempotency-Key`, a repeat with the same body replays the first "
    "201; a different body is a 409 `idempotency_key_reused`.",
)
async def enroll(
    body: EnrollmentIn, student: Student, conn: DbConn, idempotency_key: IdempotencyKey = None
) -> Any:
    keys = IdempotencyRepository(conn)
    scope = f"POST /enrollments:{student.user_id}"
    if idempotency_key is not None:
        stored = await keys.claim(scope, idempotency_key, request_hash(body))
        if stored is not None:
            return JSONResponse(stored.body, status_code=stored.status)
    enrollment = await service.enroll_student(conn, student.user_id, body.course_id)
    out = EnrollmentOut.model_validate(enrollment, from_attributes=True).model_dump(mode="json")
    if idempotency_key is not None:
        await keys.store(scope, idempotency_key, 201, out)
    return JSONResponse(out, status_code=201)


@router.get(
    "/enrollments/me",
    response_model=MyEnrollmentPage,
    responses=error_responses(400, 401, 403, 422),
    summary="The caller's enrollments with progress, newest first",
)
async def my_enrollments(
    student: Student, conn: DbConn, cursors: Cursors, limit: Limit = 20, cursor: Cursor = None
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
async def enrollment_count(course_id: uuid.UUID, conn: DbConn) -> Any:
    return {"course_id": course_id, "count": await service.enrollment_count(conn, course_id)}
