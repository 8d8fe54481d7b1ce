"""The demo catalog reaches enrollment and payment like any new course: the demo student can
enroll in a free demo course and buy a paid one."""

from __future__ import annotations

from typing import Any

from course.app import MIGRATIONS, create_app
from course.demo.catalog import outline_catalog
from course.settings import CourseSettings
from edu_common.demo import DEMO_STUDENT

DEMO_COURSES = len(outline_catalog())


async def _count(pool: Any, table: str) -> int:
    n: int = await pool.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608 - table names are the test's constants
    return n


async def test_students_can_enroll_in_and_pay_for_demo_courses(
    services: Any, enrollment: Any, payment: Any, tokens: Any, eventually: Any
) -> None:
    demo = await services.start(
        "course", create_app, CourseSettings, MIGRATIONS, seed_demo_data=True
    )

    async def projected() -> bool:
        # Every demo course reached both projections.
        return all(
            [
                await _count(enrollment.pool, "courses") == DEMO_COURSES,
                await _count(payment.pool, "courses") == DEMO_COURSES,
            ]
        )

    await eventually(projected, timeout=60, interval=0.2)

    free = await demo.pool.fetchval("SELECT id FROM courses WHERE price_cents = 0 LIMIT 1")
    paid = await demo.pool.fetchval("SELECT id FROM courses WHERE price_cents > 0 LIMIT 1")
    _, student = tokens.student(user_id=DEMO_STUDENT.id, name=DEMO_STUDENT.name)
    r = await enrollment.client.post("/enrollments", json={"course_id": str(free)}, headers=student)
    assert r.status_code == 201, r.text
    r = await payment.client.post("/payments", json={"course_id": str(paid)}, headers=student)
    assert r.status_code == 201, r.text
    price = await demo.pool.fetchval("SELECT price_cents FROM courses WHERE id = $1", paid)
    assert r.json()["amount_cents"] == price
    lessons = await enrollment.pool.fetchval(
        "SELECT cardinality(lesson_ids) FROM courses WHERE id = $1", free
    )
    assert lessons == await demo.pool.fetchval(
        "SELECT count(*) FROM lessons WHERE course_id = $1", free
    )
