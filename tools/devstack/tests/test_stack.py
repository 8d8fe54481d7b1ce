"""`edu up --detach` brings the platform up on free ports, `edu down` leaves nothing running."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from edu_devstack.processes import free_port, port_free
from edu_devstack.stack import SERVICES, Service, find_root

pytestmark = [pytest.mark.stack, pytest.mark.timeout(240)]


def _edu(env: dict[str, str], *args: str, timeout: float = 150) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "edu_devstack.cli", *args],
        env=env,
        cwd=find_root(Path(__file__).parent),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def edu_home() -> Iterator[Path]:
    # Directly under /tmp, as the test servers are: PostgreSQL runs as its own user when we are
    # root, and pytest keeps its own temporary root private to us.
    home = Path(tempfile.mkdtemp(prefix="edu-stack-"))
    try:
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_up_serves_demo_logins_and_down_stops_everything(edu_home: Path) -> None:
    tmp_path = edu_home
    env = dict(os.environ)
    for key in ("EDU_DATABASE_URL", "EDU_REDIS_URL", "EDU_NATS_URL", "EDU_SERVICES"):
        env.pop(key, None)
    ports = {name: free_port() for name in ("PG", "VALKEY", "NATS", "SMTP")}
    ports |= {name.upper(): free_port() for name, _ in SERVICES}
    env |= {f"EDU_{name}_PORT": str(port) for name, port in ports.items()}
    env["EDU_HOME"] = str(tmp_path / "edu")
    started = [name for name, _ in SERVICES if Service.installed(name)]

    try:
        up = _edu(env, "up", "--detach")
        assert up.returncode == 0, up.stdout + up.stderr
        assert "ready in" in up.stdout

        with httpx.Client(timeout=10) as client:
            for name in started:
                port = ports[name.upper()]
                assert client.get(f"http://127.0.0.1:{port}/health/ready").status_code == 200
            if "identity" in started:
                base = f"http://127.0.0.1:{ports['IDENTITY']}"
                resp = client.post(
                    f"{base}/login",
                    json={"email": "admin@eduplatform.com", "password": "password123"},
                )
                assert resp.status_code == 200, resp.text

        status = _edu(env, "status")
        assert status.returncode == 0
        assert "postgresql     running" in status.stdout
    finally:
        down = _edu(env, "down")

    assert down.returncode == 0, down.stdout + down.stderr
    closed = {name: port_free(port) for name, port in ports.items()}
    assert all(closed.values()), f"still listening: {[n for n, ok in closed.items() if not ok]}"
    run_dir = tmp_path / "edu" / "run"
    assert not list(run_dir.glob("*.pid")), "pid files left behind"
    assert not (tmp_path / "edu" / "postgres" / "pgdata" / "postmaster.pid").exists()
