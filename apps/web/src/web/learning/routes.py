"""My learning: each enrolled course with "N of M lessons", a bar and a continue link."""

from __future__ import annotations

import asyncio
import uuid

from fastapi import APIRouter, Request
from starlette.responses import Response

from web.clients import clients_of
from web.clients.enrollment import Progress
from web.clients.errors import ServiceError, ServiceUnavailable
from web.navigation import login_url, redirect
from web.templating import pages_of
from web.visitor import visitor_of

router = APIRouter()


@router.get("/learning", name="learning")
async def my_learning(request: Request) -> Response:
    visitor = visitor_of(request)
    token = await visitor.token()
    if token is None:
        return redirect(request, login_url(request))
    enrollment = clients_of(request).enrollment
    page = await enrollment.mine(token, request.query_params.get("cursor") or None)

    async def progress_of(course_id: uuid.UUID) -> Progress | None:
        try:
            result: Progress = await enrollment.progress(token, course_id)
        except (ServiceUnavailable, ServiceError):
            return None
        return result

    progress = await asyncio.gather(*(progress_of(e.course_id) for e in page.items))
    rows = list(zip(page.items, progress, strict=True))
    return await pages_of(request).render(
        request, "learning/index.html", {"rows": rows, "next_cursor": page.next_cursor}
    )
