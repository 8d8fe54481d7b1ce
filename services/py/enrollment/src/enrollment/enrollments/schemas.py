"""Enrollment request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class EnrollmentIn(BaseModel):
    course_id: uuid.UUID


class EnrollmentOut(BaseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    student_id: uuid.UUID
    status: Literal["active", "completed"]
    created_at: datetime


class MyEnrollment(BaseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    course_title: str
    status: Literal["active", "completed"]
    progress_percent: int = Field(
        ge=0,
        le=100,
        description="Of the course's current lessons, rounded down; a lesson added after "
        "completion lowers it while `status` stays `completed`",
    )
    created_at: datetime
    completed_at: datetime | None


class MyEnrollmentPage(BaseModel):
    items: list[MyEnrollment]
    next_cursor: str | None


class EnrollmentCount(BaseModel):
    course_id: uuid.UUID
    count: int
