"""The course service: catalog, search, curriculum, lessons and reviews."""

from __future__ import annotations

from pathlib import Path

from edu_common.app import ServiceSpec
from edu_common.app import create_app as create_service_app
from edu_common.settings import load_settings
from fastapi import FastAPI

from course.catalog.endpoints import router as catalog_router
from course.curriculum.endpoints import router as curriculum_router
from course.lifespan import course_runtime
from course.settings import CourseSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: CourseSettings | None = None) -> FastAPI:
    settings = settings or load_settings(CourseSettings)
    spec = ServiceSpec(
        name="course",
        title="EduPlatform Course",
        description="Course catalog and search, curriculum and lessons, reviews.",
        routers=[catalog_router, curriculum_router],
        migrations=MIGRATIONS,
        hooks=[course_runtime],
    )
    return create_service_app(spec, settings)
