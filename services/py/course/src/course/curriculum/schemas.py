"""Bodies for the module, lesson and curriculum routes."""

from __future__ import annotations

import uuid
from typing import Annotated

from edu_common.sanitize import PlainText
from pydantic import AfterValidator, BaseModel, Field, StrictInt, StringConstraints

from course.curriculum.content import embed_video_url

Title = Annotated[PlainText, StringConstraints(min_length=1, max_length=200)]
Position = Annotated[StrictInt, Field(ge=1, le=10_000)]
Minutes = Annotated[StrictInt, Field(ge=0, le=100_000)]


def _video(url: str) -> str:
    # Stored and served as the player's URL, rebuilt from the video id.
    embed = embed_video_url(url)
    if embed is None:
        raise ValueError("video_url must be a link to a YouTube or Vimeo video")
    return embed


def _storable(text: str) -> str:
    # Lesson markdown is kept as written, so a NUL (which PostgreSQL cannot store) is refused
    # rather than silently dropped.
    if "\x00" in text:
        raise ValueError("text must not contain NUL characters")
    return text


VideoUrl = Annotated[str, StringConstraints(max_length=500), AfterValidator(_video)]
Markdown = Annotated[str, StringConstraints(max_length=100_000), AfterValidator(_storable)]


class ModuleCreate(BaseModel):
    title: Title
    position: Position | None = None


class ModuleUpdate(BaseModel):
    title: Title | None = None
    position: Position | None = None


class ModuleOut(BaseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    title: str
    position: int


class LessonCreate(BaseModel):
    title: Title
    content: Markdown = ""
    video_url: VideoUrl | None = None
    duration_minutes: Minutes = 0
    position: Position | None = None
    is_preview: bool = False


class LessonUpdate(BaseModel):
    title: Title | None = None
    content: Markdown | None = None
    video_url: VideoUrl | None = None
    duration_minutes: Minutes | None = None
    position: Position | None = None
    is_preview: bool | None = None


class LessonOut(BaseModel):
    id: uuid.UUID
    module_id: uuid.UUID
    course_id: uuid.UUID
    title: str
    content: str
    content_html: str
    video_url: str | None
    duration_minutes: int
    position: int
    is_preview: bool


class LessonView(LessonOut):
    prev_lesson_id: uuid.UUID | None
    next_lesson_id: uuid.UUID | None


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


class Curriculum(BaseModel):
    course_id: uuid.UUID
    modules: list[ModuleOutline]
    total_lessons: int
