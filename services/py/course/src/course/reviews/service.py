"""Review rules: enrolled students only, one review per student and course."""

from __future__ import annotations

import uuid

import asyncpg
from edu_common.errors import AppError, forbidden
from edu_common.pagination import CursorCodec, PageRequest
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
    page = PageRequest.decode(cursors, f"reviews:{course_id}", limit, cursor)
    return await ReviewRepository(conn).newest(course_id, page)
