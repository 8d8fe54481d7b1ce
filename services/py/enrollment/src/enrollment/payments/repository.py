"""Completed payments, as payment events told us."""

from __future__ import annotations

import uuid

import asyncpg


class PaidCourseRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def record(
        self, student_id: uuid.UUID, course_id: uuid.UUID, payment_id: uuid.UUID
    ) -> None:
        await self.conn.execute(
            "INSERT INTO paid_courses (student_id, course_id, payment_id) VALUES ($1, $2, $3)"
            " ON CONFLICT DO NOTHING",
            student_id,
            course_id,
            payment_id,
        )

    async def has_paid(self, student_id: uuid.UUID, course_id: uuid.UUID) -> bool:
        found = await self.conn.fetchval(
            "SELECT true FROM paid_courses WHERE student_id = $1 AND course_id = $2",
            student_id,
            course_id,
        )
        return bool(found)
