"""Bodies for the module, lesson and curriculum routes."""

from __future__ import annotations

import uuid
from typing import Annotated

from edu_common.fields import WHOLE, Omittable
from edu_common.sanitize import Text
from pydantic import AfterValidator, BaseModel, Field, StrictBool, StrictInt, StringConstraints

from course.curriculum.content import embed_video_url

Title = Annotated[str, Text(max_length=200, required=True)]
Position = Annotated[StrictInt, Field(ge=1, le=10_000), WHOLE]
Minutes = Annotated[StrictInt, Field(ge=0, le=100_000), WHOLE]


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


# Fields left out stay as they are. A null where the column cannot be empty is refused, so the
# schema does not offer it (SkipJsonSchema keeps the None default out of OpenAPI).
class ModuleUpdate(BaseModel):
    title: Omittable[Title] = None
    position: Omittable[Position] = None


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
    # Strict: "yes" or 1 is a client's mistake, not a yes.
    is_preview: StrictBool = False


class LessonUpdate(BaseModel):
    title: Omittable[Title] = None
    content: Omittable[Markdown] = None
    video_url: VideoUrl | None = None
    duration_minutes: Omittable[Minutes] = None
    position: Omittable[Position] = None
    is_preview: Omittable[StrictBool] = None


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
