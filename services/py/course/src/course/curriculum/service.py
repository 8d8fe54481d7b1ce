"""Curriculum rules: only the course's teacher shapes it; who may read which lesson."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg
from edu_common.errors import forbidden, not_found, unauthorized
from edu_common.events.contracts import CourseUpdated, LessonCreated, LessonDeleted
from edu_common.security.tokens import Principal

from course.catalog.events import announce
from course.catalog.repository import CourseRepository
from course.catalog.service import can_see, get_course
from course.curriculum.content import render_markdown
from course.curriculum.repository import (
    Lesson,
    LessonRepository,
    Module,
    ModuleOutline,
    ModuleRepository,
)
from course.curriculum.schemas import LessonCreate, LessonUpdate, ModuleCreate, ModuleUpdate
from course.enrollments.repository import EnrollmentRepository
from course.validation import null_field


@dataclass(frozen=True)
class CourseOutline:
    course_id: uuid.UUID
    modules: list[ModuleOutline]
    total_lessons: int
    # Anyone may read it (the course is no draft), so it may be cached.
    is_public: bool


@dataclass(frozen=True)
class LessonReading:
    """A lesson as a reader opens it, with its neighbours in the course's order."""

    lesson: Lesson
    prev_lesson_id: uuid.UUID | None
    next_lesson_id: uuid.UUID | None


async def _lock_for_teacher(
    conn: asyncpg.Connection, course_id: uuid.UUID, user: Principal
) -> None:
    """Locks the course for a change to its curriculum by its teacher; the lock serializes
    every such change (positions stay dense)."""
    course = await CourseRepository(conn).get(course_id, for_update=True)
    if course is None or not can_see(course, user):
        raise not_found("course")
    if course.teacher_id != user.user_id:
        raise forbidden("only the course's teacher can change its curriculum", "not_course_owner")


async def _announce_curriculum_change(conn: asyncpg.Connection, course_id: uuid.UUID) -> None:
    course = await CourseRepository(conn).bump_revision(course_id)
    await announce(conn, CourseUpdated, course)


def _clamp(position: int | None, last: int) -> int:
    return last if position is None else max(1, min(position, last))


async def _module(conn: asyncpg.Connection, module_id: uuid.UUID) -> Module:
    module = await ModuleRepository(conn).get(module_id)
    if module is None:
        raise not_found("module")
    return module


async def add_module(
    conn: asyncpg.Connection, user: Principal, course_id: uuid.UUID, body: ModuleCreate
) -> Module:
    await _lock_for_teacher(conn, course_id, user)
    modules = ModuleRepository(conn)
    position = _clamp(body.position, await modules.positions.count(course_id) + 1)
    await modules.positions.open_gap(course_id, position)
    module = await modules.create(course_id, body.title, position)
    await _announce_curriculum_change(conn, course_id)
    return module


async def update_module(
    conn: asyncpg.Connection, user: Principal, module_id: uuid.UUID, body: ModuleUpdate
) -> Module:
    module = await _module(conn, module_id)
    course_id = module.course_id
    await _lock_for_teacher(conn, course_id, user)
    modules = ModuleRepository(conn)
    module = await _module(conn, module_id)  # read again under the course lock
    if body.title is not None:
        await modules.rename(module_id, body.title)
    if body.position is not None:
        new = _clamp(body.position, await modules.positions.count(course_id))
        await modules.positions.move(course_id, module_id, module.position, new)
    await _announce_curriculum_change(conn, course_id)
    return await _module(conn, module_id)


async def delete_module(
    conn: asyncpg.Connection, user: Principal, module_id: uuid.UUID
) -> uuid.UUID:
    module = await _module(conn, module_id)
    course_id: uuid.UUID = module.course_id
    await _lock_for_teacher(conn, course_id, user)
    module = await _module(conn, module_id)
    modules = ModuleRepository(conn)
    await modules.delete(module_id)
    await modules.positions.close_gap(course_id, module.position)
    await _announce_curriculum_change(conn, course_id)
    return course_id


