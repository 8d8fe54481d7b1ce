"""Notification settings: `EDU_NOTIFICATION_*` environment variables (or `.env`)."""

from __future__ import annotations

from edu_common.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class NotificationSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="EDU_NOTIFICATION_", env_file=".env", extra="ignore"
    )

    service_name: str = "notification"
    port: int = Field(default=8005, ge=1, le=65535)

    # Outgoing mail (payment receipts, teacher verification). The defaults match the
    # development mail sink.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_use_tls: bool = False
    mail_sender: str = "EduPlatform <no-reply@eduplatform.com>"
    mail_poll_interval: float = Field(default=0.5, gt=0)
