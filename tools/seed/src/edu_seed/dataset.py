"""The seeded platform as rows, deterministic for a seed: users, then courses in batches, each
course with its curriculum, its enrollments (progress, payments, reviews) and every other
service's projection of it.

Nothing here touches a database. A plan (who enrolls where, who paid, who reviewed) is drawn
first from one generator; each course's own rows then come from a generator seeded by the
course's number, so a batch needs nothing but the plan, and every projection of a course is
made from the same values as the course itself.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from course.curriculum.content import render_markdown

from edu_seed.catalog_text import CatalogGenerator
from edu_seed.lessons import LESSON_BODIES, LESSON_WORDS, REVIEW_COMMENTS
from edu_seed.scale import SEED_ADMIN_EMAIL, Scale, student_email, teacher_email

# The seeded history: two years up to this moment (fixed, so a seed always gives the same rows).
HISTORY_END = datetime(2026, 1, 1, tzinfo=UTC)
HISTORY = timedelta(days=730)
LEVELS = ("beginner", "beginner", "intermediate", "advanced")
PRICES = (990, 1990, 2990, 4990, 9990, 19990)
FIRST_NAMES = (
    "Alex", "Maria", "Ivan", "Olga", "John", "Emma", "Dmitry", "Anna", "Liam", "Sofia",
    "Noah", "Elena", "Omar", "Yuki", "Priya", "Lucas", "Chen", "Fatima", "Mateo", "Nina",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Ivanova", "Petrov", "Garcia", "Kim", "Müller", "Rossi", "Novak", "Silva",
    "Tanaka", "Khan", "Dubois", "Kowalski", "Jensen", "Popescu", "Nguyen", "Cohen", "Sato",
)  # fmt: skip
# Table -> its columns, named in every COPY so columns added later with defaults do no harm.
COLUMNS: dict[str, tuple[str, ...]] = {
    "identity.users": ("id", "email", "password_hash", "name", "role", "is_verified",
                       "email_verified", "created_at", "updated_at"),
    "notification.recipients": ("user_id", "email", "name", "updated_at"),
    "course.courses": ("id", "teacher_id", "teacher_name", "title", "description", "level",
                       "price_cents", "currency", "category_id", "duration_minutes", "status",
                       "avg_rating", "review_count", "rating_sum", "enrollment_count",
                       "revision", "created_at", "updated_at"),
    "course.modules": ("id", "course_id", "title", "position", "created_at"),
    "course.lessons": ("id", "module_id", "course_id", "title", "content", "content_html",
                       "video_url", "duration_minutes", "position", "is_preview", "created_at",
                       "updated_at"),
    "course.reviews": ("id", "course_id", "student_id", "author_name", "rating", "comment",
                       "created_at"),
    "course.enrollments": ("course_id", "student_id", "enrollment_id", "status", "updated_at"),
    "enrollment.courses": ("id", "title", "price_cents", "currency", "status", "lesson_ids",
                           "revision", "updated_at"),
    "enrollment.enrollments": ("id", "student_id", "course_id", "course_title", "status",
                               "created_at", "completed_at"),
    "enrollment.paid_courses": ("student_id", "course_id", "payment_id", "paid_at"),
    "enrollment.lesson_completions": ("enrollment_id", "lesson_id", "completed_at"),
    "payment.courses": ("id", "title", "price_cents", "currency", "status", "revision",
                        "updated_at"),
    "payment.payments": ("id", "course_id", "student_id", "amount_cents", "currency", "status",
                         "provider_reference", "created_at"),
}  # fmt: skip
USER_TABLES = ("identity.users", "notification.recipients")
# In the order a batch is written: rows that others reference first.
COURSE_TABLES = tuple(t for t in COLUMNS if t not in USER_TABLES)

Row = tuple[object, ...]


@dataclass(frozen=True)
class User:
    id: uuid.UUID
    email: str
    name: str
    role: str
    created_at: datetime


@dataclass(frozen=True)
class CoursePlan:
    """What the plan fixes about a course before its rows are made."""

    teacher: int
    price_cents: int
    category: int
    level: str
    module_sizes: tuple[int, ...]

    @property
    def lessons(self) -> int:
        return sum(self.module_sizes)


@dataclass(frozen=True)
class PlannedEnrollment:
    student: int
    reviewed: bool


@dataclass
class Batch:
    courses: int = 0
    rows: dict[str, list[Row]] = field(default_factory=lambda: {t: [] for t in COURSE_TABLES})


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random()


class SeedPlan:
    def __init__(self, scale: Scale, seed: int, categories: list[uuid.UUID]) -> None:
        self.scale = scale
        self.seed = seed
        self.categories = categories
        rng = random.Random(f"edu-seed:{seed}")
        self.users = self._users(rng)
        self.courses = [self._course(rng) for _ in range(scale.courses)]
        self.enrollments = self._enrollments(rng)
        self._text = CatalogGenerator(seed, categories, teachers=0)
        self._bodies = [(body, render_markdown(body)) for body in LESSON_BODIES]

    # --- the plan ------------------------------------------------------------------------

    def _users(self, rng: random.Random) -> list[User]:
        start = HISTORY_END - HISTORY

        def user(email: str, role: str, name: str | None = None) -> User:
            name = name or f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            return User(_uuid(rng), email, name, role, _between(rng, start, HISTORY_END))

        admin = [user(SEED_ADMIN_EMAIL, "admin", "Seed Admin")]
        teachers = [user(teacher_email(n), "teacher") for n in range(1, self.scale.teachers + 1)]
        students = [user(student_email(n), "student") for n in range(1, self.scale.students + 1)]
        return admin + teachers + students

    @property
    def teachers(self) -> list[User]:
        return self.users[1 : 1 + self.scale.teachers]

    @property
    def students(self) -> list[User]:
        return self.users[1 + self.scale.teachers :]

    def _course(self, rng: random.Random) -> CoursePlan:
        return CoursePlan(
            teacher=rng.randrange(self.scale.teachers),
            price_cents=0 if rng.random() < 0.25 else rng.choice(PRICES),
            category=rng.randrange(len(self.categories)),
            level=rng.choice(LEVELS),
            module_sizes=tuple(rng.randint(5, 10) for _ in range(rng.randint(3, 5))),
        )

    def _enrollments(self, rng: random.Random) -> dict[int, list[PlannedEnrollment]]:
        """Course -> its enrollments. Popular courses have many (a few courses draw most
        students); one in every paid course is a payment."""
        free = [i for i, c in enumerate(self.courses) if c.price_cents == 0]
        paid = [i for i, c in enumerate(self.courses) if c.price_cents > 0]
        if not free or not paid:
            raise ValueError("the plan drew no free or no paid course; use more courses")
        students = self.scale.students
        chosen: set[tuple[int, int]] = set()
        order: list[tuple[int, int]] = []

        def draw(pool: list[int], count: int) -> None:
            if count > students * len(pool) // 2:
                raise ValueError("too many enrollments for these courses; use more courses")
            target = len(order) + count
            while len(order) < target:
                pair = (rng.randrange(students), pool[int(len(pool) * rng.random() ** 2)])
                if pair not in chosen:
                    chosen.add(pair)
                    order.append(pair)

        draw(paid, self.scale.payments)
        draw(free, self.scale.enrollments - self.scale.payments)
        reviewed = set(rng.sample(range(len(order)), self.scale.reviews))
        by_course: dict[int, list[PlannedEnrollment]] = {}
        for n, (student, course) in enumerate(order):
            by_course.setdefault(course, []).append(PlannedEnrollment(student, n in reviewed))
        return by_course

    def totals(self) -> dict[str, int]:
        """Rows each table gets: known before anything is written, for the progress bars."""
        lessons = sum(c.lessons for c in self.courses)
        enrollments = self.scale.enrollments
        return {
            "identity.users": len(self.users),
            "notification.recipients": len(self.users),
            "course.courses": self.scale.courses,
            "course.modules": sum(len(c.module_sizes) for c in self.courses),
            "course.lessons": lessons,
            "course.reviews": self.scale.reviews,
            "course.enrollments": enrollments,
            "enrollment.courses": self.scale.courses,
            "enrollment.enrollments": enrollments,
            "enrollment.paid_courses": self.scale.payments,
            # Unknown until drawn: the bar counts against the enrollments' lessons at most.
            "enrollment.lesson_completions": 0,
            "payment.courses": self.scale.courses,
            "payment.payments": self.scale.payments,
        }

    # --- rows ----------------------------------------------------------------------------

    def user_rows(self, password_hash: str) -> dict[str, list[Row]]:
        users: list[Row] = [
            (u.id, u.email, password_hash, u.name, u.role, u.role == "teacher", True,
             u.created_at, u.created_at)
            for u in self.users
        ]  # fmt: skip
        recipients: list[Row] = [(u.id, u.email, u.name, u.created_at) for u in self.users]
        return {"identity.users": users, "notification.recipients": recipients}

    def batches(self, size: int) -> Iterator[Batch]:
        for start in range(0, len(self.courses), size):
            batch = Batch()
            for index in range(start, min(start + size, len(self.courses))):
                self._add_course(batch, index)
            yield batch

    def _add_course(self, batch: Batch, index: int) -> None:
        plan = self.courses[index]
        rng = random.Random(f"edu-seed:{self.seed}:course:{index}")
        rows = batch.rows
        batch.courses += 1
        course_id = _uuid(rng)
        teacher = self.teachers[plan.teacher]
        title, description = self._text.title_and_description(rng)
        created = _between(rng, teacher.created_at, HISTORY_END - timedelta(days=30))
        archived = rng.random() < 0.03
        status, revision = ("archived", 2) if archived else ("published", 1)
        free = plan.price_cents == 0

        lesson_ids: list[uuid.UUID] = []
        duration = 0
        for m, size in enumerate(plan.module_sizes, start=1):
            module_id = _uuid(rng)
            rows["course.modules"].append(
                (module_id, course_id, f"Module {m}: {rng.choice(LESSON_WORDS)}", m, created)
            )
            for p in range(1, size + 1):
                lesson_id = _uuid(rng)
                body, html = self._bodies[rng.randrange(len(self._bodies))]
                minutes = rng.randint(3, 30)
                duration += minutes
                preview = not free and not lesson_ids
                rows["course.lessons"].append(
                    (lesson_id, module_id, course_id, f"{rng.choice(LESSON_WORDS)} {m}.{p}",
                     body, html, None, minutes, p, preview, created, created)
                )  # fmt: skip
                lesson_ids.append(lesson_id)

        rating_sum = 0
        planned = self.enrollments.get(index, [])
        for enrolled in planned:
            rating_sum += self._add_enrollment(rows, rng, course_id, title, plan, created,
                                               lesson_ids, enrolled)  # fmt: skip
        reviews = sum(1 for e in planned if e.reviewed)
        avg = (
            (Decimal(rating_sum) / reviews).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if reviews
            else None
        )
        updated = created + timedelta(days=1) if archived else created
        rows["course.courses"].append(
            (course_id, teacher.id, teacher.name, title, description, plan.level,
             plan.price_cents, "USD", self.categories[plan.category], duration, status, avg,
             reviews, rating_sum, len(planned), revision, created, updated)
        )  # fmt: skip
        rows["enrollment.courses"].append(
            (course_id, title, plan.price_cents, "USD", status, lesson_ids, revision, updated)
        )
        rows["payment.courses"].append(
            (course_id, title, plan.price_cents, "USD", status, revision, updated)
        )

    def _add_enrollment(
        self,
        rows: dict[str, list[Row]],
        rng: random.Random,
        course_id: uuid.UUID,
        title: str,
        plan: CoursePlan,
        created: datetime,
        lesson_ids: list[uuid.UUID],
        enrolled: PlannedEnrollment,
    ) -> int:
        """Adds one enrollment and what follows from it; returns its rating (0 if none)."""
        student = self.students[enrolled.student]
        enrollment_id = _uuid(rng)
        at = _between(rng, max(created, student.created_at), HISTORY_END)
        if plan.price_cents:
            payment_id = _uuid(rng)
            paid_at = at - timedelta(seconds=rng.randint(1, 120))
            rows["payment.payments"].append(
                (payment_id, course_id, student.id, plan.price_cents, "USD", "completed",
                 f"mock_{payment_id.hex}", paid_at)
            )  # fmt: skip
            rows["enrollment.paid_courses"].append((student.id, course_id, payment_id, paid_at))
        # Students work in order: none yet, some of the way, or all of it (completed).
        draw = rng.random()
        total = len(lesson_ids)
        done = 0 if draw < 0.4 else total if draw > 0.9 else rng.randint(1, min(total - 1, 10))
        moment = at
        for lesson_id in lesson_ids[:done]:
            moment += timedelta(minutes=rng.randint(5, 600))
            rows["enrollment.lesson_completions"].append((enrollment_id, lesson_id, moment))
        status, completed_at = ("completed", moment) if done == total else ("active", None)
        rows["enrollment.enrollments"].append(
            (enrollment_id, student.id, course_id, title, status, at, completed_at)
        )
        rows["course.enrollments"].append(
            (course_id, student.id, enrollment_id, status, completed_at or at)
        )
        if not enrolled.reviewed:
            return 0
        rating = rng.choices((1, 2, 3, 4, 5), (3, 4, 10, 33, 50))[0]
        rows["course.reviews"].append(
            (_uuid(rng), course_id, student.id, student.name, rating,
             rng.choice(REVIEW_COMMENTS), moment + timedelta(hours=rng.randint(1, 48)))
        )  # fmt: skip
        return rating
