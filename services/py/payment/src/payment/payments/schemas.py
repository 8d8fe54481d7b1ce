"""Payment request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class PaymentIn(BaseModel):
    course_id: uuid.UUID


class PaymentOut(BaseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    student_id: uuid.UUID
    amount_cents: int
    currency: str
    status: Literal["completed"]
    created_at: datetime


class PaymentPage(BaseModel):
    items: list[PaymentOut]
    next_cursor: str | None
