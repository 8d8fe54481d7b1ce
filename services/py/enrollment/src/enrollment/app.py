"""The enrollment service: students in courses, and their progress through lessons."""

from __future__ import annotations

from pathlib import Path

from edu_common.app import ServiceSpec
from edu_common.app import create_app as create_service_app
from edu_common.settings import load_settings
from fastapi import FastAPI

from enrollment.courses.handlers import HANDLERS as COURSE_HANDLERS
from enrollment.enrollments.endpoints import router as enrollments_router
from enrollment.payments.client import payment_status_client
from enrollment.payments.handlers import HANDLERS as PAYMENT_HANDLERS
from enrollment.progress.endpoints import router as progress_router
from enrollment.settings import EnrollmentSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: EnrollmentSettings | None = None) -> FastAPI:
    settings = settings or load_settings(EnrollmentSettings)
    spec = ServiceSpec(
        name="enrollment",
        title="EduPlatform Enrollment",
        description="Enrollments in courses and progress through their lessons. Courses come "
        "from course events; a completed payment enrolls the student (and the payment service "
        "is asked directly when a student enrolls before that event arrives).",
        routers=[enrollments_router, progress_router],
        migrations=MIGRATIONS,
        consumers={
            "enrollment-courses": COURSE_HANDLERS,
            "enrollment-payments": PAYMENT_HANDLERS,
        },
        hooks=[payment_status_client],
    )
    return create_service_app(spec, settings)
