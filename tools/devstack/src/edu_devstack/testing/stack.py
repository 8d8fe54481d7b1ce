"""The whole platform from `edu up --detach`, on free ports and a data directory of its own,
for tests that drive it from outside as a user would (over HTTP, in a browser, under load)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from edu_devstack.processes import free_port
from edu_devstack.services import COMPONENTS
from edu_devstack.settings import find_root

INFRASTRUCTURE = ("PG", "VALKEY", "NATS", "SMTP")
# Taken from the caller's environment, they would point the stack somewhere else.
_OUTSIDE = ("EDU_DATABASE_URL", "EDU_REDIS_URL", "EDU_NATS_URL", "EDU_SERVICES")


@dataclass(frozen=True)
class StackUnderTest:
    home: Path
    env: dict[str, str]
    # By part, as `EDU_<PART>_PORT` names it: PG, VALKEY, NATS, SMTP, IDENTITY, ..., WEB.
    ports: dict[str, int]

    @property
    def data(self) -> Path:
        """The stack's data directory (`EDU_HOME`): logs, mail, pid files."""
        return self.home / "edu"

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name.upper()]}"

    def edu(self, *args: str, timeout: float = 200) -> subprocess.CompletedProcess[str]:
        """Runs an `edu` command against this stack."""
        return subprocess.run(  # noqa: S603 - our own interpreter running `edu`
            [sys.executable, "-m", "edu_devstack.cli", *args],
            env=self.env,
            cwd=find_root(Path(__file__).parent),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@contextmanager
def stack_on_free_ports(
    prefix: str, env: Mapping[str, str] | None = None
) -> Iterator[StackUnderTest]:
    """A data directory and free ports for every part; the caller runs `edu up`. On the way
    out the stack is stopped (`edu down`, whatever state it is in) and its directory removed.
    """
    # Directly under /tmp, as the test servers are: PostgreSQL runs as its own user when we
    # are root, and pytest keeps its own temporary root private to us.
    home = Path(tempfile.mkdtemp(prefix=prefix))
    ports = {name: free_port() for name in INFRASTRUCTURE}
    ports |= {component.name.upper(): free_port() for component in COMPONENTS}
    full = {k: v for k, v in os.environ.items() if k not in _OUTSIDE}
    full |= {f"EDU_{name}_PORT": str(port) for name, port in ports.items()}
    full["EDU_HOME"] = str(home / "edu")
    full |= dict(env or {})
    stack = StackUnderTest(home, full, ports)
    try:
        yield stack
    finally:
        stack.edu("down")
        shutil.rmtree(home, ignore_errors=True)
