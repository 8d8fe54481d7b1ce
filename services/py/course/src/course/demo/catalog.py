"""The demo catalog: every course, module and lesson, the same on every machine.

Ids are uuid5 names and every choice comes from a random generator seeded with the course's
name, so the catalog is identical on each run: outlining it (ids and order) is cheap, writing a
course's lessons is done only for courses that are not in the database yet.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from edu_common.demo import DEMO_NAMESPACE

from course.demo.library import subjects
from course.demo.subject import Subject
from course.demo.writing import (
    LessonWriter,
    course_description,
    course_title,
    lesson_kinds,
    lesson_title,
)

LEVELS = ("beginner", "intermediate", "advanced")
PRICES_CENTS = {
    "beginner": (1900, 2400, 2900, 3900),
    "intermediate": (3900, 4900, 5900, 6900),
    "advanced": (6900, 7900, 9900, 12900),
}
FREE_SHARE = 0.3
# Demo courses appear to have been published over the past months, newest first in the catalog.
MINUTES_BETWEEN_COURSES = 17 * 60


@dataclass(frozen=True)
class Outline:
    """A demo course before its text is written."""

    id: uuid.UUID
    subject: Subject
    level: str
    age_minutes: int  # how long ago it was published


@dataclass(frozen=True)
class DemoLesson:
    id: uuid.UUID
    title: str
    content: str
    content_html: str
    duration_minutes: int
    position: int
    is_preview: bool


@dataclass(frozen=True)
class DemoModule:
    id: uuid.UUID
    title: str
    position: int
    lessons: tuple[DemoLesson, ...]


@dataclass(frozen=True)
class DemoCourse:
    outline: Outline
    title: str
    description: str
    price_cents: int
    modules: tuple[DemoModule, ...]

    @property
    def id(self) -> uuid.UUID:
        return self.outline.id

    @property
    def lesson_ids(self) -> list[uuid.UUID]:
        return [lesson.id for module in self.modules for lesson in module.lessons]

    @property
    def duration_minutes(self) -> int:
        return sum(lesson.duration_minutes for m in self.modules for lesson in m.lessons)


def _name(subject: Subject, level: str) -> str:
    return f"course/{subject.language}/{subject.name}/{level}"


def outline_catalog() -> list[Outline]:
    """Every demo course, in the order the catalog shows them (newest first)."""
    pairs = [(subject, level) for subject in subjects() for level in LEVELS]
    random.Random("edu-demo-catalog").shuffle(pairs)
    return [
        Outline(
            id=uuid.uuid5(DEMO_NAMESPACE, _name(subject, level)),
            subject=subject,
            level=level,
            age_minutes=(i + 1) * MINUTES_BETWEEN_COURSES,
        )
        for i, (subject, level) in enumerate(pairs)
    ]


def _topics(subject: Subject, level: str, count: int) -> list[str]:
    """A run of the subject's topics that fits the level: the first, middle or last ones."""
    topics = list(subject.topics)
    start = {"beginner": 0, "intermediate": (len(topics) - count) // 2}.get(
        level, len(topics) - count
    )
    return topics[start : start + count]


def _duration(kind: str, rng: random.Random) -> int:
    low, high = {"overview": (5, 10), "quiz": (5, 10), "practice": (15, 30)}.get(kind, (8, 20))
    return rng.randint(low, high)


def write_course(outline: Outline, writer: LessonWriter) -> DemoCourse:
    subject, level = outline.subject, outline.level
    name = _name(subject, level)
    rng = random.Random(name)
    price = 0 if rng.random() < FREE_SHARE else rng.choice(PRICES_CENTS[level])
    topics = _topics(subject, level, rng.randint(2, 4))
    modules = []
    for m, topic in enumerate(topics, start=1):
        module_name = f"{name}/module/{m}"
        lessons = []
        for position, kind in enumerate(lesson_kinds(rng.randint(2, 5), rng), start=1):
            content, html = writer.lesson(subject, level, kind, topic, rng)
            # Paid courses open their first lesson, and sometimes another one, as a preview.
            preview = price > 0 and position == 1 and (m == 1 or rng.random() < 0.25)
            lessons.append(
                DemoLesson(
                    id=uuid.uuid5(DEMO_NAMESPACE, f"{module_name}/lesson/{position}"),
                    title=lesson_title(subject, kind, topic),
                    content=content,
                    content_html=html,
                    duration_minutes=_duration(kind, rng),
                    position=position,
                    is_preview=preview,
                )
            )
        modules.append(
            DemoModule(
                id=uuid.uuid5(DEMO_NAMESPACE, module_name),
                title=topic[:1].upper() + topic[1:],
                position=m,
                lessons=tuple(lessons),
            )
        )
    return DemoCourse(
        outline=outline,
        title=course_title(subject, level, rng),
        description=course_description(subject, level, topics, rng),
        price_cents=price,
        modules=tuple(modules),
    )


def write_courses(outlines: list[Outline]) -> list[DemoCourse]:
    writer = LessonWriter()
    return [write_course(outline, writer) for outline in outlines]
