"""The notification service: in-app notifications fed by other services' events."""

from __future__ import annotations

from pathlib import Path

from edu_common.app import ServiceSpec
from edu_common.app import create_app as create_service_app
from edu_common.settings import load_settings
from fastapi import FastAPI

from notification.notifications.endpoints import router as notifications_router
from notification.notifications.handlers import CONSUMER, HANDLERS
from notification.settings import NotificationSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: NotificationSettings | None = None) -> FastAPI:
    settings = settings or load_settings(NotificationSettings)
    spec = ServiceSpec(
        name="notification",
        title="EduPlatform Notification",
        description="A user's in-app notifications (welcome, enrollment, payment receipt, "
        "course completion, teacher verification) and the mails that go with some of them.",
        routers=[notifications_router],
        migrations=MIGRATIONS,
        consumers={CONSUMER: HANDLERS},
        sends_mail=True,
    )
    return create_service_app(spec, settings)
