"""Events as another service would send them, for tests of the services that consume them."""

from __future__ import annotations

import uuid
from typing import Any

from edu_common.events.contracts import CourseCreated


def course_created(price_cents: int = 0, lessons: int = 3, **fields: Any) -> CourseCreated:
    """A published course as the course service announces it; `fields` override any value."""
    values: dict[str, Any] = {
        "course_id": uuid.uuid4(),
        "teacher_id": uuid.uuid4(),
        "title": "Python Basics",
        "price_cents": price_cents,
        "currency": "USD",
        "status": "published",
        "lesson_ids": [uuid.uuid4() for _ in range(lessons)],
        "revision": 1,
        **fields,
    }
    return CourseCreated(**values)
