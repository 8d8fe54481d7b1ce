"""Lesson page and "mark complete" (in place with htmx, a plain form post without)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from web.clients import clients_of
from web.clients.course import Course, Curriculum, Lesson
from web.clients.enrollment import Progress
from web.clients.errors import Forbidden, ServiceError, ServiceUnavailable
from web.courses.routes import load_progress
from web.errors import error_page
from web.i18n import gettext_ as _
from web.navigation import login_url, redirect
from web.templating import is_htmx, pages_of
from web.video import embed_url
from web.visitor import visitor_of

router = APIRouter()


async def _optional(call: Any) -> Any:
    try:
        return await call
    except (ServiceUnavailable, ServiceError) as exc:
        return exc


async def lesson_context(
    request: Request, lesson: Lesson, progress: Progress | Exception | None = None
) -> dict[str, Any]:
    clients = clients_of(request)
    token = await visitor_of(request).token()
    course, curriculum, loaded = await asyncio.gather(
        _optional(clients.course.course(lesson.course_id, token)),
        _optional(clients.course.curriculum(lesson.course_id, token)),
        load_progress(request, lesson.course_id) if progress is None else asyncio.sleep(0),
    )
    if progress is None:
        progress = loaded
    outline = curriculum if isinstance(curriculum, Curriculum) else None
    done = set(progress.completed_lesson_ids) if isinstance(progress, Progress) else set()
    return {
        "lesson": lesson,
        "course": course if isinstance(course, Course) else None,
        "curriculum": outline,
        "progress": progress if isinstance(progress, Progress) else None,
        "progress_error": isinstance(progress, Exception),
        "completed": done,
        "is_complete": lesson.id in done,
        "prev": outline.find(lesson.prev_lesson_id) if outline else None,
        "next": outline.find(lesson.next_lesson_id) if outline else None,
        "prev_id": lesson.prev_lesson_id,
        "next_id": lesson.next_lesson_id,
        "video": embed_url(lesson.video_url),
    }


async def _lesson(request: Request, lesson_id: uuid.UUID) -> Lesson | Response:
    visitor = visitor_of(request)
    token = await visitor.token()
    try:
        lesson: Lesson = await clients_of(request).course.lesson(lesson_id, token)
    except Forbidden:
        return await error_page(
            request,
            403,
            _("This lesson is for enrolled students"),
            _("Enroll in the course to open this lesson."),
        )
    return lesson


@router.get("/lessons/{lesson_id}", name="lesson")
async def lesson_page(request: Request, lesson_id: uuid.UUID) -> Response:
    lesson = await _lesson(request, lesson_id)
    if isinstance(lesson, Response):
        return lesson
    context = await lesson_context(request, lesson)
    context["just_completed"] = False
    return await pages_of(request).render(request, "lessons/lesson.html", context)


@router.post("/lessons/{lesson_id}/complete", name="complete_lesson")
async def complete_lesson(request: Request, lesson_id: uuid.UUID) -> Response:
    visitor = visitor_of(request)
    token = await visitor.token()
    if token is None:
        return redirect(request, login_url(request))
    clients = clients_of(request)
    progress = await clients.enrollment.complete_lesson(token, lesson_id)
    if not is_htmx(request):
        return redirect(request, f"/lessons/{lesson_id}?completed=1#lesson-progress")
    lesson = await _lesson(request, lesson_id)
    if isinstance(lesson, Response):
        return lesson
    context = await lesson_context(request, lesson, progress)
    context["just_completed"] = True
    return await pages_of(request).render(request, "lessons/lesson.html", context, block="progress")
