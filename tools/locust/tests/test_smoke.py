"""A 20-second run of the seeds' mix against a seeded stack on free ports: every simulated user
logs in as a seeded account, the three user classes all run, and nothing fails."""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import pytest
from edu_devstack.services import COMPONENTS, installed
from edu_devstack.testing import stack_on_free_ports

pytestmark = [pytest.mark.stack, pytest.mark.timeout(420)]


def test_the_mix_runs_against_a_seeded_stack_without_a_failure() -> None:
    if not all(installed(component.name) for component in COMPONENTS):
        pytest.fail("the load mix needs every service installed")
    # Every simulated user logs in once, all from this machine.
    with stack_on_free_ports("edu-load-", {"EDU_IDENTITY_LOGIN_IP_LIMIT": "100000"}) as stack:
        out = stack.home / "reports"
        up = stack.edu("up", "--detach")
        assert up.returncode == 0, up.stdout + up.stderr
        seeded = stack.edu("seed", "--scale", "small")
        assert seeded.returncode == 0, seeded.stdout + seeded.stderr
        assert "rows/s overall" in seeded.stderr + seeded.stdout
        bench = stack.edu("bench", "mix", "--rate", "20", "--duration", "20s", "--name", "smoke",
                          "--warmup", "5s", "--ceiling-seconds", "3", "--pgbench-seconds", "3",
                          "--out", str(out), timeout=300)  # fmt: skip
        assert bench.returncode == 0, bench.stdout + bench.stderr
        down = stack.edu("down")
        assert down.returncode == 0, down.stdout + down.stderr
        _check_report(out)


def _check_report(out: Path) -> None:
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
    # The statistics started over twice: when the ramp ended, and after the warm-up.
    history = list(
        csv.DictReader(
            io.StringIO((out / reports[0].stem / "locust_stats_history.csv").read_text())
        )
    )
    counts = [int(row["Total Request Count"]) for row in history if row["Name"] == "Aggregated"]
    restarts = sum(1 for before, after in itertools.pairwise(counts) if after < before)
    assert restarts == 2, counts
    assert "and again after a 5 s warm-up" in report
    assert "--warmup 5s" in report
    assert (out / reports[0].stem / "rps.png").exists()
    assert "| ceiling (" in report
    assert "n/a RPS" not in report
    assert "## Event lag" in report
    # The stack's PostgreSQL counts statements: the catalog's reads are among course's costliest.
    assert "## Database statements" in report
    assert "statements not counted" not in report
    course = report.split("\ncourse:\n", 1)[1].split("\n\n", 1)[0]
    assert "FROM courses" in course, course
