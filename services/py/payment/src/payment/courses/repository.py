"""The course projection: what payment keeps from course events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg
from edu_common.events.contracts import CourseSnapshot


@dataclass(frozen=True)
class Course:
    id: uuid.UUID
    title: str
    price_cents: int
    currency: str
    status: str

    @property
    def is_free(self) -> bool:
        return self.price_cents == 0

    @property
    def is_archived(self) -> bool:
        return self.status == "archived"


class CourseRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def apply(self, snapshot: CourseSnapshot) -> None:
        """Stores the snapshot unless a newer revision is already held."""
        await self.conn.execute(
            "INSERT INTO courses (id, title, price_cents, currency, status, revision)"
            " VALUES ($1, $2, $3, $4, $5, $6)"
            " ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title,"
            " price_cents = EXCLUDED.price_cents, currency = EXCLUDED.currency,"
            " status = EXCLUDED.status, revision = EXCLUDED.revision, updated_at = now()"
            " WHERE courses.revision < EXCLUDED.revision",
            snapshot.course_id,
            snapshot.title,
            snapshot.price_cents,
            snapshot.currency,
            snapshot.status,
            snapshot.revision,
        )

    async def get(self, course_id: uuid.UUID) -> Course | None:
        row = await self.conn.fetchrow(
            "SELECT id, title, price_cents, currency, status FROM courses WHERE id = $1",
            course_id,
        )
        return Course(**dict(row)) if row else None