async def add_lesson(
    conn: asyncpg.Connection, user: Principal, module_id: uuid.UUID, body: LessonCreate
) -> Lesson:
    module = await _module(conn, module_id)
    await _lock_for_teacher(conn, module.course_id, user)
    await _module(conn, module_id)
    lessons = LessonRepository(conn)
    position = _clamp(body.position, await lessons.positions.count(module_id) + 1)
    await lessons.positions.open_gap(module_id, position)
    lesson = await lessons.create(
        {
            "module_id": module_id,
            "course_id": module.course_id,
            "title": body.title,
            "content": body.content,
            "content_html": render_markdown(body.content),
            "video_url": body.video_url,
            "duration_minutes": body.duration_minutes,
            "position": position,
            "is_preview": body.is_preview,
        }
    )
    course = await CourseRepository(conn).bump_revision(module.course_id)
    await announce(conn, LessonCreated, course, lesson_id=lesson.id)
    return lesson


async def _lesson(conn: asyncpg.Connection, lesson_id: uuid.UUID) -> Lesson:
    lesson = await LessonRepository(conn).get(lesson_id)
    if lesson is None:
        raise not_found("lesson")
    return lesson


async def update_lesson(
    conn: asyncpg.Connection, user: Principal, lesson_id: uuid.UUID, body: LessonUpdate
) -> Lesson:
    lesson = await _lesson(conn, lesson_id)
    await _lock_for_teacher(conn, lesson.course_id, user)
    lesson = await _lesson(conn, lesson_id)
    lessons = LessonRepository(conn)
    changes = body.model_dump(exclude_unset=True)
    for required in ("title", "content", "duration_minutes", "is_preview"):
        if required in changes and changes[required] is None:
            raise null_field(required)
    if "content" in changes:
        changes["content_html"] = render_markdown(changes["content"])
    position = changes.pop("position", None)
    await lessons.update(lesson_id, changes)
    if position is not None:
        new = _clamp(position, await lessons.positions.count(lesson.module_id))
        await lessons.positions.move(lesson.module_id, lesson_id, lesson.position, new)
    await _announce_curriculum_change(conn, lesson.course_id)
    return await _lesson(conn, lesson_id)


async def delete_lesson(
    conn: asyncpg.Connection, user: Principal, lesson_id: uuid.UUID
) -> uuid.UUID:
    lesson = await _lesson(conn, lesson_id)
    course_id: uuid.UUID = lesson.course_id
    await _lock_for_teacher(conn, course_id, user)
    lesson = await _lesson(conn, lesson_id)
    lessons = LessonRepository(conn)
    await lessons.delete(lesson_id)
    await lessons.positions.close_gap(lesson.module_id, lesson.position)
    course = await CourseRepository(conn).bump_revision(course_id)
    await announce(conn, LessonDeleted, course, lesson_id=lesson_id)
    return course_id


async def curriculum(
    conn: asyncpg.Connection, course_id: uuid.UUID, user: Principal | None
) -> CourseOutline:
    course = await get_course(conn, course_id, user)
    modules = await ModuleRepository(conn).curriculum(course_id)
    total = sum(len(m.lessons) for m in modules)
    return CourseOutline(course_id, modules, total, is_public=not course.is_draft)


async def read_lesson(
    conn: asyncpg.Connection, user: Principal | None, lesson_id: uuid.UUID
) -> LessonReading:
    """Free courses and preview lessons are open to all; the rest to enrolled students, the
    course's teacher and admins. A draft's lessons do not exist for anyone else."""
    found = await LessonRepository(conn).get_in_order(lesson_id)
    if found is None:
        raise not_found("lesson")
    lesson, prev_lesson_id, next_lesson_id = found
    course = await CourseRepository(conn).get(lesson.course_id)
    assert course is not None  # lessons go with their course
    if not can_see(course, user):
        raise not_found("lesson")
    if course.price_cents > 0 and not lesson.is_preview:
        if user is None:
            raise unauthorized()
        allowed = (
            user.is_admin
            or course.teacher_id == user.user_id
            or await EnrollmentRepository(conn).is_enrolled(course.id, user.user_id)
        )
        if not allowed:
            raise forbidden("enroll in the course to read this lesson", "not_enrolled")
    return LessonReading(lesson, prev_lesson_id=prev_lesson_id, next_lesson_id=next_lesson_id)
