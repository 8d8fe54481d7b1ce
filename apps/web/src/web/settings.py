"""Web app settings: `EDU_WEB_*` environment variables (or `.env`)."""

from __future__ import annotations

from typing import Self

from edu_common.settings import Environment, ServerSettings
from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

DEV_SECRET_KEY = "dev-web-secret-change-me"  # noqa: S105 - development default, refused in production


class WebSettings(ServerSettings):
    """Defaults are for development only; production refuses the development secret."""

    model_config = SettingsConfigDict(env_prefix="EDU_WEB_", env_file=".env", extra="ignore")

    service_name: str = "web"
    port: int = Field(default=3001, ge=1, le=65535)

    # Where the services answer. The web app talks to them over HTTP only.
    identity_url: str = "http://127.0.0.1:8001"
    course_url: str = "http://127.0.0.1:8002"
    enrollment_url: str = "http://127.0.0.1:8003"
    payment_url: str = "http://127.0.0.1:8004"
    notification_url: str = "http://127.0.0.1:8005"
    # A service that does not answer within this is reported as unavailable on the page.
    service_timeout_seconds: float = Field(default=3.0, gt=0)
    service_connect_timeout_seconds: float = Field(default=1.0, gt=0)

    # Sessions: the cookie holds a random id; tokens live in Valkey under it.
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_timeout: float = Field(default=0.5, gt=0)
    session_cookie: str = "edu_session"
    session_ttl_seconds: int = Field(default=30 * 86_400, ge=60)
    # Signs the form (CSRF) tokens derived from the session id.
    secret_key: str = DEV_SECRET_KEY
    # The origin the browser sees (scheme://host:port); a state-changing request from any
    # other origin is refused. The request's own Host is accepted as well.
    public_url: str = "http://127.0.0.1:3001"

    @model_validator(mode="after")
    def _refuse_development_secret_in_production(self) -> Self:
        if self.environment is Environment.PRODUCTION and self.secret_key == DEV_SECRET_KEY:
            raise ValueError("secret_key must be set in production")
        return self

    @property
    def secure_cookies(self) -> bool:
        return self.environment is Environment.PRODUCTION
