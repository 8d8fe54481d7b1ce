"""What the services answer, built the way their schemas say."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

SERVICES = {
    "identity": "http://identity.test",
    "course": "http://course.test",
    "enrollment": "http://enrollment.test",
    "payment": "http://payment.test",
    "notification": "http://notification.test",
}
IDENTITY, COURSE, ENROLLMENT, PAYMENT, NOTIFICATION = (
    SERVICES[name] for name in ("identity", "course", "enrollment", "payment", "notification")
)
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC).isoformat()
TEACHER_ID = str(uuid.uuid4())


def user_json(role: str = "student", **kw: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "email": f"{role}@example.com",
        "name": f"Sam {role.title()}",
        "role": role,
        "is_verified": role != "teacher",
        "email_verified": True,
        "created_at": NOW,
    } | kw


def tokens_json(role: str = "student", expires_in: int = 900, **user: Any) -> dict[str, Any]:
    return {
        "access_token": f"access-{uuid.uuid4().hex}",
        "refresh_token": f"refresh-{uuid.uuid4().hex}",
        "token_type": "bearer",
        "expires_in": expires_in,
        "user": user_json(role, **user),
    }


def course_json(**kw: Any) -> dict[str, Any]:
    price = kw.pop("price_cents", 0)
    return {
        "id": str(uuid.uuid4()),
        "title": "Python from scratch",
        "description": "Learn Python step by step.",
        "teacher_id": TEACHER_ID,
        "teacher_name": "Tess Teacher",
        "category_id": None,
        "level": "beginner",
        "price_cents": price,
        "currency": "USD",
        "is_free": price == 0,
        "duration_minutes": 95,
        "avg_rating": 4.5,
        "review_count": 2,
        "enrollment_count": 10,
        "status": "published",
        "created_at": NOW,
    } | kw


def curriculum_json(
    course_id: str, lessons: int = 3, preview_first: bool = False
) -> dict[str, Any]:
    items = [
        {
            "id": str(uuid.uuid4()),
            "title": f"Lesson {n}",
            "position": n,
            "duration_minutes": 10,
            "is_preview": preview_first and n == 1,
        }
        for n in range(1, lessons + 1)
    ]
    return {
        "course_id": course_id,
        "modules": [{"id": str(uuid.uuid4()), "title": "Basics", "position": 1, "lessons": items}],
        "total_lessons": lessons,
    }


def lesson_json(
    course_id: str, curriculum: dict[str, Any], index: int, **kw: Any
) -> dict[str, Any]:
    lessons = [x for m in curriculum["modules"] for x in m["lessons"]]
    me = lessons[index]
    return {
        "id": me["id"],
        "module_id": curriculum["modules"][0]["id"],
        "course_id": course_id,
        "title": me["title"],
        "content": "# Hi",
        "content_html": "<h1>Hi</h1><p>Welcome to the lesson.</p>",
        "video_url": None,
        "duration_minutes": 10,
        "position": me["position"],
        "is_preview": me["is_preview"],
        "prev_lesson_id": lessons[index - 1]["id"] if index > 0 else None,
        "next_lesson_id": lessons[index + 1]["id"] if index + 1 < len(lessons) else None,
    } | kw


def progress_json(course_id: str, done: list[str], total: int) -> dict[str, Any]:
    return {
        "course_id": course_id,
        "completed_lessons": len(done),
        "total_lessons": total,
        "percent": len(done) * 100 // total if total else 0,
        "completed_lesson_ids": done,
        "status": "completed" if total and len(done) == total else "active",
    }


def problem(status: int, code: str, detail: str = "", **kw: Any) -> dict[str, Any]:
    return {
        "type": f"https://errors.eduplatform.dev/{code}",
        "title": code,
        "status": status,
        "detail": detail,
        "code": code,
    } | kw
