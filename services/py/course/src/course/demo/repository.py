"""SQL for the demo catalog: bulk inserts with COPY, one lock so workers seed one at a time."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import asyncpg

from course.demo.catalog import DemoCourse

# pg_advisory_xact_lock key: any constant of our own ("demo" in ASCII).
SEED_LOCK = 0x64656D6F


class DemoRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def lock(self) -> None:
        """Waits for any other worker seeding, until the end of the transaction."""
        await self.conn.execute("SELECT pg_advisory_xact_lock($1)", SEED_LOCK)

    async def existing(self, course_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        rows = await self.conn.fetch(
            "SELECT id FROM courses WHERE id = ANY($1::uuid[])", course_ids
        )
        return {r["id"] for r in rows}

    async def category_ids(self) -> dict[str, uuid.UUID]:
        rows = await self.conn.fetch("SELECT slug, id FROM categories")
        return {r["slug"]: r["id"] for r in rows}

    async def insert(
        self,
        courses: list[DemoCourse],
        teacher_id: uuid.UUID,
        teacher_name: str,
        categories: dict[str, uuid.UUID],
        now: datetime,
    ) -> None:
        course_rows = []
        module_rows = []
        lesson_rows = []
        for course in courses:
            outline = course.outline
            created = now - timedelta(minutes=outline.age_minutes)
            course_rows.append(
                (
                    course.id,
                    teacher_id,
                    teacher_name,
                    course.title,
                    course.description,
                    outline.level,
                    course.price_cents,
                    "USD",
                    categories.get(outline.subject.category),
                    course.duration_minutes,
                    created,
                    created,
                )
            )
            for module in course.modules:
                module_rows.append((module.id, course.id, module.title, module.position, created))
                for lesson in module.lessons:
                    lesson_rows.append(
                        (
                            lesson.id,
                            module.id,
                            course.id,
                            lesson.title,
                            lesson.content,
                            lesson.content_html,
                            lesson.duration_minutes,
                            lesson.position,
                            lesson.is_preview,
                            created,
                            created,
                        )
                    )
        await self.conn.copy_records_to_table(
            "courses",
            records=course_rows,
            columns=[
                "id",
                "teacher_id",
                "teacher_name",
                "title",
                "description",
                "level",
                "price_cents",
                "currency",
                "category_id",
                "duration_minutes",
                "created_at",
                "updated_at",
            ],
        )
        await self.conn.copy_records_to_table(
            "modules",
            records=module_rows,
            columns=["id", "course_id", "title", "position", "created_at"],
        )
        await self.conn.copy_records_to_table(
            "lessons",
            records=lesson_rows,
            columns=[
                "id",
                "module_id",
                "course_id",
                "title",
                "content",
                "content_html",
                "duration_minutes",
                "position",
                "is_preview",
                "created_at",
                "updated_at",
            ],
        )
