"""Notification: the signed-in user's notifications."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from web.clients.base import ServiceClient


class Notification(BaseModel):
    id: uuid.UUID
    type: str
    title: str
    body: str
    is_read: bool
    created_at: datetime
    data: dict[str, Any]


class NotificationPage(BaseModel):
    items: list[Notification]
    next_cursor: str | None
    unread_count: int


class NotificationClient(ServiceClient):
    name = "notification"

    async def mine(
        self, token: str, cursor: str | None = None, limit: int = 20
    ) -> NotificationPage:
        return await self.get_model(
            NotificationPage, "/notifications/me", token=token, cursor=cursor, limit=limit
        )

    async def mark_read(self, token: str, notification_id: uuid.UUID) -> None:
        await self.request("PATCH", f"/notifications/{notification_id}/read", token=token)

    async def mark_all_read(self, token: str) -> None:
        await self.request("POST", "/notifications/read-all", token=token)
