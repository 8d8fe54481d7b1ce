"""Lessons students completed, and the enrollment they count toward."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg


@dataclass(frozen=True)
class EnrolledCourse:
    """A student's enrollment with the course's current lessons."""

    enrollment_id: uuid.UUID
    course_id: uuid.UUID
    student_id: uuid.UUID
    course_title: str
    status: str
    completed_at: datetime | None
    lesson_ids: list[uuid.UUID]


_SELECT = (
    "SELECT e.id AS enrollment_id, e.course_id, e.student_id,"
    " COALESCE(c.title, e.course_title) AS course_title, e.status, e.completed_at,"
    " COALESCE(c.lesson_ids, '{}'::uuid[]) AS lesson_ids"
    " FROM enrollments e LEFT JOIN courses c ON c.id = e.course_id"
)


def _enrolled(row: asyncpg.Record) -> EnrolledCourse:
    values = dict(row)
    values["lesson_ids"] = list(values["lesson_ids"])
    return EnrolledCourse(**values)


class ProgressRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def enrollment_with_lesson(
        self, student_id: uuid.UUID, lesson_id: uuid.UUID
    ) -> EnrolledCourse | None:
        """The student's enrollment whose course has this lesson now, locked for the update."""
        row = await self.conn.fetchrow(
            _SELECT + " WHERE e.student_id = $1 AND c.lesson_ids @> ARRAY[$2::uuid]"
            " ORDER BY e.created_at LIMIT 1 FOR UPDATE OF e",
            student_id,
            lesson_id,
        )
        return _enrolled(row) if row else None

    async def enrollment_in(
        self, student_id: uuid.UUID, course_id: uuid.UUID
    ) -> EnrolledCourse | None:
        row = await self.conn.fetchrow(
            _SELECT + " WHERE e.student_id = $1 AND e.course_id = $2", student_id, course_id
        )
        return _enrolled(row) if row else None

    async def finished_but_active(self, course_id: uuid.UUID) -> list[EnrolledCourse]:
        """Active enrollments in the course whose every current lesson is complete (after a
        lesson was deleted, say), locked for the update."""
        rows = await self.conn.fetch(
            _SELECT + " WHERE e.course_id = $1 AND e.status = 'active'"  # noqa: S608 - the select list is a module constant
            " AND cardinality(c.lesson_ids) > 0"
            " AND NOT EXISTS (SELECT 1 FROM unnest(c.lesson_ids) AS l(id)"
            "  WHERE NOT EXISTS (SELECT 1 FROM lesson_completions lc"
            "   WHERE lc.enrollment_id = e.id AND lc.lesson_id = l.id))"
            " ORDER BY e.id FOR UPDATE OF e",
            course_id,
        )
        return [_enrolled(r) for r in rows]

    async def mark_complete(self, enrollment_id: uuid.UUID, lesson_id: uuid.UUID) -> None:
        await self.conn.execute(
            "INSERT INTO lesson_completions (enrollment_id, lesson_id) VALUES ($1, $2)"
            " ON CONFLICT DO NOTHING",
            enrollment_id,
            lesson_id,
        )

    async def completed_lessons(self, enrollment_id: uuid.UUID) -> set[uuid.UUID]:
        rows = await self.conn.fetch(
            "SELECT lesson_id FROM lesson_completions WHERE enrollment_id = $1", enrollment_id
        )
        return {r["lesson_id"] for r in rows}

    async def complete_enrollment(self, enrollment_id: uuid.UUID) -> datetime | None:
        """Marks an active enrollment completed; None when it was completed already."""
        completed_at: datetime | None = await self.conn.fetchval(
            "UPDATE enrollments SET status = 'completed', completed_at = now()"
            " WHERE id = $1 AND status = 'active' RETURNING completed_at",
            enrollment_id,
        )
        return completed_at
