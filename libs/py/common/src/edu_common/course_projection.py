"""The course projection: what a service keeps from course events, in its own `courses` table.

Every projection keeps a course's id, title, price, currency, status and revision; a service
may keep more of the snapshot (`lesson_ids`, `teacher_id`) when its queries need it. A snapshot
is applied only when it is newer than the revision held, so events arriving out of order or
twice leave the newest one in place.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import asyncpg

from edu_common.events.consumer import Handler
from edu_common.events.contracts import (
    CourseArchived,
    CourseCreated,
    CourseSnapshot,
    CourseUpdated,
    Event,
    LessonCreated,
    LessonDeleted,
)

CourseField = Literal["lesson_ids", "teacher_id"]

COURSE_SNAPSHOTS: tuple[type[CourseSnapshot], ...] = (
    CourseCreated,
    CourseUpdated,
    CourseArchived,
    LessonCreated,
    LessonDeleted,
)

_KEPT = ("title", "price_cents", "currency", "status")
_OPTIONAL: tuple[CourseField, ...] = ("lesson_ids", "teacher_id")


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


class CourseProjection:
    """One service's course table. `extra` names the snapshot fields it keeps beyond the
    ones every projection keeps; each is a column of the same name."""

    def __init__(self, *extra: CourseField, table: str = "courses") -> None:
        unknown = set(extra) - set(_OPTIONAL)
        if unknown:
            raise ValueError(f"not a course snapshot field: {sorted(unknown)}")
        if not table.isidentifier():
            raise ValueError(f"not a table name: {table!r}")
        self.table = table
        self.fields: tuple[str, ...] = _KEPT + tuple(f for f in _OPTIONAL if f in extra)
        columns = ("id", *self.fields, "revision")
        placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*self.fields, "revision"))
        self._upsert = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608 - table checked as an identifier, columns are constants
            f" ON CONFLICT (id) DO UPDATE SET {updates}, updated_at = now()"
            f" WHERE {table}.revision < EXCLUDED.revision"
        )
        self._select = f"SELECT id, {', '.join(_KEPT)} FROM {table}"  # noqa: S608 - table checked as an identifier, columns are constants

    @property
    def keeps_lessons(self) -> bool:
        return "lesson_ids" in self.fields

    async def apply(self, conn: asyncpg.Connection, snapshot: CourseSnapshot) -> bool:
        """Stores the snapshot unless the same or a newer revision is already held. Returns
        whether it was stored."""
        values: list[Any] = [getattr(snapshot, field) for field in self.fields]
        status: str = await conn.execute(
            self._upsert, snapshot.course_id, *values, snapshot.revision
        )
        return status.endswith(" 1")

    async def get(self, conn: asyncpg.Connection, course_id: uuid.UUID) -> Course | None:
        row = await conn.fetchrow(self._select + " WHERE id = $1", course_id)
        return Course(**dict(row)) if row else None

    async def with_lesson(self, conn: asyncpg.Connection, lesson_id: uuid.UUID) -> list[Course]:
        """The courses that have this lesson now (only for a projection that keeps them)."""
        if not self.keeps_lessons:
            raise TypeError("this projection does not keep lesson_ids")
        rows = await conn.fetch(
            self._select + " WHERE lesson_ids @> ARRAY[$1::uuid] ORDER BY id", lesson_id
        )
        return [Course(**dict(r)) for r in rows]

    def handlers(
        self,
        then: Callable[[asyncpg.Connection, CourseSnapshot], Awaitable[None]] | None = None,
    ) -> Mapping[type[Event], Handler]:
        """Consumer handlers that apply every course snapshot event, then run `then` (in the
        same transaction) for what the service derives from the course."""

        async def apply_snapshot(conn: asyncpg.Connection, event: CourseSnapshot) -> None:
            await self.apply(conn, event)
            if then is not None:
                await then(conn, event)

        return dict.fromkeys(COURSE_SNAPSHOTS, apply_snapshot)
