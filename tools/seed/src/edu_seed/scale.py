"""How much `edu seed` writes at each scale, and the credentials of the accounts it creates."""

from __future__ import annotations

from dataclasses import dataclass

# Every seeded account's password (development data, like the demo accounts').
SEED_PASSWORD = "password123"  # noqa: S105
SEED_DOMAIN = "seed.eduplatform.com"
SEED_ADMIN_EMAIL = f"admin@{SEED_DOMAIN}"


def student_email(n: int) -> str:
    """The n-th seeded student (1-based), as a load test logs in."""
    return f"student{n}@{SEED_DOMAIN}"


def teacher_email(n: int) -> str:
    """The n-th seeded teacher (1-based); every one of them is verified and owns courses."""
    return f"teacher{n}@{SEED_DOMAIN}"


@dataclass(frozen=True)
class Scale:
    name: str
    students: int
    teachers: int
    courses: int
    enrollments: int
    # Payments are the enrollments in paid courses: each one paid once, then enrolled.
    payments: int
    reviews: int

    def __post_init__(self) -> None:
        if self.payments > self.enrollments or self.reviews > self.enrollments:
            raise ValueError("payments and reviews are enrollments that paid or reviewed")
        if self.courses < 2 or self.teachers < 1 or self.students < 1:
            raise ValueError("a scale needs teachers, students, a free and a paid course")
        # Each (student, course) pair is enrolled at most once: leave room to choose from.
        if self.enrollments > self.students * self.courses // 4:
            raise ValueError("too many enrollments for so few students and courses")

    @property
    def users(self) -> int:
        return self.students + self.teachers + 1


# The full scale of the load tests: 50K users (one admin), 100K courses, 200K enrollments.
FULL = Scale("full", students=48_999, teachers=1_000, courses=100_000, enrollments=200_000,
             payments=50_000, reviews=100_000)  # fmt: skip
# The same shape at about 1/50, for quick runs.
SMALL = Scale("small", students=980, teachers=19, courses=2_000, enrollments=4_000,
              payments=1_000, reviews=2_000)  # fmt: skip
SCALES = {scale.name: scale for scale in (SMALL, FULL)}
