"""Course events keep the course projection current."""

from __future__ import annotations

from collections.abc import Mapping

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

from payment.courses.repository import CourseRepository


async def apply_course_snapshot(conn: asyncpg.Connection, event: CourseSnapshot) -> None:
    await CourseRepository(conn).apply(event)


HANDLERS: Mapping[type[Event], Handler] = dict.fromkeys(
    (CourseCreated, CourseUpdated, CourseArchived, LessonCreated, LessonDeleted),
    apply_course_snapshot,
)
