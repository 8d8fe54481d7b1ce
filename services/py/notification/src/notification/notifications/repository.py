"""SQL for notifications."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from edu_common.pagination import PageRequest, newest_first, paginate

_COLUMNS = "id, user_id, type, title, body, data, is_read, created_at"
# Served by notifications_user_recent (user_id, created_at DESC, id DESC).
NEWEST_FIRST = newest_first()


@dataclass(frozen=True)
class Notification:
    id: uuid.UUID
    user_id: uuid.UUID
    type: str
    title: str
    body: str
    data: dict[str, Any]
    is_read: bool
    created_at: datetime

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "title": self.title,
            "body": self.body,
            "is_read": self.is_read,
            "created_at": self.created_at,
            "data": self.data,
        }


class NotificationRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(
        self,
        user_id: uuid.UUID,
        type_: str,
        title: str,
        body: str,
        data: dict[str, Any] | None = None,
    ) -> Notification:
        row = await self.conn.fetchrow(
            f"""
            INSERT INTO notifications (user_id, type, title, body, data)
            VALUES ($1, $2, $3, $4, $5) RETURNING {_COLUMNS}
            """,  # noqa: S608 - columns are constants; values are bound
            user_id,
            type_,
            title,
            body,
            data or {},
        )
        return Notification(**dict(row))

    async def newest_for(
        self, user_id: uuid.UUID, page: PageRequest
    ) -> tuple[list[Notification], str | None]:
        """A user's notifications, newest first, and the next page's cursor."""
        rows, next_cursor = await paginate(
            self.conn,
            f"SELECT {_COLUMNS} FROM notifications WHERE user_id = $1",  # noqa: S608 - columns are constants; values are bound
            [user_id],
            NEWEST_FIRST,
            page,
        )
        return [Notification(**dict(r)) for r in rows], next_cursor

    async def unread_count(self, user_id: uuid.UUID) -> int:
        count: int = await self.conn.fetchval(
            "SELECT count(*) FROM notifications WHERE user_id = $1 AND NOT is_read", user_id
        )
        return count

    async def mark_read(
        self, user_id: uuid.UUID, notification_id: uuid.UUID
    ) -> Notification | None:
        row = await self.conn.fetchrow(
            f"""
            UPDATE notifications SET is_read = true
            WHERE id = $1 AND user_id = $2 RETURNING {_COLUMNS}
            """,  # noqa: S608 - columns are constants; values are bound
            notification_id,
            user_id,
        )
        return Notification(**dict(row)) if row is not None else None

    async def mark_all_read(self, user_id: uuid.UUID) -> None:
        await self.conn.execute(
            "UPDATE notifications SET is_read = true WHERE user_id = $1 AND NOT is_read", user_id
        )
