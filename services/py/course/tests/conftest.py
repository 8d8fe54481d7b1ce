"""Course under test: the real app against embedded PostgreSQL, Valkey and NATS."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from course.app import MIGRATIONS, create_app
from course.settings import CourseSettings


@pytest.fixture
async def course_service(services: Any) -> Any:
    return await services.start("course", create_app, CourseSettings, MIGRATIONS)


@pytest.fixture
def client(course_service: Any) -> httpx.AsyncClient:
    c: httpx.AsyncClient = course_service.client
    return c


@pytest.fixture
def teacher(tokens: Any) -> tuple[Any, dict[str, str]]:
    uid, headers = tokens.teacher(is_verified=True, name="Ada Teacher")
    return uid, headers


@pytest.fixture
def make_course(client: httpx.AsyncClient, teacher: Any) -> Any:
    """Creates a course as `teacher` (or the given headers); returns the 201 body."""

    async def make(headers: dict[str, str] | None = None, **fields: Any) -> dict[str, Any]:
        body = {
            "title": "Python from scratch",
            "description": "Variables, loops and functions.",
            "level": "beginner",
            "price_cents": 0,
            **fields,
        }
        r = await client.post("/courses", json=body, headers=headers or teacher[1])
        assert r.status_code == 201, r.text
        created: dict[str, Any] = r.json()
        return created

    return make
