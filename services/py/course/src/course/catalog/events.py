"""What course tells other services: a snapshot of the course after each change."""

from __future__ import annotations

from typing import Any

import asyncpg
from edu_common.events import enqueue
from edu_common.events.contracts import CourseSnapshot

from course.catalog.repository import Course, CourseRepository


def news_to_others(before: Course, after: Course) -> bool:
    """Whether a change of a course's own fields alters its snapshot. Other services keep a
    course's teacher, title, price, currency and status (`CourseSnapshot`); its description,
    level, category and duration are course's alone, and a change of only those is announced
    to nobody. The revision still grows, so the next snapshot is newer than the last one sent."""
    return _shared(before) != _shared(after)


def _shared(course: Course) -> tuple[object, ...]:
    return (course.teacher_id, course.title, course.price_cents, course.currency, course.status)


async def announce(
    conn: asyncpg.Connection, event: type[CourseSnapshot], course: Course, **extra: Any
) -> None:
    """Stores the event in the caller's transaction, with the course as it now stands.

    Nothing about a draft leaves the service: other services hear of a course when it is
    published (CourseCreated), so a draft can be neither bought nor enrolled in."""
    if course.is_draft:
        return
    lesson_ids = await CourseRepository(conn).lesson_ids(course.id)
    await enqueue(
        conn,
        event(
            course_id=course.id,
            teacher_id=course.teacher_id,
            title=course.title,
            price_cents=course.price_cents,
            currency=course.currency,
            status=course.status,
            lesson_ids=lesson_ids,
            revision=course.revision,
            **extra,
        ),
    )
