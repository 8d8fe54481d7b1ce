"""Bringing a dev stack up and down: embedded servers, the mail sink, every service.

Everything lives under the data directory (`.edu/` at the repository root, or $EDU_HOME):
pgdata, logs, pid files, the signing keys and the mail the sink received. Where it listens is
in `settings`, its keys in `credentials`, what each service is told in `environment`.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from edu_devstack.credentials import StackSecrets
from edu_devstack.environment import service_env
from edu_devstack.processes import (
    ManagedProcess,
    StackError,
    require_port,
    tail_text,
    wait_for_port,
)
from edu_devstack.services import Service
from edu_devstack.settings import StackSettings

READY_TIMEOUT = 60.0


@dataclass
class Stack:
    settings: StackSettings

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Stack:
        return cls(StackSettings.from_env(env))

    @property
    def secrets(self) -> StackSecrets:
        return StackSecrets(self.settings.home, self.settings.env)

    @property
    def mailsink(self) -> ManagedProcess:
        s = self.settings
        argv = [
            sys.executable, "-m", "edu_devstack.mailsink",
            "--port", str(s.smtp_port), "--dir", str(s.mail_dir),
        ]  # fmt: skip
        return ManagedProcess(
            "mailsink",
            argv,
            s.home / "logs" / "mailsink.log",
            s.home / "run" / "mailsink.pid",
            cwd=s.root,
        )

    # --- bringing it up --------------------------------------------------------------------

    def up(self) -> list[Service]:
        """Starts everything and waits until every service answers ready."""
        s = self.settings
        services = s.installed_services()
        for sub in ("logs", "run", "mail"):
            (s.home / sub).mkdir(parents=True, exist_ok=True)
        self.check_ports(services)
        s.save_state()
        self.start_infrastructure()
        self.create_databases(services)
        self.secrets.signing_keys()
        self.start_services(services)
        self.wait_ready(services)
        return services

    def check_ports(self, services: list[Service]) -> None:
        """Refuses a port configured twice, or taken by something this stack did not start."""
        s = self.settings
        wanted: list[tuple[int, str, str, bool]] = [
            (s.pg_port, "PostgreSQL", "EDU_PG_PORT",
             not s.external_database and not s.postgres.is_running()),
            (s.valkey_port, "Valkey", "EDU_VALKEY_PORT",
             not s.external_redis and not s.valkey.process.is_running()),
            (s.nats_port, "NATS", "EDU_NATS_PORT",
             not s.external_nats and not s.nats.process.is_running()),
            (s.smtp_port, "the mail sink", "EDU_SMTP_PORT", not self.mailsink.is_running()),
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
        self.settings.mail_dir.mkdir(parents=True, exist_ok=True)
        sink.start()
        if not wait_for_port(self.settings.smtp_port, 15):
            raise StackError(
                f"the mail sink did not open port {self.settings.smtp_port}; see {sink.log_path}"
            )

    def start_infrastructure(self) -> None:
        s = self.settings
        jobs: list[tuple[str, Callable[[], None]]] = []
        if not s.external_database:
            jobs.append(("PostgreSQL", s.postgres.start))
        if not s.external_redis:
            jobs.append(("Valkey", s.valkey.start))
        if not s.external_nats:
            jobs.append(("NATS", s.nats.start))
        jobs.append(("mail sink", self._start_mailsink))
        errors = _side_by_side(jobs)
        if errors:
            raise StackError("could not start " + "; ".join(errors))

    def create_databases(self, services: list[Service]) -> None:
        names = [s.database for s in services if s.database is not None]
        asyncio.run(self._create_databases(names))

    async def _create_databases(self, names: list[str]) -> None:
        import asyncpg

        admin_url = self.settings.database_url("postgres")
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
            env = service_env(self.settings, self.secrets, service)
            proc = service.process(env, cwd=self.settings.root)
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

    # --- bringing it down ------------------------------------------------------------------

    def down(self) -> None:
        """Stops the services first, then the sink, NATS and Valkey, then PostgreSQL.

        The parts of one step stop side by side, so stopping takes as long as the slowest.
        """
        s = self.settings
        steps: list[list[tuple[str, Callable[[], None]]]] = [
            [(service.name, service.process().stop) for service in s.services],
            [
                ("mail sink", self.mailsink.stop),
                ("NATS", s.nats.stop),
                ("Valkey", s.valkey.stop),
            ],
        ]
        if (s.postgres.pgdata / "PG_VERSION").exists():
            steps.append([("PostgreSQL", self._stop_postgres)])
        errors = [error for step in steps for error in _side_by_side(step)]
        if errors:
            raise StackError("could not stop everything: " + "; ".join(errors))

    def _stop_postgres(self) -> None:
        postgres = self.settings.postgres
        if postgres.is_running():
            # As root, PostgreSQL runs as its own user, who must still reach the data directory
            # (something may have tightened a parent directory since it started).
            postgres._prepare_root()
            postgres.stop()

    def anything_running(self) -> bool:
        s = self.settings
        return (
            any(service.process().is_running() for service in s.services)
            or self.mailsink.is_running()
            or s.nats.process.is_running()
            or s.valkey.process.is_running()
            or s.postgres.is_running()
        )

    def wipe(self) -> None:
        if self.settings.home.exists():
            shutil.rmtree(self.settings.home)


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
