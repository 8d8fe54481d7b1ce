"""Service settings: environment variables with a prefix per service, validated at start."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Self, TypeVar

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_CURSOR_SECRET = "dev-cursor-secret-change-me"  # noqa: S105 - development default, refused in production


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class ServerSettings(BaseSettings):
    """How a process of ours is served (`edu_common.serve`): its address, logging, workers,
    and how it stops. The services and the web app read these alike."""

    model_config = SettingsConfigDict(env_prefix="EDU_", env_file=".env", extra="ignore")

    service_name: str = "service"
    environment: Environment = Environment.DEVELOPMENT
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"
    access_log: bool = True
    # Worker processes (`python -m <service>`); above 1, metrics go to PROMETHEUS_MULTIPROC_DIR.
    workers: int = Field(default=1, ge=1, le=64)

    # On SIGTERM, how long readiness says 503 while requests are still served (with
    # `Connection: close`) before the server stops accepting (edu_common.shutdown); unset, 5 s
    # in production and 1 s otherwise.
    shutdown_drain_seconds: float | None = Field(default=None, ge=0, le=120)
    # Load shedding per worker (edu_common.overload): requests served at once, and how long the
    # rest wait for a turn before a 503 (`overloaded` from a service, a busy page from the web).
    max_requests_in_flight: int = Field(default=100, ge=1)
    max_queue_seconds: float = Field(default=2.0, gt=0)
    # How long an idle keep-alive connection stays open. Longer than any client's or balancer's
    # own idle expiry (httpx's is 5 s, a cloud balancer's 60 s): a server that closes first
    # races the client reusing the connection, and the client sees "server disconnected".
    keep_alive_seconds: int = Field(default=75, ge=1)

    @property
    def drain_seconds(self) -> float:
        if self.shutdown_drain_seconds is not None:
            return self.shutdown_drain_seconds
        return 5.0 if self.environment is Environment.PRODUCTION else 1.0

    @property
    def is_development(self) -> bool:
        return self.environment is not Environment.PRODUCTION


class ServiceSettings(ServerSettings):
    """What every service needs. Subclasses set `model_config` with their own env prefix.

    Defaults are for development only; production mode refuses the ones that are secrets.
    """

    database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    db_pool_min_size: int = Field(default=2, ge=0)
    db_pool_max_size: int = Field(default=10, ge=1)
    db_command_timeout: float = Field(default=10.0, gt=0)
    db_acquire_timeout: float = Field(default=5.0, gt=0)
    # PostgreSQL's statement_timeout for the pool's connections (0: none); a statement cut
    # off is a 503, as is one the client gave up on after `db_command_timeout`.
    db_statement_timeout: float = Field(default=5.0, ge=0)
    run_migrations: bool = True

    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_timeout: float = Field(default=0.5, gt=0)

    nats_url: str = "nats://127.0.0.1:4222"
    events_enabled: bool = True
    # One stream holds every service's events; tests give each app its own stream and prefix.
    events_stream: str = "EDU"
    events_subject_prefix: str = "edu"
    outbox_poll_interval: float = Field(default=1.0, gt=0)

    # Public key (PEM) that verifies access tokens; identity holds the private half.
    jwt_public_key: str = ""
    jwt_issuer: str = "eduplatform-identity"
    jwt_audience: str = "eduplatform"
    jwt_leeway_seconds: int = Field(default=10, ge=0, le=300)

    # Signs the opaque pagination cursors this service hands out.
    cursor_secret: str = DEV_CURSOR_SECRET

    @model_validator(mode="after")
    def _refuse_development_secrets_in_production(self) -> Self:
        if self.environment is Environment.PRODUCTION:
            if self.cursor_secret == DEV_CURSOR_SECRET:
                raise ValueError("cursor_secret must be set in production")
            if not self.jwt_public_key:
                raise ValueError("jwt_public_key must be set in production")
        if self.db_pool_min_size > self.db_pool_max_size:
            raise ValueError("db_pool_min_size must not exceed db_pool_max_size")
        return self


class MailSettings(ServiceSettings):
    """What a service that sends mail reads besides (`EDU_<SERVICE>_SMTP_HOST`, ...).

    The defaults match the development mail sink (`edu mail`).
    """

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_use_tls: bool = False
    # The From header of every mail the service sends.
    mail_sender: str = "EduPlatform <no-reply@eduplatform.com>"
    # How often the sender looks for queued mail when it found none.
    mail_poll_interval: float = Field(default=0.5, gt=0)


S = TypeVar("S", bound=BaseSettings)


def load_settings(cls: type[S]) -> S:
    """Build settings from the environment, or exit naming each bad variable."""
    try:
        return cls()
    except ValidationError as exc:
        prefix = str(cls.model_config.get("env_prefix", ""))
        lines = [f"invalid configuration for {cls.__name__}:"]
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"])
            name = f"{prefix}{field}".upper() if field else "(settings)"
            lines.append(f"  {name}: {err['msg']}")
        print("\n".join(lines), file=sys.stderr)
        raise SystemExit(2) from None
