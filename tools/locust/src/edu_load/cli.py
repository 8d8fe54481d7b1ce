"""`edu bench <scenario> --rate R --duration D`: a headless locust run against the running
stack, with CPU, metrics and both ceilings measured in the same run, written up in
docs/performance/<date>-<name>.md."""

from __future__ import annotations

import argparse
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from edu_devstack.services import Service
from edu_devstack.settings import StackSettings
from edu_seed.scale import SCALES, SEED_PASSWORD, student_email

from edu_load import statements
from edu_load.ceilings import (
    LOCUSTFILE,
    locust_argv,
    pgbench_select_tps,
    read_run,
    server_ceiling,
)
from edu_load.failures import FailureLog
from edu_load.locust_csv import parse_history, parse_stats
from edu_load.report import BenchRun, write_report
from edu_load.sampling import CpuSampler, MetricsSampler
from edu_load.warm import warm

# Scenario -> the locust user classes it runs (all of them: the seeds' weighted mix).
SCENARIOS: dict[str, list[str]] = {
    "mix": ["StudentUser", "SearchUser", "TeacherUser"],
    "student": ["StudentUser"],
    "search": ["SearchUser"],
    "teacher": ["TeacherUser"],
    # The mix and visitors of the web app's pages (reported in a table of their own).
    "web": ["StudentUser", "SearchUser", "TeacherUser", "WebVisitor"],
}
_DURATION = re.compile(r"^(\d+)(s|m|h)?$")

EPILOG = f"""\
scenarios: mix (StudentUser 70%, SearchUser 20%, TeacherUser 10%), student, search, teacher;
  web: the mix and WebVisitor (the web app's catalog, course and lesson pages, reported apart)

The stack must be up and seeded, with a login limit that lets every simulated user log in
once from this machine:
  EDU_IDENTITY_LOGIN_IP_LIMIT=1000000 ./edu up --detach
  ./edu seed --scale small          # users log in as {student_email(1)} / {SEED_PASSWORD}, ...
  ./edu bench mix --rate 100 --duration 5m --scale small
"""


