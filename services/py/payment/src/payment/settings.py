"""Payment settings: `EDU_PAYMENT_*` environment variables (or `.env`)."""

from __future__ import annotations

from typing import Self

from edu_common.settings import Environment, ServiceSettings
from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict


class PaymentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EDU_PAYMENT_", env_file=".env", extra="ignore")

    service_name: str = "payment"
    port: int = Field(default=8004, ge=1, le=65535)

    # The mock provider approves every charge at once; set this to make it decline them all
    # (to try the declined path by hand). Never in production.
    mock_provider_declines: bool = False

    @model_validator(mode="after")
    def _no_forced_declines_in_production(self) -> Self:
        if self.environment is Environment.PRODUCTION and self.mock_provider_declines:
            raise ValueError("mock_provider_declines cannot be set in production")
        return self
