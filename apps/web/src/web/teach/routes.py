"""Teaching: my courses; create and edit a course (a draft until published); add, edit,
reorder (up/down) and delete its modules and lessons. "Preview as student" is the lesson
page itself, which the owner may open."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from edu_common.lesson_content import render_markdown
from fastapi import APIRouter, Request
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response

from web.clients import clients_of
from web.clients.errors import Conflict, Forbidden, NotFound, ServiceError, ValidationFailed
from web.i18n import N_
from web.i18n import gettext_ as _
from web.navigation import redirect
from web.teach.forms import LEVELS, course_body, lesson_body, text
from web.templating import pages_of
from web.visitor import signed_in_token, visitor_of

router = APIRouter(prefix="/teach")

DONE = {
    "created": N_("Course created as a draft. Add a module and lessons, then publish it."),
    "saved": N_("Saved."),
    "published": N_("Published: the course is in the catalog now."),
}


async def _teacher(request: Request) -> str | Response:
    return await signed_in_token(request, lambda u: u.is_teacher or u.is_admin, "teachers_only")


@router.get("", name="teach")
async def my_courses(request: Request) -> Response:
    token = await _teacher(request)
    if isinstance(token, Response):
        return token
    page = await clients_of(request).course.my_courses(token, request.query_params.get("cursor"))
    return await pages_of(request).render(request, "teach/index.html", {"page": page})


async def _course_form(
    request: Request,
    *,
    course: Any = None,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    clients = clients_of(request)
    token = await visitor_of(request).token()
    categories: list[Any] = []
    curriculum = None
    try:
        if course is not None:
            categories, curriculum = await asyncio.gather(
                clients.course.categories(), clients.course.curriculum(course.id, token)
            )
        else:
            categories = await clients.course.categories()
    except ServiceError:
        pass
    if typed is None:
        typed = (
            {
                "title": course.title,
                "description": course.description,
                "level": course.level,
                "price": f"{course.price_cents / 100:.2f}",
                "category_id": str(course.category_id or ""),
                "duration_minutes": str(course.duration_minutes),
            }
            if course is not None
            else {"level": "beginner", "price": "0", "duration_minutes": "0"}
        )
    done = request.query_params.get("done", "")
    return await pages_of(request).render(
        request,
        "teach/course.html",
        {
            "course": course,
            "form": typed,
            "errors": errors or {},
            "categories": categories,
            "levels": LEVELS,
            "curriculum": curriculum,
            "message": message or (_(DONE[done]) if done in DONE else None),
        },
        status_code=status_code,
    )


@router.get("/courses/new", name="new_course")
async def new_course(request: Request) -> Response:
    token = await _teacher(request)
    if isinstance(token, Response):
        return token
    return await _course_form(request)


@router.post("/courses", name="create_course")
async def create_course(request: Request) -> Response:
    token = await _teacher(request)
    if isinstance(token, Response):
        return token
    typed, body, errors = course_body(await request.form())
    if errors:
        return await _course_form(request, typed=typed, errors=errors, status_code=422)
    body["status"] = "draft"
    client = clients_of(request).course
    try:
        try:
            created = await client.create_course(token, body)
        except Forbidden as exc:
            fresh = await visitor_of(request).refreshed_token()
            if exc.code != "teacher_not_verified" or fresh is None:
                raise
            created = await client.create_course(fresh, body)
    except ValidationFailed as exc:
        return await _course_form(request, typed=typed, errors=exc.fields, status_code=422)
    except Forbidden as exc:
        if exc.code != "teacher_not_verified":
            raise
        message = _("An admin has not verified your teacher account yet.")
        return await _course_form(request, typed=typed, errors={}, message=message, status_code=403)
    return redirect(request, f"/teach/courses/{created.id}?done=created")


@router.get("/courses/{course_id}", name="edit_course")
async def edit_course(request: Request, course_id: uuid.UUID) -> Response:
    token = await _teacher(request)
    if isinstance(token, Response):
        return token
    course = await clients_of(request).course.course(course_id, token)
    return await _course_form(request, course=course)


@router.post("/courses/{course_id}", name="save_course")
async def save_course(request: Request, course_id: uuid.UUID) -> Response:
    token = await _teacher(request)
    if isinstance(token, Response):
        return token
    clients = clients_of(request)
    typed, body, errors = course_body(await request.form())
    course = await clients.course.course(course_id, token)
    if errors:
        return await _course_form(
            request, course=course, typed=typed, errors=errors, status_code=422
        )
    try:
        await clients.course.update_course(token, course_id, body)
    except ValidationFailed as exc:
        return await _course_form(
            request, course=course, typed=typed, errors=exc.fields, status_code=422
        )
    return redirect(request, f"/teach/courses/{course_id}?done=saved")


@router.post("/courses/{course_id}/publish", name="publish_course")
async def publish_course(request: Request, course_id: uuid.UUID) -> Response:
    token = await _teacher(request)
    if isinstance(token, Response):
        return token
    clients = clients_of(request)
    try:
        await clients.course.publish(token, course_id)
    except Conflict as exc:
        course = await clients.course.course(course_id, token)
        message = (
            _("Add at least one lesson before publishing.")
            if exc.code == "course_has_no_lessons"
            else _("This course cannot be published now.")
        )
        return await _course_form(request, course=course, message=message, status_code=409)
    except NotFound:
        course = await clients.course.course(course_id, token)
        message = _("Publishing is not available yet: new courses are published at once.")
        return await _course_form(request, course=course, message=message, status_code=409)
    return redirect(request, f"/teach/courses/{course_id}?done=published")


@router.post("/courses/{course_id}/modules", name="add_module")
async def add_module(request: Request, course_id: uuid.UUID) -> Response:
    token = await _teacher(request)
    if isinstance(token, Response):
        return token
    title = text(await request.form(), "title", 200).strip()
    clients = clients_of(request)
    try:
        await clients.course.add_module(token, course_id, title)
    except ValidationFailed:
        course = await clients.course.course(course_id, token)
        return await _course_form(
            request, course=course, message=_("Give the module a title."), status_code=422
        )
    return redirect(request, f"/teach/courses/{course_id}#outline")


def _position(form: Any, name: str) -> int:
    """A place in a list (1 is the first), from a form field; anything else is a 422."""
    try:
        position = int(text(form, name, 8))
    except ValueError:
        raise HTTPException(422, "position must be a whole number") from None
    return max(1, position)


@router.post("/modules/{module_id}", name="edit_module")
async def edit_module(request: Request, module_id: uuid.UUID) -> Response:
    """Renames, moves (up/down) or deletes a module, as the pressed button says."""
    token = await _teacher(request)
    if isinstance(token, Response):
        return token
    form = await request.form()
    try:
        course_id = uuid.UUID(text(form, "course_id", 64))
    except ValueError:
        raise HTTPException(404) from None
    action = text(form, "action", 16)
    client = clients_of(request).course
    if action == "delete":
        await client.delete_module(token, module_id)
    elif action in ("up", "down"):
        position = _position(form, "position") + (-1 if action == "up" else 1)
        await client.update_module(token, module_id, {"position": max(1, position)})
    elif action == "move":  # dropped at its new place (drag and drop)
        await client.update_module(token, module_id, {"position": _position(form, "to")})
    else:
        await client.update_module(token, module_id, {"title": text(form, "title", 200)})
    return redirect(request, f"/teach/courses/{course_id}#module-{module_id}")


@router.post("/modules/{module_id}/lessons", name="add_lesson")
async def add_lesson(request: Request, module_id: uuid.UUID) -> Response:
    token = await _teacher(request)
    if isinstance(token, Response):
        return token
    title = text(await request.form(), "title", 200).strip() or _("New lesson")
    lesson = await clients_of(request).course.add_lesson(token, module_id, {"title": title})
    return redirect(request, f"/teach/lessons/{lesson.id}")


async def _lesson_form(
    request: Request,
    lesson: Any,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    preview: str | None = None,
) -> Response:
    if typed is None:
        typed = {
            "title": lesson.title,
            "content": lesson.content,
            "video_url": lesson.video_url or "",
            "duration_minutes": str(lesson.duration_minutes),
            "is_preview": "on" if lesson.is_preview else "",
        }
    return await pages_of(request).render(
        request,
        "teach/lesson.html",
        {
            "lesson": lesson,
            "form": typed,
            "errors": errors or {},
            "saved": request.query_params.get("done") == "saved",
            "preview": preview if preview is not None else lesson.content_html,
        },
        status_code=status_code,
    )


@router.get("/lessons/{lesson_id}", name="edit_lesson")
async def edit_lesson(request: Request, lesson_id: uuid.UUID) -> Response:
    token = await _teacher(request)
    if isinstance(token, Response):
        return token
    lesson = await clients_of(request).course.lesson(lesson_id, token)
    return await _lesson_form(request, lesson)


@router.post("/lessons/{lesson_id}", name="save_lesson")
async def save_lesson(request: Request, lesson_id: uuid.UUID) -> Response:
    token = await _teacher(request)
    if isinstance(token, Response):
        return token
    client = clients_of(request).course
    form = await request.form()
    lesson = await client.lesson(lesson_id, token)
    action = text(form, "action", 16)
    if action == "delete":
        await client.delete_lesson(token, lesson_id)
        return redirect(request, f"/teach/courses/{lesson.course_id}#outline")
    if action in ("up", "down", "move"):
        if action == "move":  # dropped at its new place (drag and drop)
            position = _position(form, "to")
        else:
            position = max(1, lesson.position + (-1 if action == "up" else 1))
        await client.update_lesson(token, lesson_id, {"position": position})
        return redirect(request, f"/teach/courses/{lesson.course_id}#lesson-{lesson_id}")
    typed, body, errors = lesson_body(form)
    if action == "preview":  # without JavaScript: the same page, the preview updated
        preview = render_markdown(typed["content"])
        return await _lesson_form(request, lesson, typed=typed, preview=preview)
    if errors:
        return await _lesson_form(request, lesson, typed=typed, errors=errors, status_code=422)
    try:
        await client.update_lesson(token, lesson_id, body)
    except ValidationFailed as exc:
        return await _lesson_form(request, lesson, typed=typed, errors=exc.fields, status_code=422)
    return redirect(request, f"/teach/lessons/{lesson_id}?done=saved")


@router.post("/preview", name="preview_markdown")
async def preview_markdown(request: Request) -> Response:
    """The live preview: the markdown rendered and sanitized exactly as the course service
    will store it."""
    token = await _teacher(request)
    if isinstance(token, Response):
        return token
    content = text(await request.form(), "content")
    return HTMLResponse(render_markdown(content))
