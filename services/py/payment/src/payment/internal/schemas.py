"""Bodies of the routes other services call."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field


class CompletedPaymentStatus(BaseModel):
    student_id: uuid.UUID
    course_id: uuid.UUID
    completed: bool = Field(description="Whether the student has a completed payment for it")
    payment_id: uuid.UUID | None = Field(description="The completed payment, when there is one")
