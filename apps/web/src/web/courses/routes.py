"""Course page and its actions: enroll, buy (with a confirmation step), continue, review."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from web.clients import clients_of
from web.clients.course import Course, Curriculum, ReviewPage
from web.clients.enrollment import Progress
from web.clients.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PaymentRequired,
    ServiceError,
    ServiceUnavailable,
    ValidationFailed,
)
from web.i18n import N_
from web.i18n import gettext_ as _
from web.navigation import redirect
from web.templating import is_htmx, pages_of
from web.visitor import signed_in_token, visitor_of

router = APIRouter()

REVIEWS_PAGE = 5
DONE_MESSAGES = {
    "enrolled": N_("You are enrolled. Enjoy the course!"),
    "bought": N_("Thank you for your purchase. You are enrolled."),
    "reviewed": N_("Thank you for your review."),
}


async def _optional(call: Any) -> Any:
    """The result, or the ServiceUnavailable/ServiceError that stopped it (a part of the
    page that can be left out)."""
    try:
        return await call
    except (ServiceUnavailable, ServiceError) as exc:
        return exc


async def load_progress(request: Request, course_id: uuid.UUID) -> Progress | Exception | None:
    """The student's progress; None when not enrolled (or not a student)."""
    visitor = visitor_of(request)
    if visitor.user is None or not visitor.user.is_student:
        return None
    token = await visitor.token()
    if token is None:
        return None
    try:
        progress: Progress = await clients_of(request).enrollment.progress(token, course_id)
    except (Forbidden, NotFound):
        return None
    except ServiceUnavailable as exc:
        return exc
    return progress


def course_action(course: Course, visitor: Any, progress: Any) -> str:
    """The one action that fits: login, enroll, buy, continue, owner, closed, or none."""
    user = visitor.user
    if user is None:
        return "login"
    if str(course.teacher_id) == user.user_id:
        return "owner"
    if not user.is_student:
        return "none"
    if isinstance(progress, Exception):
        return "unknown"
    if progress is not None:
        return "continue"
    if course.status != "published":
        return "closed"
    return "enroll" if course.is_free else "buy"


def can_open(course: Course, lesson_is_preview: bool, action: str) -> bool:
    return course.is_free or lesson_is_preview or action in ("continue", "owner")


async def course_page(
    request: Request,
    course_id: uuid.UUID,
    *,
    review_errors: dict[str, str] | None = None,
    review_form: dict[str, str] | None = None,
    review_message: str | None = None,
    status_code: int = 200,
) -> Response:
    clients = clients_of(request)
    visitor = visitor_of(request)
    token = await visitor.token()
    reviews_cursor = request.query_params.get("reviews") or None
    if is_htmx(request) and reviews_cursor:
        more = await clients.course.reviews(course_id, reviews_cursor, REVIEWS_PAGE)
        return await pages_of(request).render(
            request,
            "courses/course.html",
            {"reviews": more, "course_id": course_id, "appending": True},
            block="reviews_more",
        )
    loaded: tuple[Course, Any, Any, Progress | Exception | None] = await asyncio.gather(
        clients.course.course(course_id, token),
        _optional(clients.course.curriculum(course_id, token)),
        _optional(clients.course.reviews(course_id, reviews_cursor, REVIEWS_PAGE)),
        load_progress(request, course_id),
    )
    course, curriculum, reviews, progress = loaded
    action = course_action(course, visitor, progress)
    user = visitor.user
    review_list = reviews if isinstance(reviews, ReviewPage) else None
    own_review = (
        next((r for r in review_list.items if str(r.student_id) == user.user_id), None)
        if review_list and user
        else None
    )
    done = request.query_params.get("done", "")
    context = {
        "course": course,
        "course_id": course_id,
        "curriculum": curriculum if isinstance(curriculum, Curriculum) else None,
        "curriculum_error": isinstance(curriculum, Exception),
        "reviews": review_list,
        "reviews_error": isinstance(reviews, Exception),
        "progress": progress if isinstance(progress, Progress) else None,
        "action": action,
        "can_open": lambda lesson: can_open(course, lesson.is_preview, action),
        "own_review": own_review,
        "may_review": action == "continue"
        and isinstance(progress, Progress)
        and progress.status == "completed"
        and own_review is None,
        "review_errors": review_errors or {},
        "review_form": review_form or {"rating": "", "comment": ""},
        "review_message": review_message,
        "done_message": _(DONE_MESSAGES[done]) if done in DONE_MESSAGES else None,
        "appending": False,
        "idempotency_key": str(uuid.uuid4()),
    }
    return await pages_of(request).render(
        request, "courses/course.html", context, status_code=status_code
    )


