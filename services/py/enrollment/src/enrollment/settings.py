"""Enrollment settings: `EDU_ENROLLMENT_*` environment variables (or `.env`)."""

from __future__ import annotations

from edu_common.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class EnrollmentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EDU_ENROLLMENT_", env_file=".env", extra="ignore")

    service_name: str = "enrollment"
    port: int = Field(default=8003, ge=1, le=65535)
