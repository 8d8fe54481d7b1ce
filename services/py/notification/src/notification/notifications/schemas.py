"""Bodies for the notification routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from edu_common.pagination import Page
from edu_common.sanitize import Text
from pydantic import BaseModel, Field

# A title that was only a script tag or zero-width spaces is empty: 422.
Title = Annotated[str, Text(max_length=200, required=True)]
Body = Annotated[str, Text(max_length=2000, required=True, multiline=True)]


class NotificationOut(BaseModel):
    id: uuid.UUID
    type: str
    title: str
    body: str
    is_read: bool
    created_at: datetime
    data: dict[str, Any]


class NotificationPage(Page[NotificationOut]):
    unread_count: int


class NewNotification(BaseModel):
    user_id: uuid.UUID
    type: str = Field(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=64)
    title: Title
    body: Body
