"""Bodies for the notification routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from edu_common.pagination import Page
from edu_common.sanitize import PlainText
from pydantic import AfterValidator, BaseModel, Field


def _not_blank(text: str) -> str:
    # Checked after markup is stripped: a title that was only a script tag is empty.
    if not text:
        raise ValueError("must not be empty once markup is removed")
    return text


Title = Annotated[PlainText, Field(min_length=1, max_length=200), AfterValidator(_not_blank)]
Body = Annotated[PlainText, Field(min_length=1, max_length=2000), AfterValidator(_not_blank)]


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