@router.get("/courses/{course_id}", name="course")
async def course_view(request: Request, course_id: uuid.UUID) -> Response:
    return await course_page(request, course_id)


async def _signed_in_student(request: Request) -> str | Response:
    return await signed_in_token(request, lambda u: u.is_student, "students_only")


def _key(form: Any) -> str:
    value = form.get("idempotency_key")
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(uuid.uuid4())


@router.post("/courses/{course_id}/enroll", name="enroll")
async def enroll(request: Request, course_id: uuid.UUID) -> Response:
    token = await _signed_in_student(request)
    if isinstance(token, Response):
        return token
    form = await request.form()
    try:
        await clients_of(request).enrollment.enroll(token, course_id, _key(form))
    except Conflict:
        return redirect(request, f"/courses/{course_id}")
    except PaymentRequired:
        return redirect(request, f"/courses/{course_id}/buy")
    return redirect(request, f"/courses/{course_id}?done=enrolled")


@router.get("/courses/{course_id}/buy", name="buy")
async def buy_confirmation(request: Request, course_id: uuid.UUID) -> Response:
    token = await _signed_in_student(request)
    if isinstance(token, Response):
        return token
    course = await clients_of(request).course.course(course_id, token)
    if course.is_free:
        return redirect(request, f"/courses/{course_id}")
    return await pages_of(request).render(
        request,
        "courses/buy.html",
        {"course": course, "idempotency_key": str(uuid.uuid4()), "error": None},
    )


@router.post("/courses/{course_id}/buy", name="pay")
async def pay(request: Request, course_id: uuid.UUID) -> Response:
    token = await _signed_in_student(request)
    if isinstance(token, Response):
        return token
    form = await request.form()
    key = _key(form)
    clients = clients_of(request)
    try:
        await clients.payment.pay(token, course_id, key)
    except Conflict as exc:
        if exc.code != "already_paid":
            raise
    except ServiceError as exc:
        if exc.code == "course_is_free":
            return redirect(request, f"/courses/{course_id}")
        raise
    # A Conflict: the payment's event enrolled the student first.
    with contextlib.suppress(Conflict):
        await clients.enrollment.enroll(token, course_id, key)
    return redirect(request, f"/courses/{course_id}?done=bought")


@router.get("/courses/{course_id}/continue", name="continue")
async def continue_learning(request: Request, course_id: uuid.UUID) -> Response:
    """Opens the first lesson the student has not finished (the first, when all are)."""
    visitor = visitor_of(request)
    token = await visitor.token()
    clients = clients_of(request)
    curriculum = await clients.course.curriculum(course_id, token)
    done: set[uuid.UUID] = set()
    if token is not None and visitor.user is not None and visitor.user.is_student:
        try:
            progress = await clients.enrollment.progress(token, course_id)
            done = set(progress.completed_lesson_ids)
        except (Forbidden, NotFound):
            pass
    lessons = curriculum.lessons()
    if not lessons:
        return redirect(request, f"/courses/{course_id}")
    target = next((x for x in lessons if x.id not in done), lessons[0])
    return redirect(request, f"/lessons/{target.id}")


@router.post("/courses/{course_id}/reviews", name="review")
async def review(request: Request, course_id: uuid.UUID) -> Response:
    token = await _signed_in_student(request)
    if isinstance(token, Response):
        return token
    form = await request.form()
    typed = {"rating": str(form.get("rating", "")), "comment": str(form.get("comment", ""))}
    if typed["rating"] not in ("1", "2", "3", "4", "5"):
        return await course_page(
            request,
            course_id,
            review_errors={"rating": _("Choose a rating from 1 to 5 stars.")},
            review_form=typed,
            status_code=422,
        )
    try:
        await clients_of(request).course.add_review(
            token, course_id, int(typed["rating"]), typed["comment"]
        )
    except ValidationFailed as exc:
        return await course_page(
            request, course_id, review_errors=exc.fields, review_form=typed, status_code=422
        )
    except Conflict:
        return await course_page(
            request,
            course_id,
            review_message=_("You have already reviewed this course."),
            status_code=409,
        )
    return redirect(request, f"/courses/{course_id}?done=reviewed#reviews")
