"""Notification settings: `EDU_NOTIFICATION_*` environment variables (or `.env`), with the
mail settings (payment receipts, teacher verification) from `MailSettings`."""

from __future__ import annotations

from edu_common.settings import MailSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class NotificationSettings(MailSettings):
    model_config = SettingsConfigDict(
        env_prefix="EDU_NOTIFICATION_", env_file=".env", extra="ignore"
    )

    service_name: str = "notification"
    port: int = Field(default=8005, ge=1, le=65535)
