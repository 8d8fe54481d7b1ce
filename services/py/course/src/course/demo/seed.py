"""Seeds the demo catalog: the missing demo courses, announced to other services like any other.

Safe to run on every start and from several workers at once: it takes a lock, adds only the
courses not there yet (a second run adds nothing and announces nothing) and commits with the
caller's transaction.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg
from edu_common.demo import DEMO_TEACHER
from edu_common.events.contracts import CourseCreated

from course.catalog.events import announce
from course.catalog.repository import CourseRepository
from course.demo.catalog import outline_catalog, write_courses
from course.demo.repository import DemoRepository


async def seed_demo_catalog(conn: asyncpg.Connection) -> int:
    """Adds the demo courses that are missing; returns how many it added."""
    repo = DemoRepository(conn)
    await repo.lock()
    outlines = outline_catalog()
    existing = await repo.existing([o.id for o in outlines])
    missing = [o for o in outlines if o.id not in existing]
    if not missing:
        return 0
    # Writing and rendering a few thousand lessons is CPU work: off the event loop.
    courses = await asyncio.to_thread(write_courses, missing)
    await repo.insert(
        courses,
        DEMO_TEACHER.id,
        DEMO_TEACHER.name,
        await repo.category_ids(),
        datetime.now(UTC),
    )
    # Announced as the course service announces any new course: the snapshot of what was
    # stored.
    stored = CourseRepository(conn)
    for course in courses:
        row = await stored.get(course.id)
        if row is None:  # inserted above, in this transaction
            raise RuntimeError(f"demo course {course.id} vanished while being seeded")
        await announce(conn, CourseCreated, row)
    return len(courses)
