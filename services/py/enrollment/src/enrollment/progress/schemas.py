"""Progress response bodies."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field


class CourseProgress(BaseModel):
    course_id: uuid.UUID
    completed_lessons: int
    total_lessons: int
    percent: int = Field(ge=0, le=100, description="Rounded down")
    completed_lesson_ids: list[uuid.UUID]
    status: Literal["active", "completed"]
