"""Consumes enrollment's events into the projection that lesson access and reviews read, and
the course's `enrollment_count` (active and completed enrollments, each student once)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import asyncpg
from edu_common.events.consumer import Handler
from edu_common.events.contracts import EnrollmentCompleted, EnrollmentCreated, Event

from course.dependencies import Caches
from course.enrollments.repository import EnrollmentRepository

CONSUMER = "course-enrollments"


class EnrollmentProjection:
    """The handlers, and the cached course they make stale (its `enrollment_count`).

    `caches` is looked up at each event, since the caches exist only once the app runs. The
    cached course is dropped once the handler's transaction has committed, so a read cannot
    cache the old count again after the drop."""

    def __init__(self, caches: Callable[[], Caches | None]) -> None:
        self.caches = caches

    @property
    def handlers(self) -> Mapping[type[Event], Handler]:
        return {EnrollmentCreated: self.on_created, EnrollmentCompleted: self.on_completed}

    async def on_created(self, conn: asyncpg.Connection, event: EnrollmentCreated) -> None:
        enrollments = EnrollmentRepository(conn)
        if await enrollments.add(event.course_id, event.student_id, event.enrollment_id, "active"):
            await self._counted(conn, enrollments, event)

    async def on_completed(self, conn: asyncpg.Connection, event: EnrollmentCompleted) -> None:
        # Completion may arrive before creation; either way the student counts once.
        enrollments = EnrollmentRepository(conn)
        if await enrollments.add(
            event.course_id, event.student_id, event.enrollment_id, "completed"
        ):
            await self._counted(conn, enrollments, event)
        else:
            await enrollments.complete(event.course_id, event.student_id)

    async def _counted(
        self,
        conn: asyncpg.Connection,
        enrollments: EnrollmentRepository,
        event: EnrollmentCreated | EnrollmentCompleted,
    ) -> None:
        await enrollments.count_enrollment(event.course_id)
        caches = self.caches()
        if caches is not None:
            caches.drop_after_commit(conn, event.course_id)
