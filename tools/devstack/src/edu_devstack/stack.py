"""The development stack of one data directory: embedded servers, the mail sink, every service.

Everything lives under the data directory (`.edu/` at the repository root, or $EDU_HOME):
pgdata, logs, pid files, the signing keys and the mail the sink received.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import secrets
import shutil
import socket
import sys
import time
import tomllib
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from edu_devstack.infra import EmbeddedNats, EmbeddedPostgres, EmbeddedValkey
from edu_devstack.processes import ManagedProcess, StackError, require_port, wait_for_port

# Every service the platform has, with its default port. A service starts only once its
# package (with a `__main__`) is installed in the workspace.
SERVICES: list[tuple[str, int]] = [
    ("identity", 8001),
    ("course", 8002),
    ("enrollment", 8003),
    ("payment", 8004),
    ("notification", 8005),
]

READY_TIMEOUT = 60.0
# The dev stack's own identity when services call each other, and how long its token lives.
DEV_SERVICE_ID = "00000000-0000-5000-8000-00000000e0de"
SERVICE_TOKEN_TTL = 30 * 24 * 3600
HOST = "127.0.0.1"


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


def _env_port(env: Mapping[str, str], name: str, default: int) -> int:
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
class Service:
    name: str
    port: int
    home: Path

    @property
    def env_prefix(self) -> str:
        return f"EDU_{self.name.upper()}_"

    @property
    def database(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def process(
        self, env: Mapping[str, str] | None = None, cwd: Path | None = None
    ) -> ManagedProcess:
        return ManagedProcess(
            self.name,
            [sys.executable, "-m", self.name],
            self.home / "logs" / f"{self.name}.log",
            self.home / "run" / f"{self.name}.pid",
            env=env,
            cwd=cwd,
        )

    @staticmethod
    def installed(name: str) -> bool:
        try:
            return importlib.util.find_spec(f"{name}.__main__") is not None
        except (ImportError, ValueError):
            return False


@dataclass
class Stack:
    root: Path
    home: Path
    env: Mapping[str, str]
    pg_port: int
    valkey_port: int
    nats_port: int
    smtp_port: int
    services: list[Service] = field(default_factory=list)
    out: Callable[[str], None] = print
    # `edu up --workers N`: N worker processes per service in production mode (no demo data,
    # no reload). None: one worker in development mode, with demo data.
    workers: int | None = None

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, out: Callable[[str], None] = print
    ) -> Stack:
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
        stack = cls(
            root=root,
            home=home,
            env=env,
            pg_port=_env_port(env, "EDU_PG_PORT", 5432),
            valkey_port=_env_port(env, "EDU_VALKEY_PORT", 6379),
            nats_port=_env_port(env, "EDU_NATS_PORT", 4222),
            smtp_port=_env_port(env, "EDU_SMTP_PORT", 1025),
            out=out,
        )
        stack.services = [
            Service(name, _env_port(env, f"EDU_{name.upper()}_PORT", port), home)
            for name, port in SERVICES
        ]
        return stack

    # --- the parts -------------------------------------------------------------------------

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
    def mailsink(self) -> ManagedProcess:
        argv = [
            sys.executable, "-m", "edu_devstack.mailsink",
            "--port", str(self.smtp_port), "--dir", str(self.mail_dir),
        ]  # fmt: skip
        return ManagedProcess(
            "mailsink",
            argv,
            self.home / "logs" / "mailsink.log",
            self.home / "run" / "mailsink.pid",
            cwd=self.root,
        )

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
            return [s for s in self.services if s.name in names and Service.installed(s.name)]
        return [s for s in self.services if Service.installed(s.name)]

    # --- secrets ---------------------------------------------------------------------------

    def _private_file(self, name: str, make: Callable[[], str]) -> str:
        keys = self.home / "keys"
        keys.mkdir(parents=True, exist_ok=True)
        keys.chmod(0o700)
        path = keys / name
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(make())
        return path.read_text()

    def signing_keys(self) -> tuple[str, str]:
        """(private PEM, public PEM), generated once per data directory."""
        from edu_common.security.keys import SigningKey

        key: list[SigningKey] = []

        def private() -> str:
            key.append(SigningKey.generate())
            return key[0].private_pem()

        private_pem = self._private_file("jwt_private.pem", private)
        public = self._private_file(
            "jwt_public.pem", lambda: SigningKey.from_pem(private_pem).public_pem()
        )
        return private_pem, public

    def cursor_secret(self) -> str:
        return self._private_file("cursor_secret", lambda: secrets.token_urlsafe(32)).strip()

    def service_token(self, private_pem: str) -> str:
        """A token of role `service` for calls between services, minted at every start."""
        from edu_common.security.keys import SigningKey
        from edu_common.security.tokens import Role, TokenSigner

        signer = TokenSigner(
            SigningKey.from_pem(private_pem),
            issuer=self.env.get("EDU_JWT_ISSUER", "eduplatform-identity"),
            audience=self.env.get("EDU_JWT_AUDIENCE", "eduplatform"),
            access_ttl_seconds=SERVICE_TOKEN_TTL,
        )
        return signer.sign_access(DEV_SERVICE_ID, Role.SERVICE, True, name="edu dev stack")

    def service_env(self, service: Service) -> dict[str, str]:
        private_pem, public_pem = self.signing_keys()
        p = service.env_prefix
        env = dict(self.env)
        env.update(
            {
                f"{p}DATABASE_URL": self.database_url(service.database),
                f"{p}REDIS_URL": self.redis_url(),
                f"{p}NATS_URL": self.nats_url(),
                f"{p}JWT_PUBLIC_KEY": public_pem,
                f"{p}PORT": str(service.port),
                f"{p}ENVIRONMENT": "development" if self.workers is None else "production",
                f"{p}CURSOR_SECRET": self.cursor_secret(),
                # Every service that sends mail sends it to the local sink.
                f"{p}SMTP_HOST": HOST,
                f"{p}SMTP_PORT": str(self.smtp_port),
                f"{p}SERVICE_TOKEN": self.service_token(private_pem),
                # Where the other services answer, e.g. EDU_ENROLLMENT_PAYMENT_URL.
                **{f"{p}{other.name.upper()}_URL": other.url for other in self.services},
                "PYTHONUNBUFFERED": "1",
            }
        )
        if service.name == "identity":
            env["EDU_IDENTITY_JWT_PRIVATE_KEY"] = private_pem
        if self.workers is not None:
            env.update(self.worker_env(service, self.workers))
            return env
        if service.name == "course":
            env["EDU_COURSE_SEED_DEMO_DATA"] = "true"
        if service.name == "identity":
            env["EDU_IDENTITY_SEED_DEMO_USERS"] = "true"
        return env

    def worker_env(self, service: Service, workers: int) -> dict[str, str]:
        """Several workers: each service's metrics files in a directory of its own, which the
        service empties when it starts."""
        env = {f"{service.env_prefix}WORKERS": str(workers)}
        if workers > 1:
            env["PROMETHEUS_MULTIPROC_DIR"] = str(self.home / "metrics" / service.name)
        return env

    # --- bringing it up --------------------------------------------------------------------

    def _check_ports(self, services: list[Service]) -> None:
        wanted: list[tuple[int, str, str, bool]] = [
            (self.pg_port, "PostgreSQL", "EDU_PG_PORT",
             not self.external_database and not self.postgres.is_running()),
            (self.valkey_port, "Valkey", "EDU_VALKEY_PORT",
             not self.external_redis and not self.valkey.process.is_running()),
            (self.nats_port, "NATS", "EDU_NATS_PORT",
             not self.external_nats and not self.nats.process.is_running()),
            (self.smtp_port, "the mail sink", "EDU_SMTP_PORT", not self.mailsink.is_running()),
        ]  # fmt: skip
        for service in services:
            running = service.process().is_running()
            wanted.append((service.port, service.name, f"{service.env_prefix}PORT", not running))
        seen: dict[int, str] = {}
        for port, what, setting, needed in wanted:
            if port in seen:
                raise StackError(
                    f"port {port} is configured for both {seen[port]} and {what}: "
                    f"set {setting} to another port"
                )
            seen[port] = what
            if needed:
                require_port(port, what, setting)

    def _start_mailsink(self) -> None:
        sink = self.mailsink
        if sink.is_running():
            return
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        sink.start()
        if not wait_for_port(self.smtp_port, 15):
            raise StackError(
                f"the mail sink did not open port {self.smtp_port}; see {sink.log_path}"
            )

    def start_infrastructure(self) -> None:
        jobs: list[tuple[str, Callable[[], None]]] = []
        if not self.external_database:
            jobs.append(("PostgreSQL", self.postgres.start))
        if not self.external_redis:
            jobs.append(("Valkey", self.valkey.start))
        if not self.external_nats:
            jobs.append(("NATS", self.nats.start))
        jobs.append(("mail sink", self._start_mailsink))
        errors = _side_by_side(jobs)
        if errors:
            raise StackError("could not start " + "; ".join(errors))

    def create_databases(self, services: list[Service]) -> None:
        asyncio.run(self._create_databases([s.database for s in services]))

    async def _create_databases(self, names: list[str]) -> None:
        import asyncpg

        admin_url = self.database_url("postgres")
        try:
            conn = await asyncpg.connect(admin_url, timeout=15)
        except Exception as exc:
            raise StackError(f"cannot connect to PostgreSQL at {admin_url}: {exc}") from exc
        try:
            for name in names:
                exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
                if not exists:
                    await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    def start_services(self, services: list[Service]) -> None:
        for service in services:
            proc = service.process(self.service_env(service), cwd=self.root)
            if not proc.is_running():
                proc.start()

    def wait_ready(self, services: list[Service], timeout: float = READY_TIMEOUT) -> None:
        pending = {s.name: s for s in services}
        last: dict[str, str] = dict.fromkeys(pending, "no answer yet")
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0) as client:
            while pending and time.monotonic() < deadline:
                for name, service in list(pending.items()):
                    log = service.process().log_path
                    if not service.process().is_running():
                        raise StackError(
                            f"{name} exited while starting; last lines of {log}:\n"
                            + tail_text(log, 30)
                        )
                    try:
                        resp = client.get(f"{service.url}/health/ready")
                    except httpx.HTTPError as exc:
                        last[name] = f"{type(exc).__name__}"
                        continue
                    if resp.status_code == 200:
                        del pending[name]
                    else:
                        last[name] = f"HTTP {resp.status_code}: {resp.text[:300]}"
                if pending:
                    time.sleep(0.1)
        if pending:
            lines = [f"not ready after {timeout:.0f} s:"]
            for name, service in pending.items():
                lines.append(f"  {name} ({service.url}/health/ready): {last[name]}")
                lines.append(f"    log: {service.process().log_path}")
            raise StackError("\n".join(lines))

    def up(self) -> list[Service]:
        """Starts everything and waits until every service answers ready."""
        services = self.installed_services()
        for sub in ("logs", "run", "mail"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        self._check_ports(services)
        self.save_state()
        self.start_infrastructure()
        self.create_databases(services)
        self.signing_keys()
        self.start_services(services)
        self.wait_ready(services)
        return services

    # --- state, status, down ---------------------------------------------------------------

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

    def down(self) -> None:
        """Stops the services first, then the sink, NATS and Valkey, then PostgreSQL.

        The parts of one step stop side by side, so stopping takes as long as the slowest.
        """
        steps: list[list[tuple[str, Callable[[], None]]]] = [
            [(s.name, s.process().stop) for s in self.services],
            [
                ("mail sink", self.mailsink.stop),
                ("NATS", self.nats.stop),
                ("Valkey", self.valkey.stop),
            ],
        ]
        if (self.postgres.pgdata / "PG_VERSION").exists():
            steps.append([("PostgreSQL", self._stop_postgres)])
        errors = [error for step in steps for error in _side_by_side(step)]
        if errors:
            raise StackError("could not stop everything: " + "; ".join(errors))

    def _stop_postgres(self) -> None:
        postgres = self.postgres
        if postgres.is_running():
            # As root, PostgreSQL runs as its own user, who must still reach the data directory
            # (something may have tightened a parent directory since it started).
            postgres._prepare_root()
            postgres.stop()

    def anything_running(self) -> bool:
        return (
            any(s.process().is_running() for s in self.services)
            or self.mailsink.is_running()
            or self.nats.process.is_running()
            or self.valkey.process.is_running()
            or self.postgres.is_running()
        )

    def status(self) -> list[tuple[str, bool, int | None, str]]:
        """(part, running, port, readiness) for every part of the stack."""
        rows: list[tuple[str, bool, int | None, str]] = []

        def infra(what: str, external: str | None, running: bool, port: int) -> None:
            if external:
                rows.append((what, True, None, f"external: {redact(external)}"))
            else:
                rows.append((what, running, port, _port_state(port) if running else "-"))

        infra("postgresql", self.external_database, self.postgres.is_running(), self.pg_port)
        infra("valkey", self.external_redis, self.valkey.process.is_running(), self.valkey_port)
        infra("nats", self.external_nats, self.nats.process.is_running(), self.nats_port)
        infra("mailsink", None, self.mailsink.is_running(), self.smtp_port)
        with httpx.Client(timeout=2.0) as client:
            for service in self.services:
                if not Service.installed(service.name):
                    rows.append((service.name, False, service.port, "not built yet"))
                    continue
                running = service.process().is_running()
                readiness = "-"
                if running:
                    try:
                        resp = client.get(f"{service.url}/health/ready")
                        code = resp.status_code
                        readiness = "ready" if code == 200 else f"not ready ({code})"
                    except httpx.HTTPError as exc:
                        readiness = f"no answer ({type(exc).__name__})"
                rows.append((service.name, running, service.port, readiness))
        return rows

    def wipe(self) -> None:
        if self.home.exists():
            shutil.rmtree(self.home)


def _port_state(port: int) -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return "accepting" if sock.connect_ex((HOST, port)) == 0 else "port closed"


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return url


def tail_text(path: Path, lines: int) -> str:
    try:
        content = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(content[-lines:])


def _side_by_side(jobs: list[tuple[str, Callable[[], None]]]) -> list[str]:
    """Runs the jobs in parallel threads; returns "what: error" for each that failed."""
    errors = []
    with ThreadPoolExecutor(len(jobs)) as pool:
        futures = [(what, pool.submit(job)) for what, job in jobs]
        for what, future in futures:
            try:
                future.result()
            except Exception as exc:
                errors.append(f"{what}: {exc}")
    return errors
