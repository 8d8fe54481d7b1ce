"""Enrollments as stored, with progress counted against the course's current lessons."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from edu_common.pagination import PageRequest, newest_first, paginate

from enrollment.progress.percent import progress_percent

_COLUMNS = "id, course_id, student_id, status, created_at"
# Served by enrollments_by_student (student_id, created_at DESC, id DESC).
NEWEST_FIRST = newest_first("e.created_at", "e.id")


@dataclass(frozen=True)
class Enrollment:
    id: uuid.UUID
    course_id: uuid.UUID
    student_id: uuid.UUID
    status: str
    created_at: datetime


@dataclass(frozen=True)
class EnrollmentView:
    """An enrollment as its student sees it in a list."""

    id: uuid.UUID
    course_id: uuid.UUID
    course_title: str
    status: str
    completed_lessons: int
    total_lessons: int
    created_at: datetime
    completed_at: datetime | None

    @property
    def progress_percent(self) -> int:
        return progress_percent(self.completed_lessons, self.total_lessons, self.status)


class EnrollmentRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(
        self, student_id: uuid.UUID, course_id: uuid.UUID, course_title: str
    ) -> Enrollment | None:
        """Enrolls the student; None when already enrolled (a concurrent enrollment waits for
        the first to commit, then finds it)."""
        row = await self.conn.fetchrow(
            "INSERT INTO enrollments (id, student_id, course_id, course_title)"  # noqa: S608 - columns are constants; values are bound
            " VALUES ($1, $2, $3, $4) ON CONFLICT (student_id, course_id) DO NOTHING"
            f" RETURNING {_COLUMNS}",
            uuid.uuid4(),
            student_id,
            course_id,
            course_title,
        )
        return Enrollment(**dict(row)) if row else None

    async def count_for_course(self, course_id: uuid.UUID) -> int:
        count: int = await self.conn.fetchval(
            "SELECT count(*) FROM enrollments WHERE course_id = $1", course_id
        )
        return count

    async def of_student(
        self, student_id: uuid.UUID, page: PageRequest
    ) -> tuple[list[EnrollmentView], str | None]:
        """The student's enrollments with progress, newest first, and the next page's cursor."""
        rows, next_cursor = await paginate(
            self.conn,
            "SELECT e.id, e.course_id, COALESCE(c.title, e.course_title) AS course_title,"
            " e.status, e.created_at, e.completed_at,"
            " COALESCE(cardinality(c.lesson_ids), 0) AS total_lessons,"
            " (SELECT count(*) FROM lesson_completions lc WHERE lc.enrollment_id = e.id"
            "  AND lc.lesson_id = ANY(c.lesson_ids)) AS completed_lessons"
            " FROM enrollments e LEFT JOIN courses c ON c.id = e.course_id"
            " WHERE e.student_id = $1",
            [student_id],
            NEWEST_FIRST,
            page,
        )
        return [EnrollmentView(**dict(r)) for r in rows], next_cursor
