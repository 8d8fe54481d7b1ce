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

from enrollment.courses.repository import CourseRepository
from enrollment.progress.service import complete_finished_enrollments


async def apply_course_snapshot(conn: asyncpg.Connection, event: CourseSnapshot) -> None:
    await CourseRepository(conn).apply(event)
    # A deleted lesson may have been the last one a student had left.
    await complete_finished_enrollments(conn, event.course_id)


HANDLERS: Mapping[type[Event], Handler] = dict.fromkeys(
    (CourseCreated, CourseUpdated, CourseArchived, LessonCreated, LessonDeleted),
    apply_course_snapshot,
)
