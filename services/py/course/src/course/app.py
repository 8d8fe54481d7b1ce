"""The course service: catalog, search, curriculum, lessons and reviews."""

from __future__ import annotations

from pathlib import Path

from edu_common.app import ServiceSpec
from edu_common.app import create_app as create_service_app
from edu_common.settings import load_settings
from fastapi import FastAPI

from course.cached_reads import CachedReads
from course.catalog.endpoints import router as catalog_router
from course.curriculum.endpoints import router as curriculum_router
from course.dependencies import Caches
from course.enrollments.handlers import CONSUMER as ENROLLMENTS
from course.enrollments.handlers import EnrollmentProjection
from course.lifespan import course_runtime
from course.reviews.endpoints import router as reviews_router
from course.settings import CourseSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: CourseSettings | None = None) -> FastAPI:
    settings = settings or load_settings(CourseSettings)
    app: FastAPI | None = None

    def caches() -> Caches | None:
        found: Caches | None = getattr(app.state, "caches", None) if app else None
        return found

    projection = EnrollmentProjection(caches)
    spec = ServiceSpec(
        name="course",
        title="EduPlatform Course",
        description="Course catalog and search, curriculum and lessons, reviews.",
        routers=[catalog_router, curriculum_router, reviews_router],
        migrations=MIGRATIONS,
        consumers={ENROLLMENTS: projection.handlers},
        # Its handlers do not depend on the order of events (a completion may come first), and
        # one at a time it fell a minute behind under load (docs/performance).
        consumer_concurrency={ENROLLMENTS: 8},
        hooks=[course_runtime],
        middleware=[CachedReads],
    )
    app = create_service_app(spec, settings)
    return app
