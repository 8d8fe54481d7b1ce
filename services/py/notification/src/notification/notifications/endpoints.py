"""Notification routes: the caller's notifications, and creating one for someone."""

from __future__ import annotations

import uuid
from typing import Any

from edu_common.auth import AdminOrService, CurrentUser
from edu_common.db import DbConn, DbRead
from edu_common.errors import error_responses
from edu_common.pagination import Cursor, Cursors, Limit
from fastapi import APIRouter, Response, status

from notification.notifications import service
from notification.notifications.schemas import NewNotification, NotificationOut, NotificationPage

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get(
    "/me",
    response_model=NotificationPage,
    responses=error_responses(400, 401, 422),
    summary="The caller's notifications, newest first, with how many are unread",
)
async def my_notifications(
    user: CurrentUser, conn: DbRead, cursors: Cursors, limit: Limit = 20, cursor: Cursor = None
) -> Any:
    items, next_cursor, unread = await service.my_notifications(
        conn, cursors, user.user_id, limit, cursor
    )
    return {
        "items": [n.public() for n in items],
        "next_cursor": next_cursor,
        "unread_count": unread,
    }


@router.patch(
    "/{notification_id}/read",
    response_model=NotificationOut,
    responses=error_responses(401, 404, 422),
    summary="Mark one of the caller's notifications read",
    description="404 for an unknown notification and for someone else's.",
)
async def mark_read(notification_id: uuid.UUID, user: CurrentUser, conn: DbConn) -> Any:
    found = await service.mark_read(conn, user.user_id, notification_id)
    return found.public()


@router.post(
    "/read-all",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=error_responses(401),
    summary="Mark all the caller's notifications read",
)
async def mark_all_read(user: CurrentUser, conn: DbConn) -> Response:
    await service.mark_all_read(conn, user.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=NotificationOut,
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Create a notification for a user (admins and other services)",
    description="Title and body are plain text: any markup is removed. 404 `not_found` for "
    "a user id identity has not announced.",
)
async def create_notification(body: NewNotification, _: AdminOrService, conn: DbConn) -> Any:
    created = await service.notify(conn, body.user_id, body.type, body.title, body.body)
    return created.public()
