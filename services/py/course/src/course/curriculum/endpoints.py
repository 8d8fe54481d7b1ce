"""Module, lesson and curriculum routes."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from edu_common.auth import CurrentUser, OptionalUser
from edu_common.db import DbConn, DbRead
from edu_common.errors import error_responses
from fastapi import APIRouter, Request, Response

from course.curriculum import service
from course.curriculum.schemas import (
    Curriculum,
    LessonCreate,
    LessonOut,
    LessonUpdate,
    LessonView,
    ModuleCreate,
    ModuleOut,
    ModuleUpdate,
)
from course.dependencies import CacheDep, looked_up_before_routing

router = APIRouter(tags=["curriculum"])

_OWNER_ERRORS = error_responses(400, 401, 403, 404, 422)


@router.get(
    "/courses/{course_id}/curriculum",
    response_model=Curriculum,
    responses=error_responses(401, 404, 422),
    summary="Modules and lesson titles of a course, without lesson content",
    description="A draft's is 404 to anyone but the course's teacher and admins.",
)
async def get_curriculum(
    request: Request, course_id: uuid.UUID, user: OptionalUser, conn: DbRead, caches: CacheDep
) -> Any:
    # Only what anyone may read is cached (never a draft's), so a hit needs no access check;
    # it is the document encoded when it was cached, sent as it is. An anonymous hit is
    # answered before routing (course.cached_reads).
    if not looked_up_before_routing(request):
        cached = await caches.curricula.get_bytes(course_id)
        if cached is not None:
            return Response(cached, media_type="application/json")
    outline = await service.curriculum(conn, course_id, user)
    found = Curriculum.model_validate(outline, from_attributes=True)
    if outline.is_public:
        await caches.curricula.set_bytes(course_id, found.model_dump_json().encode())
    return found


@router.post(
    "/courses/{course_id}/modules",
    status_code=201,
    response_model=ModuleOut,
    responses=_OWNER_ERRORS,
    summary="Add a module (the course's teacher)",
)
async def add_module(
    course_id: uuid.UUID,
    body: ModuleCreate,
    user: CurrentUser,
    caches: CacheDep,
    conn: DbConn,
) -> Any:
    module = await service.add_module(conn, user, course_id, body)
    caches.drop_after_commit(conn, course_id)
    return ModuleOut.model_validate(module, from_attributes=True)


@router.put("/modules/{module_id}", response_model=ModuleOut, responses=_OWNER_ERRORS)
async def update_module(
    module_id: uuid.UUID,
    body: ModuleUpdate,
    user: CurrentUser,
    caches: CacheDep,
    conn: DbConn,
) -> Any:
    module = await service.update_module(conn, user, module_id, body)
    caches.drop_after_commit(conn, module.course_id)
    return ModuleOut.model_validate(module, from_attributes=True)


@router.delete("/modules/{module_id}", status_code=204, responses=_OWNER_ERRORS)
async def delete_module(
    module_id: uuid.UUID, user: CurrentUser, caches: CacheDep, conn: DbConn
) -> Response:
    caches.drop_after_commit(conn, await service.delete_module(conn, user, module_id))
    return Response(status_code=204)


@router.post(
    "/modules/{module_id}/lessons",
    status_code=201,
    response_model=LessonOut,
    responses=_OWNER_ERRORS,
    summary="Add a lesson; its markdown is rendered and sanitized",
)
async def add_lesson(
    module_id: uuid.UUID,
    body: LessonCreate,
    user: CurrentUser,
    caches: CacheDep,
    conn: DbConn,
) -> Any:
    lesson = await service.add_lesson(conn, user, module_id, body)
    caches.drop_after_commit(conn, lesson.course_id)
    return LessonOut.model_validate(lesson, from_attributes=True)


@router.put("/lessons/{lesson_id}", response_model=LessonOut, responses=_OWNER_ERRORS)
async def update_lesson(
    lesson_id: uuid.UUID,
    body: LessonUpdate,
    user: CurrentUser,
    caches: CacheDep,
    conn: DbConn,
) -> Any:
    lesson = await service.update_lesson(conn, user, lesson_id, body)
    caches.drop_after_commit(conn, lesson.course_id)
    return LessonOut.model_validate(lesson, from_attributes=True)


@router.delete("/lessons/{lesson_id}", status_code=204, responses=_OWNER_ERRORS)
async def delete_lesson(
    lesson_id: uuid.UUID, user: CurrentUser, caches: CacheDep, conn: DbConn
) -> Response:
    caches.drop_after_commit(conn, await service.delete_lesson(conn, user, lesson_id))
    return Response(status_code=204)


@router.get(
    "/lessons/{lesson_id}",
    response_model=LessonView,
    responses=error_responses(401, 403, 404, 422),
    summary="A lesson with its content, for those who may read it",
    description="Free courses and preview lessons: anyone. Otherwise enrolled students, the "
    "course's teacher and admins; 401 without a token, 403 `not_enrolled` for anyone else. "
    "A draft's lessons are 404 to anyone but the course's teacher and admins.",
)
async def read_lesson(lesson_id: uuid.UUID, user: OptionalUser, conn: DbRead) -> Any:
    reading = await service.read_lesson(conn, user, lesson_id)
    return LessonView(
        **asdict(reading.lesson),
        prev_lesson_id=reading.prev_lesson_id,
        next_lesson_id=reading.next_lesson_id,
    )
