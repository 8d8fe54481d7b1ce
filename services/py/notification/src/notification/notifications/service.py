"""Notification rules: a user sees and marks only their own notifications."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
from edu_common.errors import not_found
from edu_common.pagination import CursorCodec, invalid_cursor

from notification.notifications.repository import Notification, NotificationRepository
from notification.recipients.repository import RecipientRepository

MY_NOTIFICATIONS = "my_notifications"


async def my_notifications(
    conn: asyncpg.Connection,
    cursors: CursorCodec,
    user_id: uuid.UUID,
    limit: int,
    cursor: str | None,
) -> tuple[list[Notification], str | None, int]:
    """One page of the user's notifications, newest first, the next cursor and how many
    of all their notifications are unread."""
    before: tuple[datetime, uuid.UUID] | None = None
    if cursor is not None:
        values = cursors.decode(MY_NOTIFICATIONS, cursor)
        try:
            created_at, notification_id = values
            before = (datetime.fromisoformat(str(created_at)), uuid.UUID(str(notification_id)))
        except (ValueError, TypeError):
            raise invalid_cursor() from None
    repository = NotificationRepository(conn)
    found = await repository.newest_for(user_id, limit + 1, before)
    page, more = found[:limit], len(found) > limit
    next_cursor = None
    if more:
        last = page[-1]
        next_cursor = cursors.encode(MY_NOTIFICATIONS, [last.created_at.isoformat(), last.id])
    return page, next_cursor, await repository.unread_count(user_id)


async def mark_read(
    conn: asyncpg.Connection, user_id: uuid.UUID, notification_id: uuid.UUID
) -> Notification:
    # Someone else's notification is indistinguishable from one that does not exist.
    found = await NotificationRepository(conn).mark_read(user_id, notification_id)
    if found is None:
        raise not_found("notification")
    return found


async def mark_all_read(conn: asyncpg.Connection, user_id: uuid.UUID) -> None:
    await NotificationRepository(conn).mark_all_read(user_id)


async def notify(
    conn: asyncpg.Connection, user_id: uuid.UUID, type_: str, title: str, body: str
) -> Notification:
    """404 for a user identity never announced: nobody could ever read the notification."""
    if await RecipientRepository(conn).get(user_id) is None:
        raise not_found("user")
    return await NotificationRepository(conn).add(user_id, type_, title, body)
