"""Review routes."""

from __future__ import annotations

import uuid
from typing import Any

from edu_common.auth import OptionalUser, Student
from edu_common.db import DbConn
from edu_common.errors import error_responses
from edu_common.pagination import Cursor, Cursors, Limit
from fastapi import APIRouter

from course.dependencies import CacheDep
from course.reviews import service
from course.reviews.schemas import ReviewCreate, ReviewOut, ReviewPage

router = APIRouter(tags=["reviews"])


@router.post(
    "/reviews",
    status_code=201,
    response_model=ReviewOut,
    responses=error_responses(400, 401, 403, 404, 409, 422),
    summary="Review a course (enrolled students, once per course)",
    description="403 `not_enrolled` for a student not enrolled; 409 `already_reviewed` for a "
    "second review. Updates the course's `avg_rating` and `review_count`.",
)
async def add_review(body: ReviewCreate, student: Student, caches: CacheDep, conn: DbConn) -> Any:
    review = await service.add_review(conn, student, body)
    caches.drop_after_commit(conn, body.course_id)
    return ReviewOut.model_validate(review, from_attributes=True)


@router.get(
    "/reviews/course/{course_id}",
    response_model=ReviewPage,
    responses=error_responses(400, 401, 404, 422),
    summary="A course's reviews, newest first",
    description="A draft's are 404 to anyone but the course's teacher and admins.",
)
async def course_reviews(
    course_id: uuid.UUID,
    user: OptionalUser,
    conn: DbConn,
    cursors: Cursors,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Any:
    reviews, next_cursor = await service.course_reviews(
        conn, cursors, user, course_id, limit, cursor
    )
    items = [ReviewOut.model_validate(r, from_attributes=True) for r in reviews]
    return ReviewPage(items=items, next_cursor=next_cursor)
