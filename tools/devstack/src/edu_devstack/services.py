"""What `edu up` starts besides the infrastructure: every service (and app) of the platform.

Each runs as `python -m <name>` on its own port, with settings under `EDU_<NAME>_`; it starts
only once its package (with a `__main__`) is installed in the workspace.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from edu_devstack.processes import ManagedProcess

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Component:
    """One entry of the platform: its name (package and `python -m` module) and default port."""

    name: str
    default_port: int
    # Gets a PostgreSQL database of its own, named after it.
    has_database: bool = True
    # Its project in the workspace, when not services/py/<name> (an app: apps/<name>).
    directory: str = ""

    @property
    def project(self) -> str:
        """The component's project directory, relative to the workspace root."""
        return self.directory or f"services/py/{self.name}"


# In start order (the web app last: it calls the services). A new service or app is one more
# line here.
COMPONENTS: tuple[Component, ...] = (
    Component("identity", 8001),
    Component("course", 8002),
    Component("enrollment", 8003),
    Component("payment", 8004),
    Component("notification", 8005),
    Component("web", 3001, has_database=False, directory="apps/web"),
)


def installed(name: str) -> bool:
    """True when `python -m <name>` can run in this environment."""
    try:
        return importlib.util.find_spec(f"{name}.__main__") is not None
    except (ImportError, ValueError):
        return False


@dataclass
class Service:
    """A component as this data directory runs it: its port, log and pid file."""

    component: Component
    port: int
    home: Path

    @property
    def name(self) -> str:
        return self.component.name

    @property
    def env_prefix(self) -> str:
        return f"EDU_{self.name.upper()}_"

    @property
    def database(self) -> str | None:
        return self.name if self.component.has_database else None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def installed(self) -> bool:
        return installed(self.name)

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