def duration(text: str) -> int:
    found = _DURATION.match(text.strip())
    if not found:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration like 90s, 5m or 1h")
    return int(found.group(1)) * {"s": 1, "m": 60, "h": 3600}[found.group(2) or "s"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edu bench",
        description="Run a load scenario at a fixed offered rate against the running stack "
        "and write a report to docs/performance/.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--rate", type=float, required=True, help="offered tasks per second")
    parser.add_argument("--duration", type=duration, required=True, help="e.g. 90s, 5m")
    parser.add_argument("--scale", choices=sorted(SCALES), default="small",
                        help="which seeded accounts exist (edu seed --scale)")  # fmt: skip
    parser.add_argument("--user-rate", type=float, default=1.0,
                        help="tasks per second per user (users = rate / this)")  # fmt: skip
    parser.add_argument("--spawn-rate", type=float, default=0, help="users started per second")
    parser.add_argument("--warmup", type=duration, default=0,
                        help="load after the ramp left out of the statistics too (the charts"
                        " show it), e.g. 60s: the report describes the steady state")  # fmt: skip
    parser.add_argument("--name", default="", help="report name (default: scenario-rate)")
    parser.add_argument("--ceiling-seconds", type=int, default=15)
    parser.add_argument("--pgbench-seconds", type=int, default=15)
    parser.add_argument("--out", type=Path, default=None, help="default docs/performance")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    stack = StackSettings.from_env()
    stack.load_state()
    services = [s for s in stack.installed_services() if s.process().is_running()]
    if not services:
        print("edu bench: the stack is not running (`edu up --detach`)", file=sys.stderr)
        return 1
    out_dir: Path = args.out or stack.root / "docs" / "performance"
    users = max(1, math.ceil(args.rate / args.user_rate))
    spawn_rate = args.spawn_rate or max(1.0, users / 10)
    ramp = math.ceil(users / spawn_rate)
    name = args.name or f"{args.scenario}-{args.rate:g}rps"
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    urls = {s.name: s.url for s in services}
    cores = os.cpu_count() or 1

    with tempfile.TemporaryDirectory(prefix="edu-bench-") as tmp:
        work = Path(tmp)
        print(f"edu bench: ceiling, GET /health/live on course for {args.ceiling_seconds} s")
        target = urls.get("course") or next(iter(urls.values()))
        ceiling = (
            server_ceiling(target, args.ceiling_seconds, work) if args.ceiling_seconds else None
        )
        print(f"edu bench: pgbench -S for {args.pgbench_seconds} s")
        tps, pgbench_note = (
            pgbench_select_tps(stack.database_url("postgres"), args.pgbench_seconds)
            if args.pgbench_seconds
            else (None, "pgbench skipped")
        )

        database_urls = {s.name: stack.database_url(s.database) for s in services if s.database}
        print("edu bench: reading the databases into the page cache")
        warmed = warm(database_urls)
        print(f"edu bench: {args.scenario} at {args.rate:g}/s, {users} users, "
              f"{ramp} s ramp + {args.warmup} s warm-up + {args.duration} s")  # fmt: skip
        env = {
            **os.environ,
            "EDU_LOAD_SCALE": args.scale,
            "EDU_LOAD_USER_RATE": str(args.user_rate),
            "EDU_LOAD_WARMUP_S": str(args.warmup),
        }
        env |= {f"EDU_LOAD_{n.upper()}_URL": url for n, url in urls.items()}
        prefix = work / "mix"
        failures_file = work / "failures.json"
        env["EDU_LOAD_FAILURES"] = str(failures_file)
        run_time = ramp + args.warmup + args.duration
        cmd = locust_argv(LOCUSTFILE, urls.get("course", target), users, spawn_rate, run_time,
                          prefix, SCENARIOS[args.scenario])  # fmt: skip
        cpu = CpuSampler(_process_roots(stack, services))
        metrics = MetricsSampler(urls, database_urls, nats_url=stack.nats_url())
        statements_note = statements.reset(database_urls)
        started = time.monotonic()
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter running locust
            cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        cpu.add("load generator", proc.pid)
        cpu.start()
        metrics.start()
        output, _ = proc.communicate()
        cpu_samples = cpu.stop()
        cpu_waiting = cpu.waited()
        service_metrics = metrics.stop()
        counted = statements.read(database_urls) if statements_note is None else {}
        consumers = {name: max(seen) for name, seen in metrics.consumer_pending.items() if seen}
        run = read_run(prefix, proc.returncode, output)
        if not run.stats_csv:
            print(f"edu bench: locust wrote no statistics:\n{output}", file=sys.stderr)
            return 1
        endpoints, overall = parse_stats(run.stats_csv)
        report = BenchRun(
            name=name,
            date=date,
            command=_command(args),
            scenario=args.scenario,
            offered_rps=args.rate,
            users=users,
            duration_s=float(args.duration),
            cores=cores,
            endpoints=endpoints,
            overall=overall,
            timeline=parse_history(run.history_csv),
            cpu=cpu_samples,
            waiting=cpu_waiting,
            services=service_metrics,
            consumer_pending_max=consumers,
            ceiling_rps=ceiling,
            ceiling_target="GET /health/live on course, 32 users, no wait",
            pgbench_tps=tps,
            failures=FailureLog.read(failures_file),
            statements=counted,
            notes=[
                f"offered is in tasks per second ({args.user_rate:g} per user,"
                " `constant_throughput`); most tasks are one request",
                f"statistics are reset when the {ramp} s ramp (logins) ends"
                + (f" and again after a {args.warmup} s warm-up" if args.warmup else "")
                + "; the charts show the whole run",
                pgbench_note,
                warmed.note(),
                "CPU is summed over each process and its children;"
                " PostgreSQL includes every backend",
                f"locust exited with {proc.returncode} after {time.monotonic() - started:.0f} s",
                *([statements_note] if statements_note else []),
            ],
        )
        path, _ = write_report(report, out_dir, f"{date}-{name}", run.stats_csv, run.history_csv)
    print(f"edu bench: {overall.requests:,} requests, {overall.failures:,} errors,"
          f" {overall.rps:.1f} RPS, p99 {overall.p99_ms:.0f} ms; report {path}")  # fmt: skip
    return 0


def _process_roots(stack: StackSettings, services: list[Service]) -> dict[str, int]:
    roots: dict[str, int] = {}
    for service in services:
        pid = service.process().pid()
        if pid:
            roots[service.name] = pid
    pid_file = stack.postgres.pgdata / "postmaster.pid"
    if not stack.external_database and pid_file.exists():
        roots["postgresql"] = int(pid_file.read_text().splitlines()[0])
    for label, process in (("valkey", stack.valkey.process), ("nats", stack.nats.process)):
        found = process.pid()
        if found:
            roots[label] = found
    return roots


def _command(args: argparse.Namespace) -> str:
    parts = ["./edu bench", args.scenario, f"--rate {args.rate:g}", f"--duration {args.duration}s",
             f"--scale {args.scale}"]  # fmt: skip
    if args.user_rate != 1.0:
        parts.append(f"--user-rate {args.user_rate:g}")
    if args.spawn_rate:
        parts.append(f"--spawn-rate {args.spawn_rate:g}")
    if args.warmup:
        parts.append(f"--warmup {args.warmup}s")
    if args.name:
        parts.append(f"--name {args.name}")
    return " ".join(parts)
