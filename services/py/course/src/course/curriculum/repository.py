"""SQL for modules and lessons. Positions start at 1 and stay dense within their parent."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from course.catalog.repository import LESSON_READING_ORDER

_LESSON_COLUMNS = (
    "id, module_id, course_id, title, content, content_html, video_url, duration_minutes,"
    " position, is_preview"
)
_LESSON_EDITABLE = {
    "title",
    "content",
    "content_html",
    "video_url",
    "duration_minutes",
    "is_preview",
}


@dataclass(frozen=True)
class Module:
    id: uuid.UUID
    course_id: uuid.UUID
    title: str
    position: int


@dataclass(frozen=True)
class Lesson:
    id: uuid.UUID
    module_id: uuid.UUID
    course_id: uuid.UUID
    title: str
    content: str
    content_html: str
    video_url: str | None
    duration_minutes: int
    position: int
    is_preview: bool


@dataclass(frozen=True)
class LessonHeading:
    """A lesson as the curriculum lists it, without its content."""

    id: uuid.UUID
    title: str
    position: int
    duration_minutes: int
    is_preview: bool


@dataclass(frozen=True)
class ModuleOutline:
    id: uuid.UUID
    title: str
    position: int
    lessons: list[LessonHeading]


class Positions:
    """Moves rows within a parent so positions stay 1..n without gaps."""

    def __init__(self, conn: asyncpg.Connection, table: str, parent: str) -> None:
        self.conn = conn
        self.table = table
        self.parent = parent

    async def count(self, parent_id: uuid.UUID) -> int:
        n: int = await self.conn.fetchval(
            f"SELECT count(*) FROM {self.table} WHERE {self.parent} = $1",  # noqa: S608 - table and parent column are fixed by the repositories
            parent_id,
        )
        return n

    async def open_gap(self, parent_id: uuid.UUID, position: int) -> None:
        await self.conn.execute(
            f"UPDATE {self.table} SET position = position + 1"  # noqa: S608 - table and parent column are fixed by the repositories
            f" WHERE {self.parent} = $1 AND position >= $2",
            parent_id,
            position,
        )

    async def close_gap(self, parent_id: uuid.UUID, position: int) -> None:
        await self.conn.execute(
            f"UPDATE {self.table} SET position = position - 1"  # noqa: S608 - table and parent column are fixed by the repositories
            f" WHERE {self.parent} = $1 AND position > $2",
            parent_id,
            position,
        )

    async def move(self, parent_id: uuid.UUID, row_id: uuid.UUID, old: int, new: int) -> None:
        if new < old:
            await self.conn.execute(
                f"UPDATE {self.table} SET position = position + 1"  # noqa: S608 - table and parent column are fixed by the repositories
                f" WHERE {self.parent} = $1 AND position >= $2 AND position < $3",
                parent_id,
                new,
                old,
            )
        elif new > old:
            await self.conn.execute(
                f"UPDATE {self.table} SET position = position - 1"  # noqa: S608 - table and parent column are fixed by the repositories
                f" WHERE {self.parent} = $1 AND position > $2 AND position <= $3",
                parent_id,
                old,
                new,
            )
        await self.conn.execute(f"UPDATE {self.table} SET position = $2 WHERE id = $1", row_id, new)  # noqa: S608 - table and parent column are fixed by the repositories


class ModuleRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self.positions = Positions(conn, "modules", "course_id")

    async def get(self, module_id: uuid.UUID) -> Module | None:
        row = await self.conn.fetchrow(
            "SELECT id, course_id, title, position FROM modules WHERE id = $1", module_id
        )
        return None if row is None else Module(**dict(row))

    async def create(self, course_id: uuid.UUID, title: str, position: int) -> Module:
        row = await self.conn.fetchrow(
            "INSERT INTO modules (course_id, title, position) VALUES ($1, $2, $3)"
            " RETURNING id, course_id, title, position",
            course_id,
            title,
            position,
        )
        return Module(**dict(row))

    async def rename(self, module_id: uuid.UUID, title: str) -> None:
        await self.conn.execute("UPDATE modules SET title = $2 WHERE id = $1", module_id, title)

    async def delete(self, module_id: uuid.UUID) -> None:
        await self.conn.execute("DELETE FROM modules WHERE id = $1", module_id)

    async def curriculum(self, course_id: uuid.UUID) -> list[ModuleOutline]:
        modules = await self.conn.fetch(
            "SELECT id, title, position FROM modules WHERE course_id = $1 ORDER BY position",
            course_id,
        )
        lessons = await self.conn.fetch(
            "SELECT id, module_id, title, position, duration_minutes, is_preview FROM lessons"
            " WHERE course_id = $1 ORDER BY position",
            course_id,
        )
        by_module: dict[uuid.UUID, list[LessonHeading]] = {m["id"]: [] for m in modules}
        for lesson in lessons:
            item = dict(lesson)
            by_module[item.pop("module_id")].append(LessonHeading(**item))
        return [ModuleOutline(**dict(m), lessons=by_module[m["id"]]) for m in modules]


class LessonRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self.positions = Positions(conn, "lessons", "module_id")

    async def get(self, lesson_id: uuid.UUID) -> Lesson | None:
        row = await self.conn.fetchrow(
            f"SELECT {_LESSON_COLUMNS} FROM lessons WHERE id = $1",  # noqa: S608 - text from constants; values are bound
            lesson_id,
        )
        return None if row is None else Lesson(**dict(row))

    async def get_in_order(
        self, lesson_id: uuid.UUID
    ) -> tuple[Lesson, uuid.UUID | None, uuid.UUID | None] | None:
        """The lesson with the lessons before and after it in its course's reading order
        (`LESSON_READING_ORDER`), in one statement."""
        row = await self.conn.fetchrow(
            f"SELECT {_LESSON_COLUMNS}, prev_id, next_id FROM lessons JOIN ("  # noqa: S608 - text from constants; values are bound
            "SELECT l.id AS at_id, lag(l.id) OVER reading AS prev_id,"
            " lead(l.id) OVER reading AS next_id"
            " FROM lessons l JOIN modules m ON m.id = l.module_id"
            " WHERE l.course_id = (SELECT course_id FROM lessons WHERE id = $1)"
            f" WINDOW reading AS (ORDER BY {LESSON_READING_ORDER})"
            ") AS around ON around.at_id = lessons.id WHERE lessons.id = $1",
            lesson_id,
        )
        if row is None:
            return None
        values = dict(row)
        prev_id, next_id = values.pop("prev_id"), values.pop("next_id")
        return Lesson(**values), prev_id, next_id

    async def create(self, values: dict[str, Any]) -> Lesson:
        columns = list(values)
        placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
        row = await self.conn.fetchrow(
            f"INSERT INTO lessons ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608 - columns are the model's field names
            f" RETURNING {_LESSON_COLUMNS}",
            *values.values(),
        )
        return Lesson(**dict(row))

    async def update(self, lesson_id: uuid.UUID, changes: dict[str, Any]) -> Lesson:
        sets = ["updated_at = now()"]
        args: list[Any] = [lesson_id]
        for column, value in changes.items():
            if column in _LESSON_EDITABLE:
                args.append(value)
                sets.append(f"{column} = ${len(args)}")
        row = await self.conn.fetchrow(
            f"UPDATE lessons SET {', '.join(sets)} WHERE id = $1 RETURNING {_LESSON_COLUMNS}",  # noqa: S608 - only columns in _LESSON_EDITABLE are set
            *args,
        )
        return Lesson(**dict(row))

    async def delete(self, lesson_id: uuid.UUID) -> None:
        await self.conn.execute("DELETE FROM lessons WHERE id = $1", lesson_id)
