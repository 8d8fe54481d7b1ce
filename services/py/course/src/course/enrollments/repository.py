"""SQL for the enrollment projection and the course's enrollment count."""

from __future__ import annotations

import uuid

import asyncpg


class EnrollmentRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(
        self, course_id: uuid.UUID, student_id: uuid.UUID, enrollment_id: uuid.UUID, status: str
    ) -> bool:
        """Records the student in the course; False when they were already recorded (a
        concurrent insert of the same pair waits for the other and then finds it)."""
        added = await self.conn.fetchval(
            "INSERT INTO enrollments (course_id, student_id, enrollment_id, status)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (course_id, student_id) DO NOTHING"
            " RETURNING true",
            course_id,
            student_id,
            enrollment_id,
            status,
        )
        return bool(added)

    async def complete(self, course_id: uuid.UUID, student_id: uuid.UUID) -> None:
        await self.conn.execute(
            "UPDATE enrollments SET status = 'completed', updated_at = now()"
            " WHERE course_id = $1 AND student_id = $2",
            course_id,
            student_id,
        )

    async def count_enrollment(self, course_id: uuid.UUID) -> None:
        # A course deleted meanwhile has no row to count on; the projection row stays.
        await self.conn.execute(
            "UPDATE courses SET enrollment_count = enrollment_count + 1 WHERE id = $1",
            course_id,
        )

    async def is_enrolled(self, course_id: uuid.UUID, student_id: uuid.UUID) -> bool:
        """Active or completed: both keep the student's access."""
        found: bool = await self.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM enrollments WHERE course_id = $1 AND student_id = $2)",
            course_id,
            student_id,
        )
        return found
