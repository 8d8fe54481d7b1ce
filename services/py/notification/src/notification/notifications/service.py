"""Notification rules: a user sees and marks only their own notifications."""

from __future__ import annotations

import uuid

import asyncpg
from edu_common.errors import not_found
from edu_common.pagination import CursorCodec, PageRequest

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
    page = PageRequest.decode(cursors, MY_NOTIFICATIONS, limit, cursor)
    repository = NotificationRepository(conn)
    found, next_cursor = await repository.newest_for(user_id, page)
    return found, next_cursor, await repository.unread_count(user_id)


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
