"""Course: catalog, courses, curriculum, lessons, reviews."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from web.clients.base import ServiceClient


class Course(BaseModel):
    id: uuid.UUID
    title: str
    description: str
    teacher_id: uuid.UUID
    teacher_name: str
    category_id: uuid.UUID | None
    level: str
    price_cents: int
    currency: str
    is_free: bool
    duration_minutes: int
    avg_rating: float | None
    review_count: int
    enrollment_count: int
    status: str
    created_at: datetime


class CoursePage(BaseModel):
    items: list[Course]
    next_cursor: str | None
    total: int | None = None  # the catalog's result count, on its first page only


class Category(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    course_count: int


class LessonSummary(BaseModel):
    id: uuid.UUID
    title: str
    position: int
    duration_minutes: int
    is_preview: bool


class ModuleOutline(BaseModel):
    id: uuid.UUID
    title: str
    position: int
    lessons: list[LessonSummary]

    @property
    def duration_minutes(self) -> int:
        return sum(lesson.duration_minutes for lesson in self.lessons)


class Curriculum(BaseModel):
    course_id: uuid.UUID
    modules: list[ModuleOutline]
    total_lessons: int

    def lessons(self) -> list[LessonSummary]:
        return [lesson for module in self.modules for lesson in module.lessons]

    def find(self, lesson_id: uuid.UUID | None) -> LessonSummary | None:
        return next((x for x in self.lessons() if x.id == lesson_id), None)


class Lesson(BaseModel):
    id: uuid.UUID
    module_id: uuid.UUID
    course_id: uuid.UUID
    title: str
    content: str = ""
    content_html: str
    video_url: str | None
    duration_minutes: int
    position: int
    is_preview: bool = False
    prev_lesson_id: uuid.UUID | None = None
    next_lesson_id: uuid.UUID | None = None


class Review(BaseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    student_id: uuid.UUID
    author_name: str
    rating: int
    comment: str
    created_at: datetime


class ReviewPage(BaseModel):
    items: list[Review]
    next_cursor: str | None


class CourseClient(ServiceClient):
    name = "course"

    async def search(self, **params: Any) -> CoursePage:
        return await self.get_model(CoursePage, "/courses", **params)

    async def categories(self) -> list[Category]:
        return await self.get_list(Category, "/categories")

    async def course(self, course_id: uuid.UUID, token: str | None = None) -> Course:
        return await self.get_model(Course, f"/courses/{course_id}", token=token)

    async def curriculum(self, course_id: uuid.UUID, token: str | None = None) -> Curriculum:
        return await self.get_model(Curriculum, f"/courses/{course_id}/curriculum", token=token)

    async def lesson(self, lesson_id: uuid.UUID, token: str | None = None) -> Lesson:
        return await self.get_model(Lesson, f"/lessons/{lesson_id}", token=token)

    async def reviews(
        self, course_id: uuid.UUID, cursor: str | None = None, limit: int = 5
    ) -> ReviewPage:
        return await self.get_model(
            ReviewPage, f"/reviews/course/{course_id}", cursor=cursor, limit=limit
        )

    async def add_review(
        self, token: str, course_id: uuid.UUID, rating: int, comment: str
    ) -> Review:
        body = {"course_id": str(course_id), "rating": rating, "comment": comment}
        response = await self.request("POST", "/reviews", token=token, json=body)
        return Review.model_validate_json(response.content)

    # Teaching: the owner's courses, modules and lessons.

    async def my_courses(self, token: str, cursor: str | None = None) -> CoursePage:
        return await self.get_model(CoursePage, "/courses/my", token=token, cursor=cursor, limit=50)

    async def create_course(self, token: str, body: dict[str, Any]) -> Course:
        response = await self.request("POST", "/courses", token=token, json=body)
        return Course.model_validate_json(response.content)

    async def update_course(self, token: str, course_id: uuid.UUID, body: dict[str, Any]) -> Course:
        response = await self.request("PUT", f"/courses/{course_id}", token=token, json=body)
        return Course.model_validate_json(response.content)

    async def publish(self, token: str, course_id: uuid.UUID) -> None:
        await self.request("POST", f"/courses/{course_id}/publish", token=token)

    async def add_module(self, token: str, course_id: uuid.UUID, title: str) -> None:
        await self.request(
            "POST", f"/courses/{course_id}/modules", token=token, json={"title": title}
        )

    async def update_module(self, token: str, module_id: uuid.UUID, body: dict[str, Any]) -> None:
        await self.request("PUT", f"/modules/{module_id}", token=token, json=body)

    async def delete_module(self, token: str, module_id: uuid.UUID) -> None:
        await self.request("DELETE", f"/modules/{module_id}", token=token)

    async def add_lesson(self, token: str, module_id: uuid.UUID, body: dict[str, Any]) -> Lesson:
        response = await self.request(
            "POST", f"/modules/{module_id}/lessons", token=token, json=body
        )
        return Lesson.model_validate_json(response.content)

    async def update_lesson(self, token: str, lesson_id: uuid.UUID, body: dict[str, Any]) -> None:
        await self.request("PUT", f"/lessons/{lesson_id}", token=token, json=body)

    async def delete_lesson(self, token: str, lesson_id: uuid.UUID) -> None:
        await self.request("DELETE", f"/lessons/{lesson_id}", token=token)
