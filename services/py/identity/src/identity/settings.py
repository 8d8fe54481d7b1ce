"""Identity settings: `EDU_IDENTITY_*` environment variables (or `.env`)."""

from __future__ import annotations

from typing import Any, Self

from edu_common.security.keys import SigningKey
from edu_common.settings import Environment, MailSettings
from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict


class IdentitySettings(MailSettings):
    model_config = SettingsConfigDict(env_prefix="EDU_IDENTITY_", env_file=".env", extra="ignore")

    service_name: str = "identity"
    port: int = Field(default=8001, ge=1, le=65535)

    # Ed25519 private key (PEM) that signs access tokens. Empty in development: an ephemeral
    # key is generated at start (tokens then die with the process). Production refuses empty.
    jwt_private_key: str = ""
    access_ttl_seconds: int = Field(default=900, ge=30, le=86_400)
    refresh_ttl_days: int = Field(default=30, ge=1, le=365)

    # Verification and password reset links in the mail point at the web app.
    web_url: str = "http://127.0.0.1:3001"

    # Creates admin@, teacher@ and student@eduplatform.com (password123); never in production.
    seed_demo_users: bool = False

    # Login: attempts per IP, and failures per account and IP (so nobody elsewhere can lock
    # the owner out of their account).
    login_ip_limit: int = Field(default=30, ge=1)
    login_ip_window_seconds: float = Field(default=60, gt=0)
    login_failure_limit: int = Field(default=10, ge=1)
    login_failure_window_seconds: float = Field(default=900, gt=0)
    # Mails a user may trigger per hour: verification resends, password resets.
    resend_verification_limit: int = Field(default=3, ge=1)
    reset_mails_per_hour: int = Field(default=3, ge=1)
    # Requests per IP per minute on the anonymous mail-sending route.
    forgot_password_ip_limit: int = Field(default=20, ge=1)
    # Registrations per IP: each one sends a verification mail.
    register_ip_limit: int = Field(default=20, ge=1)
    register_ip_window_seconds: float = Field(default=600, gt=0)

    verify_email_ttl_hours: int = Field(default=24, ge=1)
    reset_password_ttl_minutes: int = Field(default=60, ge=5)

    # argon2id cost; hashes made with other parameters are upgraded at the next login.
    argon2_time_cost: int = Field(default=2, ge=1)
    argon2_memory_cost: int = Field(default=19456, ge=8)
    argon2_parallelism: int = Field(default=1, ge=1)
    argon2_max_threads: int = Field(default=4, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _public_key_from_private(cls, data: Any) -> Any:
        # Identity verifies with the public half of its own key; no need to configure both.
        if not isinstance(data, dict):
            return data
        private = data.get("jwt_private_key")
        if private and not data.get("jwt_public_key"):
            data = {**data, "jwt_public_key": SigningKey.from_pem(str(private)).public_pem()}
        return data

    @model_validator(mode="after")
    def _refuse_ephemeral_key_in_production(self) -> Self:
        if self.environment is Environment.PRODUCTION and not self.jwt_private_key:
            raise ValueError("jwt_private_key must be set in production")
        return self
