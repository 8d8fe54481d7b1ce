"""Progress rules: lessons count toward the course's current lessons; finishing them all
completes the enrollment, once."""

from __future__ import annotations

import uuid

import asyncpg
from edu_common.errors import AppError, not_found
from edu_common.events import enqueue
from edu_common.events.contracts import EnrollmentCompleted

from enrollment.courses.repository import COURSES
from enrollment.progress.percent import progress_percent
from enrollment.progress.repository import EnrolledCourse, ProgressRepository
from enrollment.progress.schemas import CourseProgress


def not_enrolled() -> AppError:
    return AppError(403, "not_enrolled", "you are not enrolled in this course")


def _progress(enrolled: EnrolledCourse, done: set[uuid.UUID], status: str) -> CourseProgress:
    # Lessons removed from the course no longer count; order follows the course.
    completed = [lesson for lesson in enrolled.lesson_ids if lesson in done]
    total = len(enrolled.lesson_ids)
    return CourseProgress(
        course_id=enrolled.course_id,
        completed_lessons=len(completed),
        total_lessons=total,
        percent=progress_percent(len(completed), total, status),
        completed_lesson_ids=completed,
        status=status,
    )


async def complete_lesson(
    conn: asyncpg.Connection, student_id: uuid.UUID, lesson_id: uuid.UUID
) -> CourseProgress:
    """Records a completed lesson; harmless to repeat."""
    progress = ProgressRepository(conn)
    enrolled = await progress.enrollment_with_lesson(student_id, lesson_id)
    if enrolled is None:
        if not await COURSES.with_lesson(conn, lesson_id):
            raise not_found("lesson")
        raise not_enrolled()
    await progress.mark_complete(enrolled.enrollment_id, lesson_id)
    done = await progress.completed_lessons(enrolled.enrollment_id)
    status = enrolled.status
    if status == "active" and set(enrolled.lesson_ids) <= done and await _complete(conn, enrolled):
        status = "completed"
    return _progress(enrolled, done, status)


async def _complete(conn: asyncpg.Connection, enrolled: EnrolledCourse) -> bool:
    """Completes and announces a locked enrollment; False when it was completed already, so
    only one request or event completes it and announces it."""
    completed_at = await ProgressRepository(conn).complete_enrollment(enrolled.enrollment_id)
    if completed_at is None:
        return False
    await enqueue(
        conn,
        EnrollmentCompleted(
            enrollment_id=enrolled.enrollment_id,
            course_id=enrolled.course_id,
            student_id=enrolled.student_id,
            course_title=enrolled.course_title,
            completed_at=completed_at,
        ),
    )
    return True


async def complete_finished_enrollments(conn: asyncpg.Connection, course_id: uuid.UUID) -> int:
    """After the course's lessons changed: students who have now completed every remaining
    lesson (the one they had left was deleted) complete the course. Returns how many."""
    completed = 0
    for enrolled in await ProgressRepository(conn).finished_but_active(course_id):
        completed += await _complete(conn, enrolled)
    return completed


async def course_progress(
    conn: asyncpg.Connection, student_id: uuid.UUID, course_id: uuid.UUID
) -> CourseProgress:
    progress = ProgressRepository(conn)
    enrolled = await progress.enrollment_in(student_id, course_id)
    if enrolled is None:
        if await COURSES.get(conn, course_id) is None:
            raise not_found("course")
        raise not_enrolled()
    done = await progress.completed_lessons(enrolled.enrollment_id)
    return _progress(enrolled, done, enrolled.status)
