"""Bodies for the review routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from edu_common.fields import WHOLE
from edu_common.pagination import Page
from edu_common.sanitize import Text
from pydantic import BaseModel, Field, StrictInt


class ReviewCreate(BaseModel):
    course_id: uuid.UUID
    # Strict: `true` or "5" is a client's mistake, not a rating.
    rating: Annotated[StrictInt, Field(ge=1, le=5), WHOLE]
    comment: Annotated[str, Text(max_length=5000, multiline=True)] = ""


class ReviewOut(BaseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    student_id: uuid.UUID
    author_name: str
    rating: int
    comment: str
    created_at: datetime


ReviewPage = Page[ReviewOut]
