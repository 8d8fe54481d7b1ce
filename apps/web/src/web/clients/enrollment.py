"""Enrollment: enrollments and lesson progress."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel

from web.clients.base import ServiceClient


class MyEnrollment(BaseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    course_title: str
    status: str
    progress_percent: int
    created_at: datetime
    completed_at: datetime | None


class MyEnrollmentPage(BaseModel):
    items: list[MyEnrollment]
    next_cursor: str | None


class Progress(BaseModel):
    course_id: uuid.UUID
    completed_lessons: int
    total_lessons: int
    percent: int
    completed_lesson_ids: list[uuid.UUID]
    status: str


class EnrollmentClient(ServiceClient):
    name = "enrollment"

    async def enroll(self, token: str, course_id: uuid.UUID, idempotency_key: str) -> None:
        await self.request(
            "POST",
            "/enrollments",
            token=token,
            json={"course_id": str(course_id)},
            headers={"Idempotency-Key": idempotency_key},
        )

    async def mine(self, token: str, cursor: str | None = None) -> MyEnrollmentPage:
        return await self.get_model(
            MyEnrollmentPage, "/enrollments/me", token=token, cursor=cursor, limit=50
        )

    async def progress(self, token: str, course_id: uuid.UUID) -> Progress:
        return await self.get_model(Progress, f"/progress/courses/{course_id}", token=token)

    async def complete_lesson(self, token: str, lesson_id: uuid.UUID) -> Progress:
        response = await self.request(
            "POST", f"/progress/lessons/{lesson_id}/complete", token=token
        )
        return Progress.model_validate_json(response.content)
