"""Event payloads, defined once for publishers and consumers alike.

Each event has a subject (relative to the bus prefix) that ends in its version. A change that
breaks consumers gets a new class with the next version; both are published while consumers
move over.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field


def _now() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    subject: ClassVar[str]
    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    occurred_at: datetime = Field(default_factory=_now)


_REGISTRY: dict[str, type[Event]] = {}


def register(cls: type[Event]) -> type[Event]:
    if cls.subject in _REGISTRY:
        raise ValueError(f"two events share the subject {cls.subject}")
    _REGISTRY[cls.subject] = cls
    return cls


def all_events() -> dict[str, type[Event]]:
    return dict(_REGISTRY)


# --- identity -----------------------------------------------------------------------------


@register
class UserRegistered(Event):
    subject: ClassVar[str] = "identity.user_registered.v1"
    user_id: uuid.UUID
    email: str
    name: str
    role: str


@register
class TeacherVerified(Event):
    subject: ClassVar[str] = "identity.teacher_verified.v1"
    user_id: uuid.UUID
    email: str
    name: str


# --- course -------------------------------------------------------------------------------


class CourseSnapshot(Event):
    """The facts other services keep about a course. `revision` grows with every change, so a
    projection applies a snapshot only when it is newer than the one it holds."""

    course_id: uuid.UUID
    teacher_id: uuid.UUID
    title: str
    price_cents: int
    currency: str
    status: str
    lesson_ids: list[uuid.UUID]
    revision: int


@register
class CourseCreated(CourseSnapshot):
    subject: ClassVar[str] = "course.course_created.v1"


@register
class CourseUpdated(CourseSnapshot):
    subject: ClassVar[str] = "course.course_updated.v1"


@register
class CourseArchived(CourseSnapshot):
    subject: ClassVar[str] = "course.course_archived.v1"


@register
class LessonCreated(CourseSnapshot):
    subject: ClassVar[str] = "course.lesson_created.v1"
    lesson_id: uuid.UUID


@register
class LessonDeleted(CourseSnapshot):
    subject: ClassVar[str] = "course.lesson_deleted.v1"
    lesson_id: uuid.UUID


# --- enrollment ---------------------------------------------------------------------------


@register
class EnrollmentCreated(Event):
    subject: ClassVar[str] = "enrollment.enrollment_created.v1"
    enrollment_id: uuid.UUID
    course_id: uuid.UUID
    student_id: uuid.UUID
    course_title: str


@register
class EnrollmentCompleted(Event):
    subject: ClassVar[str] = "enrollment.enrollment_completed.v1"
    enrollment_id: uuid.UUID
    course_id: uuid.UUID
    student_id: uuid.UUID
    course_title: str
    completed_at: datetime


# --- payment ------------------------------------------------------------------------------


@register
class PaymentCompleted(Event):
    subject: ClassVar[str] = "payment.payment_completed.v1"
    payment_id: uuid.UUID
    course_id: uuid.UUID
    student_id: uuid.UUID
    amount_cents: int
    currency: str
    course_title: str
