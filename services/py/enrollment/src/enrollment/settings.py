"""Enrollment settings: `EDU_ENROLLMENT_*` environment variables (or `.env`)."""

from __future__ import annotations

from edu_common.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class EnrollmentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EDU_ENROLLMENT_", env_file=".env", extra="ignore")

    service_name: str = "enrollment"
    port: int = Field(default=8003, ge=1, le=65535)

    # Where the payment service answers. Enrollment asks it whether a student paid when the
    # payment event has not arrived yet, so a paying student is not refused.
    payment_url: str = "http://127.0.0.1:8004"
    # A bearer token of role `service` for that call; empty turns the call off (then only
    # payment events let a student into a paid course).
    service_token: str = Field(default="", repr=False)
    # The whole call, connection included: a slow payment service must not hold the client.
    payment_timeout_seconds: float = Field(default=0.5, gt=0, le=10)
