"""SQL for courses and categories."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import asyncpg
from edu_common.pagination import PageRequest, newest_first, paginate

COURSE_COLUMNS = (
    "id, teacher_id, teacher_name, title, description, level, price_cents, currency,"
    " category_id, duration_minutes, status, avg_rating::float8 AS avg_rating, review_count,"
    " enrollment_count, revision, created_at, updated_at"
)
NEWEST = newest_first()
_EDITABLE = {
    "title",
    "description",
    "level",
    "price_cents",
    "currency",
    "category_id",
    "duration_minutes",
}


@dataclass(frozen=True)
class Course:
    id: uuid.UUID
    teacher_id: uuid.UUID
    teacher_name: str
    title: str
    description: str
    level: str
    price_cents: int
    currency: str
    category_id: uuid.UUID | None
    duration_minutes: int
    status: str
    avg_rating: float | None
    review_count: int
    enrollment_count: int
    revision: int
    created_at: datetime
    updated_at: datetime

    @property
    def is_free(self) -> bool:
        return self.price_cents == 0

    @property
    def is_archived(self) -> bool:
        return self.status == "archived"

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


_COURSE_FIELDS = tuple(f.name for f in fields(Course))


def course_from_row(row: asyncpg.Record) -> Course:
    """A course from a row selected with COURSE_COLUMNS (other columns are left out)."""
    return Course(**{name: row[name] for name in _COURSE_FIELDS})


@dataclass(frozen=True)
class Category:
    id: uuid.UUID
    slug: str
    name: str
    course_count: int


# A course's lessons as a student reads them, over `lessons l JOIN modules m`.
LESSON_READING_ORDER = "m.position, l.position"


@dataclass(frozen=True)
class CatalogFilter:
    q: str | None = None
    category_id: uuid.UUID | None = None
    level: str | None = None
    is_free: bool | None = None
    teacher_id: uuid.UUID | None = None


class CourseRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def get(self, course_id: uuid.UUID, *, for_update: bool = False) -> Course | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(
            f"SELECT {COURSE_COLUMNS} FROM courses WHERE id = $1{lock}",  # noqa: S608 - text from constants; values are bound
            course_id,
        )
        return None if row is None else course_from_row(row)

    async def create(self, values: dict[str, Any]) -> Course:
        columns = list(values)
        placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
        row = await self.conn.fetchrow(
            f"INSERT INTO courses ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608 - columns are the model's field names
            f" RETURNING {COURSE_COLUMNS}",
            *values.values(),
        )
        return course_from_row(row)

    async def update(self, course_id: uuid.UUID, changes: dict[str, Any]) -> Course:
        """Applies the changes (editable columns only) and bumps the revision."""
        sets = ["revision = revision + 1", "updated_at = now()"]
        args: list[Any] = [course_id]
        for column, value in changes.items():
            if column in _EDITABLE:
                args.append(value)
                sets.append(f"{column} = ${len(args)}")
        row = await self.conn.fetchrow(
            f"UPDATE courses SET {', '.join(sets)} WHERE id = $1 RETURNING {COURSE_COLUMNS}",  # noqa: S608 - only columns in _EDITABLE are set
            *args,
        )
        return course_from_row(row)

    async def archive(self, course_id: uuid.UUID) -> Course:
        row = await self.conn.fetchrow(
            "UPDATE courses SET status = 'archived', revision = revision + 1, updated_at = now()"  # noqa: S608 - text from constants; values are bound
            f" WHERE id = $1 RETURNING {COURSE_COLUMNS}",
            course_id,
        )
        return course_from_row(row)

    async def publish(self, course_id: uuid.UUID) -> Course:
        row = await self.conn.fetchrow(
            "UPDATE courses SET status = 'published', revision = revision + 1, updated_at = now()"  # noqa: S608 - text from constants; values are bound
            f" WHERE id = $1 RETURNING {COURSE_COLUMNS}",
            course_id,
        )
        return course_from_row(row)

    async def bump_revision(self, course_id: uuid.UUID) -> Course:
        row = await self.conn.fetchrow(
            "UPDATE courses SET revision = revision + 1, updated_at = now()"  # noqa: S608 - text from constants; values are bound
            f" WHERE id = $1 RETURNING {COURSE_COLUMNS}",
            course_id,
        )
        return course_from_row(row)

    async def delete(self, course_id: uuid.UUID) -> None:
        await self.conn.execute("DELETE FROM courses WHERE id = $1", course_id)

    async def has_enrollments(self, course_id: uuid.UUID) -> bool:
        found: bool = await self.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM enrollments WHERE course_id = $1)", course_id
        )
        return found

    async def lesson_ids(self, course_id: uuid.UUID) -> list[uuid.UUID]:
        rows = await self.conn.fetch(
            "SELECT l.id FROM lessons l JOIN modules m ON m.id = l.module_id"  # noqa: S608 - text from constants; values are bound
            f" WHERE l.course_id = $1 ORDER BY {LESSON_READING_ORDER}",
            course_id,
        )
        return [r["id"] for r in rows]

    async def category_exists(self, category_id: uuid.UUID) -> bool:
        found: bool = await self.conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM categories WHERE id = $1)", category_id
        )
        return found

    async def categories(self) -> list[Category]:
        # Counted from the index of published courses by category (migration 005), grouped
        # before the join: an index-only scan instead of a join over every course row.
        rows = await self.conn.fetch(
            "SELECT c.id, c.slug, c.name, coalesce(n.course_count, 0) AS course_count"
            " FROM categories c LEFT JOIN (SELECT category_id, count(*) AS course_count"
            " FROM courses WHERE status = 'published' GROUP BY category_id) AS n"
            " ON n.category_id = c.id ORDER BY c.name"
        )
        return [Category(**dict(r)) for r in rows]

    async def by_teacher(
        self, teacher_id: uuid.UUID, page: PageRequest
    ) -> tuple[list[Course], str | None]:
        rows, next_cursor = await paginate(
            self.conn,
            f"SELECT {COURSE_COLUMNS} FROM courses WHERE teacher_id = $1",  # noqa: S608 - text from constants; values are bound
            [teacher_id],
            NEWEST,
            page,
        )
        return [course_from_row(r) for r in rows], next_cursor
