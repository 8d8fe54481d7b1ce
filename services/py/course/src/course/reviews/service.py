"""Review rules: enrolled students only, one review per student and course."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
from edu_common.errors import AppError, forbidden
from edu_common.pagination import CursorCodec, invalid_cursor
from edu_common.security.tokens import Principal

from course.catalog.service import get_course
from course.enrollments.repository import EnrollmentRepository
from course.reviews.repository import Review, ReviewRepository
from course.reviews.schemas import ReviewCreate


async def add_review(conn: asyncpg.Connection, student: Principal, body: ReviewCreate) -> Review:
    await get_course(conn, body.course_id, student)
    if not await EnrollmentRepository(conn).is_enrolled(body.course_id, student.user_id):
        raise forbidden("only students enrolled in the course can review it", "not_enrolled")
    reviews = ReviewRepository(conn)
    review = await reviews.add(
        body.course_id, student.user_id, student.name or "", body.rating, body.comment
    )
    if review is None:
        raise AppError(409, "already_reviewed", "you have already reviewed this course")
    await reviews.count_rating(body.course_id, body.rating)
    return review


async def course_reviews(
    conn: asyncpg.Connection,
    cursors: CursorCodec,
    user: Principal | None,
    course_id: uuid.UUID,
    limit: int,
    cursor: str | None,
) -> tuple[list[Review], str | None]:
    await get_course(conn, course_id, user)
    kind = f"reviews:{course_id}"
    after: tuple[datetime, uuid.UUID] | None = None
    if cursor is not None:
        values = cursors.decode(kind, cursor)
        try:
            created_at, review_id = values
            after = (datetime.fromisoformat(str(created_at)), uuid.UUID(str(review_id)))
        except (ValueError, TypeError):
            raise invalid_cursor() from None
    rows = await ReviewRepository(conn).newest(course_id, limit + 1, after)
    page, more = rows[:limit], len(rows) > limit
    next_cursor = None
    if more:
        last = page[-1]
        next_cursor = cursors.encode(kind, [last.created_at.isoformat(), last.id])
    return page, next_cursor
