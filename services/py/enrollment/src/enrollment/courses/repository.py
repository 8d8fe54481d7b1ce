"""The course projection: what enrollment keeps from course events."""

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
    lesson_ids: list[uuid.UUID]

    @property
    def is_free(self) -> bool:
        return self.price_cents == 0

    @property
    def is_archived(self) -> bool:
        return self.status == "archived"


_COLUMNS = "id, title, price_cents, currency, status, lesson_ids"


class CourseRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def apply(self, snapshot: CourseSnapshot) -> None:
        """Stores the snapshot unless a newer revision is already held."""
        await self.conn.execute(
            "INSERT INTO courses (id, title, price_cents, currency, status, lesson_ids, revision)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title,"
            " price_cents = EXCLUDED.price_cents, currency = EXCLUDED.currency,"
            " status = EXCLUDED.status, lesson_ids = EXCLUDED.lesson_ids,"
            " revision = EXCLUDED.revision, updated_at = now()"
            " WHERE courses.revision < EXCLUDED.revision",
            snapshot.course_id,
            snapshot.title,
            snapshot.price_cents,
            snapshot.currency,
            snapshot.status,
            snapshot.lesson_ids,
            snapshot.revision,
        )

    async def get(self, course_id: uuid.UUID) -> Course | None:
        row = await self.conn.fetchrow(f"SELECT {_COLUMNS} FROM courses WHERE id = $1", course_id)
        return _course(row) if row else None

    async def with_lesson(self, lesson_id: uuid.UUID) -> list[Course]:
        rows = await self.conn.fetch(
            f"SELECT {_COLUMNS} FROM courses WHERE lesson_ids @> ARRAY[$1::uuid]", lesson_id
        )
        return [_course(r) for r in rows]


def _course(row: asyncpg.Record) -> Course:
    values = dict(row)
    values["lesson_ids"] = list(values["lesson_ids"])
    return Course(**values)
