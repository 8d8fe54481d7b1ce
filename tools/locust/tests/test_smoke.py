"""A 20-second run of the seeds' mix against a seeded stack on free ports: every simulated user
logs in as a seeded account, the three user classes all run, and nothing fails."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from edu_devstack.processes import free_port
from edu_devstack.services import COMPONENTS, installed
from edu_devstack.settings import find_root

pytestmark = [pytest.mark.stack, pytest.mark.timeout(420)]


def _edu(env: dict[str, str], *args: str, timeout: float = 200) -> subprocess.CompletedProcess[str]:
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
    # Directly under /tmp, as the test servers are (PostgreSQL may run as its own user).
    home = Path(tempfile.mkdtemp(prefix="edu-load-"))
    try:
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_the_mix_runs_against_a_seeded_stack_without_a_failure(edu_home: Path) -> None:
    if not all(installed(component.name) for component in COMPONENTS):
        pytest.fail("the load mix needs every service installed")
    env = dict(os.environ)
    for key in ("EDU_DATABASE_URL", "EDU_REDIS_URL", "EDU_NATS_URL", "EDU_SERVICES"):
        env.pop(key, None)
    ports = {name: free_port() for name in ("PG", "VALKEY", "NATS", "SMTP")}
    ports |= {component.name.upper(): free_port() for component in COMPONENTS}
    env |= {f"EDU_{name}_PORT": str(port) for name, port in ports.items()}
    env["EDU_HOME"] = str(edu_home / "edu")
    # Every simulated user logs in once, all from this machine.
    env["EDU_IDENTITY_LOGIN_IP_LIMIT"] = "100000"
    out = edu_home / "reports"
    try:
        up = _edu(env, "up", "--detach")
        assert up.returncode == 0, up.stdout + up.stderr
        seeded = _edu(env, "seed", "--scale", "small")
        assert seeded.returncode == 0, seeded.stdout + seeded.stderr
        assert "rows/s overall" in seeded.stderr + seeded.stdout
        bench = _edu(env, "bench", "mix", "--rate", "20", "--duration", "20s", "--name", "smoke",
                     "--ceiling-seconds", "3", "--pgbench-seconds", "3", "--out", str(out),
                     timeout=300)  # fmt: skip
        assert bench.returncode == 0, bench.stdout + bench.stderr
    finally:
        down = _edu(env, "down")
        assert down.returncode == 0, down.stdout + down.stderr

    reports = list(out.glob("*-smoke.md"))
    assert len(reports) == 1, list(out.iterdir())
    report = reports[0].read_text()
    assert "| requests / errors |" in report
    stats = list(
        csv.DictReader(io.StringIO((out / reports[0].stem / "locust_stats.csv").read_text()))
    )
    by_name = {row["Name"]: row for row in stats}
    overall = by_name.pop("Aggregated")
    assert int(overall["Request Count"]) > 100
    failures = {
        name: row["Failure Count"] for name, row in by_name.items() if row["Failure Count"] != "0"
    }
    assert int(overall["Failure Count"]) == 0, failures
    # Students, searchers and teachers all ran (the ramp's logins are reset away).
    for endpoint in ("GET /courses", "GET /courses?q", "GET /courses/my", "GET /enrollments/me"):
        assert endpoint in by_name, sorted(by_name)
    assert (out / reports[0].stem / "rps.png").exists()
    assert "| ceiling (" in report
    assert "n/a RPS" not in report
    assert "## Event lag" in report
