"""Course events keep the course projection current."""

from __future__ import annotations

from collections.abc import Mapping

import asyncpg
from edu_common.events.consumer import Handler
from edu_common.events.contracts import CourseSnapshot, Event

from enrollment.courses.repository import COURSES
from enrollment.progress.service import complete_finished_enrollments


async def _after_course_change(conn: asyncpg.Connection, event: CourseSnapshot) -> None:
    # A deleted lesson may have been the last one a student had left.
    await complete_finished_enrollments(conn, event.course_id)


HANDLERS: Mapping[type[Event], Handler] = COURSES.handlers(then=_after_course_change)
