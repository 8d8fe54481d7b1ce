"""A real service as its own process (`python -m <name>`, uvicorn and all) against the test
servers, for what only a process shows: signals, shutdown, a worker's limits under load."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from edu_common.security.keys import SigningKey

from edu_devstack.processes import free_port, tail_text
from edu_devstack.testing.servers import TestServers

START_TIMEOUT = 90.0


@dataclass
class ServiceProcess:
    name: str
    port: int
    database: str
    log_path: Path
    env: dict[str, str]
    popen: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.popen is not None, "not started"
        return self.popen.pid

    def log(self, lines: int = 40) -> str:
        return tail_text(self.log_path, lines)

    async def start(self) -> None:
        """Starts the process (again, after it exited) and waits until it is ready."""
        self.popen = self._spawn()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT
        async with httpx.AsyncClient(base_url=self.url, timeout=5) as client:
            while True:
                if self.popen.poll() is not None:
                    raise AssertionError(f"{self.name} exited at start:\n{self.log()}")
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/health/ready")).status_code == 200:
                        return
                if loop.time() > deadline:
                    raise AssertionError(
                        f"{self.name} not ready in {START_TIMEOUT} s:\n{self.log()}"
                    )
                await asyncio.sleep(0.1)

    def _spawn(self) -> subprocess.Popen[bytes]:
        with self.log_path.open("ab") as log:
            return subprocess.Popen(  # noqa: S603 - our own interpreter, argv built here
                [sys.executable, "-m", self.name],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                start_new_session=True,
            )

    def send(self, sig: signal.Signals) -> None:
        os.kill(self.pid, sig)

    async def wait(self, timeout: float = 60.0) -> int:
        """Waits for the process to end; its exit code."""
        assert self.popen is not None
        popen = self.popen
        return await asyncio.to_thread(popen.wait, timeout)

    async def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        await asyncio.to_thread(self.popen.wait, 30)


@contextlib.asynccontextmanager
async def service_process(
    servers: TestServers,
    signing_key: SigningKey,
    name: str,
    *,
    settings: Mapping[str, Any] | None = None,
    namespace: str | None = None,
    start: bool = True,
) -> AsyncIterator[ServiceProcess]:
    """Service `name` on a free port with a fresh database (it applies its own migrations),
    settings given without their prefix (`{"workers": 2}`); killed and dropped at the end."""
    database = await servers.fresh_database(f"{name}_process", None)
    port = free_port()
    prefix = f"EDU_{name.upper()}_"
    namespace = namespace or f"p{os.urandom(5).hex()}"
    values: dict[str, Any] = {
        "port": port,
        "environment": "test",
        "database_url": servers.postgres.url(database),
        "redis_url": servers.valkey.url(),
        "nats_url": servers.nats.url(),
        "jwt_public_key": signing_key.public_pem(),
        "events_stream": namespace.upper(),
        "events_subject_prefix": namespace,
        "access_log": False,
        "log_level": "INFO",
    }
    values.update(settings or {})
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDU_")}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env |= {f"{prefix}{key.upper()}": str(value) for key, value in values.items()}
    home = Path(tempfile.mkdtemp(prefix=f"edu-process-{name}-"))
    service = ServiceProcess(name, port, database, home / f"{name}.log", env)
    try:
        if start:
            await service.start()
        yield service
    finally:
        await service.stop()
        with contextlib.suppress(Exception):
            await servers.drop_database(database)
        shutil.rmtree(home, ignore_errors=True)
