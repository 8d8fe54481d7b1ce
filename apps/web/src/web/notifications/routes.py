"""Notifications: the list, newest first; mark one or all read."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.responses import Response

from web.clients import clients_of
from web.navigation import login_url, redirect
from web.templating import is_htmx, pages_of
from web.visitor import visitor_of

router = APIRouter()


async def _token(request: Request) -> str | None:
    token: str | None = await visitor_of(request).token()
    return token


@router.get("/notifications", name="notifications")
async def notifications(request: Request) -> Response:
    token = await _token(request)
    if token is None:
        return redirect(request, login_url(request))
    page = await clients_of(request).notification.mine(
        token, request.query_params.get("cursor") or None
    )
    return await pages_of(request).render(
        request, "notifications/index.html", {"page": page, "fresh_unread": page.unread_count}
    )


@router.post("/notifications/{notification_id}/read", name="read_notification")
async def read_one(request: Request, notification_id: uuid.UUID) -> Response:
    token = await _token(request)
    if token is None:
        return redirect(request, login_url(request))
    await clients_of(request).notification.mark_read(token, notification_id)
    if is_htmx(request):
        return await _list_block(request, token)
    return redirect(request, "/notifications")


@router.post("/notifications/read-all", name="read_all_notifications")
async def read_all(request: Request) -> Response:
    token = await _token(request)
    if token is None:
        return redirect(request, login_url(request))
    await clients_of(request).notification.mark_all_read(token)
    if is_htmx(request):
        return await _list_block(request, token)
    return redirect(request, "/notifications")


async def _list_block(request: Request, token: str) -> Response:
    page = await clients_of(request).notification.mine(token)
    return await pages_of(request).render(
        request,
        "notifications/index.html",
        {"page": page, "fresh_unread": page.unread_count},
        block="list",
    )
