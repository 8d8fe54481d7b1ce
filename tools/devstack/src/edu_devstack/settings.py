"""Where a dev stack lives and what it listens on: the data directory, the ports (from the
environment, or those the last `edu up` used), external servers to use instead of the
embedded ones."""

from __future__ import annotations

import contextlib
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from edu_devstack.infra import EmbeddedNats, EmbeddedPostgres, EmbeddedValkey
from edu_devstack.processes import StackError
from edu_devstack.services import COMPONENTS, Service, installed


def find_root(start: Path | None = None) -> Path:
    """The workspace root: the nearest directory whose pyproject.toml has [tool.uv.workspace]."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            with contextlib.suppress(OSError, tomllib.TOMLDecodeError):
                data = tomllib.loads(candidate.read_text())
                if "workspace" in data.get("tool", {}).get("uv", {}):
                    return directory
    raise StackError(
        f"no EduPlatform workspace above {here}: run `edu` inside the repository or set EDU_HOME"
    )


def env_port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        port = int(raw)
    except ValueError:
        raise StackError(f"{name}={raw!r} is not a port number") from None
    if not 0 < port < 65536:
        raise StackError(f"{name}={raw!r} is not a port number")
    return port


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


@dataclass
class StackSettings:
    root: Path
    home: Path
    env: Mapping[str, str]
    pg_port: int
    valkey_port: int
    nats_port: int
    smtp_port: int
    services: list[Service] = field(default_factory=list)
    # `edu up --workers N`: N worker processes per service in production mode (no demo data,
    # no reload). None: one process per service in development mode, with demo data.
    workers: int | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> StackSettings:
        env = dict(os.environ if env is None else env)
        if env.get("EDU_HOME"):
            home = Path(env["EDU_HOME"]).resolve()
            try:
                root = find_root()
            except StackError:
                root = home.parent
        else:
            root = find_root()
            home = root / ".edu"
        return cls(
            root=root,
            home=home,
            env=env,
            pg_port=env_port(env, "EDU_PG_PORT", 5432),
            valkey_port=env_port(env, "EDU_VALKEY_PORT", 6379),
            nats_port=env_port(env, "EDU_NATS_PORT", 4222),
            smtp_port=env_port(env, "EDU_SMTP_PORT", 1025),
            services=[
                Service(c, env_port(env, f"EDU_{c.name.upper()}_PORT", c.default_port), home)
                for c in COMPONENTS
            ],
        )

    # --- the infrastructure ----------------------------------------------------------------

    @property
    def external_database(self) -> str | None:
        return self.env.get("EDU_DATABASE_URL") or None

    @property
    def external_redis(self) -> str | None:
        return self.env.get("EDU_REDIS_URL") or None

    @property
    def external_nats(self) -> str | None:
        return self.env.get("EDU_NATS_URL") or None

    @property
    def postgres(self) -> EmbeddedPostgres:
        return EmbeddedPostgres(self.home / "postgres", self.pg_port)

    @property
    def valkey(self) -> EmbeddedValkey:
        return EmbeddedValkey(self.home / "valkey", self.valkey_port)

    @property
    def nats(self) -> EmbeddedNats:
        return EmbeddedNats(self.home / "nats", self.nats_port)

    @property
    def mail_dir(self) -> Path:
        return self.home / "mail"

    def database_url(self, database: str = "postgres") -> str:
        if self.external_database:
            return with_database(self.external_database, database)
        return self.postgres.url(database)

    def redis_url(self) -> str:
        return self.external_redis or self.valkey.url()

    def nats_url(self) -> str:
        return self.external_nats or self.nats.url()

    # --- the services ----------------------------------------------------------------------

    def installed_services(self) -> list[Service]:
        """The services to start: every one that is built, or those named in EDU_SERVICES."""
        chosen = self.env.get("EDU_SERVICES", "").strip()
        if chosen:
            names = {n.strip() for n in chosen.split(",") if n.strip()}
            unknown = names - {s.name for s in self.services}
            if unknown:
                raise StackError(
                    f"EDU_SERVICES names unknown services: {', '.join(sorted(unknown))}"
                )
            return [s for s in self.services if s.name in names and installed(s.name)]
        return [s for s in self.services if installed(s.name)]

    # --- the ports of the last `edu up` ----------------------------------------------------

    @property
    def state_path(self) -> Path:
        return self.home / "run" / "stack.json"

    def save_state(self) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        state = {
            "pg_port": self.pg_port,
            "valkey_port": self.valkey_port,
            "nats_port": self.nats_port,
            "smtp_port": self.smtp_port,
            "services": {s.name: s.port for s in self.services},
            "external": {
                "database": bool(self.external_database),
                "redis": bool(self.external_redis),
                "nats": bool(self.external_nats),
            },
        }
        self.state_path.write_text(json.dumps(state, indent=2))

    def load_state(self) -> None:
        """Takes the ports of the last `edu up` from this data directory, if any."""
        try:
            state = json.loads(self.state_path.read_text())
        except (OSError, ValueError):
            return
        self.pg_port = int(state.get("pg_port", self.pg_port))
        self.valkey_port = int(state.get("valkey_port", self.valkey_port))
        self.nats_port = int(state.get("nats_port", self.nats_port))
        self.smtp_port = int(state.get("smtp_port", self.smtp_port))
        ports = state.get("services", {})
        for service in self.services:
            service.port = int(ports.get(service.name, service.port))
