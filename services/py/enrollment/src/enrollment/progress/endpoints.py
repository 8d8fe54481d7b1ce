"""Progress routes: completing a lesson, and a course's progress."""

from __future__ import annotations

import uuid

from edu_common.auth import Student
from edu_common.db import DbConn, DbRead
from edu_common.errors import error_responses
from fastapi import APIRouter

from enrollment.progress import service
from enrollment.progress.schemas import CourseProgress

router = APIRouter(prefix="/progress", tags=["progress"])

_CURRENT_LESSONS = (
    "Progress counts the course's current lessons: a lesson the teacher adds later lowers "
    "`percent` (rounded down), a deleted one no longer counts (when it was the last one a "
    "student had left, their enrollment completes then). A completed enrollment stays "
    "`completed` with its first `completed_at` (the student finished the course as it was "
    "and was told so once); completing the new lessons brings `percent` back to 100."
)


@router.post(
    "/lessons/{lesson_id}/complete",
    response_model=CourseProgress,
    responses=error_responses(401, 403, 404, 422),
    summary="Mark a lesson complete",
    description="Repeating it is harmless. 403 `not_enrolled` when the caller is not enrolled "
    "in the lesson's course, 404 for a lesson in no known course (or since deleted). "
    "Completing the last lesson completes the enrollment (`completed_at` set, one "
    "`course_completed` notification). " + _CURRENT_LESSONS,
)
async def complete_lesson(lesson_id: uuid.UUID, student: Student, conn: DbConn) -> CourseProgress:
    return await service.complete_lesson(conn, student.user_id, lesson_id)


@router.get(
    "/courses/{course_id}",
    response_model=CourseProgress,
    responses=error_responses(401, 403, 404, 422),
    summary="The caller's progress in a course",
    description="403 `not_enrolled` when the caller is not enrolled, 404 for an unknown "
    "course. " + _CURRENT_LESSONS,
)
async def course_progress(course_id: uuid.UUID, student: Student, conn: DbRead) -> CourseProgress:
    return await service.course_progress(conn, student.user_id, course_id)
