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

    # The longest a charge may take at the provider. Past it the outcome is unknown: the
    # payment stays pending and the student's next try resumes it (see payments/checkout.py).
    provider_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # How long a pending payment belongs to the request that started it. A request that finds
    # one still leased waits for it; past the lease (its request crashed, say) the next try
    # takes it over and asks the provider again under the same payment id.
    pending_payment_lease_seconds: float = Field(default=15.0, gt=0, le=600)

    # The mock provider approves every charge at once; set this to make it decline them all
    # (to try the declined path by hand). Never in production.
    mock_provider_declines: bool = False

    @model_validator(mode="after")
    def _no_forced_declines_in_production(self) -> Self:
        if self.environment is Environment.PRODUCTION and self.mock_provider_declines:
            raise ValueError("mock_provider_declines cannot be set in production")
        return self

    @model_validator(mode="after")
    def _lease_outlasts_the_provider_call(self) -> Self:
        # A lease shorter than the call would let a second request charge while the first
        # is still waiting for its answer.
        if self.pending_payment_lease_seconds <= self.provider_timeout_seconds:
            raise ValueError("pending_payment_lease_seconds must exceed provider_timeout_seconds")
        return self
