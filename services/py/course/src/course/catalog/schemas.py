"""Bodies for the course and category routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from edu_common.fields import WHOLE, Omittable
from edu_common.pagination import Page
from edu_common.sanitize import Text
from pydantic import AfterValidator, BaseModel, Field, StrictInt, StringConstraints, WithJsonSchema

from course.catalog.currencies import CIRCULATING, is_circulating


class Level(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Sort(StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    RATING = "rating"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"


Title = Annotated[str, Text(max_length=200, required=True)]
Description = Annotated[str, Text(max_length=10_000, multiline=True)]


def _currency(code: str) -> str:
    if not is_circulating(code):
        raise ValueError("currency must be an ISO 4217 code of a currency in circulation")
    return code


# The codes are listed in OpenAPI too, so a client knows `ZZZ` is refused before it tries.
Currency = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    AfterValidator(_currency),
    WithJsonSchema({"type": "string", "enum": sorted(CIRCULATING)}),
]
# Strict: `true` or "100" is a client's mistake, not an amount.
Price = Annotated[StrictInt, Field(ge=0, le=100_000_000), WHOLE]
Minutes = Annotated[StrictInt, Field(ge=0, le=100_000), WHOLE]


class CourseCreate(BaseModel):
    title: Title
    description: Description = ""
    level: Level
    price_cents: Price
    currency: Currency = "USD"
    category_id: uuid.UUID | None = None
    duration_minutes: Minutes = 0
    # A draft is seen only by its teacher and admins until POST /courses/{id}/publish.
    status: Literal["draft", "published"] = "published"


class CourseUpdate(BaseModel):
    """Fields left out stay as they are; `category_id: null` removes the category. A null for a
    field that cannot be empty is refused (422), so the schema does not offer it."""

    title: Omittable[Title] = None
    description: Omittable[Description] = None
    level: Omittable[Level] = None
    price_cents: Omittable[Price] = None
    currency: Omittable[Currency] = None
    category_id: uuid.UUID | None = None
    duration_minutes: Omittable[Minutes] = None


class CourseOut(BaseModel):
    id: uuid.UUID
    title: str
    description: str
    teacher_id: uuid.UUID
    teacher_name: str
    category_id: uuid.UUID | None
    level: Level
    price_cents: int
    currency: str
    is_free: bool
    duration_minutes: int
    avg_rating: float | None
    review_count: int
    enrollment_count: int
    status: str
    created_at: datetime


class CourseDetail(CourseOut):
    updated_at: datetime


class CategoryOut(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    course_count: int


CoursePage = Page[CourseOut]


class CatalogPage(CoursePage):
    """A catalog page, with the query's result count on its first page."""

    total: int | None = None
