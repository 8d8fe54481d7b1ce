"""The payment service: course purchases through a payment provider."""

from __future__ import annotations

from pathlib import Path

from edu_common.app import ServiceSpec
from edu_common.app import create_app as create_service_app
from edu_common.settings import load_settings
from fastapi import FastAPI

from payment.courses.handlers import HANDLERS as COURSE_HANDLERS
from payment.internal.endpoints import router as internal_router
from payment.payments.endpoints import router as payments_router
from payment.payments.provider import MockPaymentProvider
from payment.settings import PaymentSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: PaymentSettings | None = None) -> FastAPI:
    settings = settings or load_settings(PaymentSettings)
    spec = ServiceSpec(
        name="payment",
        title="EduPlatform Payment",
        description="Paying for courses. The price comes from course events; a completed "
        "payment is announced so the student is enrolled; other services may also ask "
        "whether a student paid (`/internal`, service token only).",
        routers=[payments_router, internal_router],
        migrations=MIGRATIONS,
        consumers={"payment-courses": COURSE_HANDLERS},
    )
    app = create_service_app(spec, settings)
    # Swappable: tests put a declining provider here.
    app.state.payment_provider = MockPaymentProvider(declines=settings.mock_provider_declines)
    return app
