"""`edu soak --rate R --duration D`: the seeds' mix at a fixed offered rate against the running
stack while faults are injected one after another (PostgreSQL restarted and SIGKILLed, Valkey
stopped, NATS SIGKILLed, a service SIGTERMed), then the count check; written up in
docs/reliability/<date>-<name>.md with the bench's report writer and charts."""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import subprocess
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil
from edu_devstack.services import Service
from edu_devstack.stack import Stack
from edu_seed.scale import SCALES, SEED_PASSWORD, student_email

from edu_load.ceilings import LOCUSTFILE, locust_argv, read_run
from edu_load.cli import _process_roots, duration
from edu_load.counts import count_check, settle
from edu_load.errors import RequestError, by_kind, read_errors
from edu_load.faults import Fault, FaultOutcome, RecoveryWatch, attribute, stack_faults
from edu_load.locust_csv import parse_history, parse_stats
from edu_load.report import BenchRun, write_report
from edu_load.sampling import CpuSampler, MetricsSampler
from edu_load.soak_report import counts_section, errors_section, faults_section

EPILOG = f"""\
The stack must be up and seeded, with a login limit that lets every simulated user log in
once from this machine:
  EDU_IDENTITY_LOGIN_IP_LIMIT=1000000 ./edu up --detach
  ./edu seed --scale small          # users log in as {student_email(1)} / {SEED_PASSWORD}, ...
  ./edu soak --rate 150 --duration 10m --scale small

The stack is left running, every part restarted. Exit status 0 when every fault recovered and
the count check passed, 2 otherwise (the report says which).
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edu soak",
        description="Run the load mix at a fixed offered rate against the running stack, "
        "inject faults one after another, check the counts, write a report.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rate", type=float, required=True, help="offered tasks per second")
    parser.add_argument("--duration", type=duration, required=True, help="e.g. 3m, 600s")
    parser.add_argument(
        "--scale",
        choices=sorted(SCALES),
        default="small",
        help="which seeded accounts exist (edu seed --scale)",
    )
    parser.add_argument(
        "--user-rate",
        type=float,
        default=1.0,
        help="tasks per second per user (users = rate / this)",
    )
    parser.add_argument(
        "--warmup",
        type=duration,
        default=30,
        help="load before the first fault, the background error rate",
    )
    parser.add_argument(
        "--quiet",
        type=float,
        default=10.0,
        help="seconds without (more than background) errors that mean recovered",
    )
    parser.add_argument("--recovery-timeout", type=float, default=180.0)
    parser.add_argument("--settle-timeout", type=float, default=180.0)
    parser.add_argument("--service", default="course", help="the service to SIGTERM")
    parser.add_argument(
        "--faults", default="", help="comma-separated fault numbers to inject (1-5, default all)"
    )
    parser.add_argument("--name", default="", help="report name (default: soak-<rate>rps)")
    parser.add_argument("--out", type=Path, default=None, help="default docs/reliability")
    return parser


def plan(start: float, warmup: float, duration: float, count: int) -> list[float]:
    """When each fault is due: the first after the warm-up, the rest spread evenly over the
    run, each slot as long as the others."""
    if count <= 0:
        return []
    slot = max(0.0, duration - warmup) / count
    return [start + warmup + i * slot for i in range(count)]


def choose(faults: list[Fault], spec: str) -> list[Fault]:
    """The faults named by number in `spec` ("1,3"), in that order; all of them for ""."""
    if not spec.strip():
        return faults
    try:
        chosen = [int(n) for n in spec.split(",") if n.strip()]
    except ValueError:
        chosen = []
    if not chosen or not all(1 <= n <= len(faults) for n in chosen):
        known = "; ".join(f"{i} {f.name}" for i, f in enumerate(faults, 1))
        raise ValueError(f"--faults takes numbers from 1 to {len(faults)} ({known}), not {spec!r}")
    return [faults[n - 1] for n in chosen]


def background_allowance(errors: list[RequestError], start: float, end: float, quiet: float) -> int:
    """Failures a quiet window may hold: the rate seen between `start` and `end` (before any
    fault) over `quiet` seconds, rounded down."""
    span = end - start
    if span <= 0:
        return 0
    seen = sum(1 for e in errors if start <= e.t < end)
    return math.floor(seen / span * quiet)


class ErrorFollower:
    """The error log as it grows, read from where the last call stopped."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.errors: list[RequestError] = []
        self._lock = threading.Lock()

    def __call__(self) -> list[RequestError]:
        with self._lock:
            found, self.offset = read_errors(self.path, self.offset)
            self.errors.extend(found)
            return list(self.errors)


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    stack = Stack.from_env()
    stack.settings.load_state()
    s = stack.settings
    services = [x for x in s.installed_services() if x.process().is_running()]
    if not services:
        print("edu soak: the stack is not running (`edu up --detach`)")
        return 1
    if args.service not in {x.name for x in services}:
        print(f"edu soak: {args.service} is not running, so it cannot be the one SIGTERMed")
        return 1
    try:
        faults = choose(stack_faults(stack, args.service), args.faults)
    except ValueError as exc:
        print(f"edu soak: {exc}")
        return 1
    out_dir: Path = args.out or s.root / "docs" / "reliability"
    users = max(1, math.ceil(args.rate / args.user_rate))
    spawn_rate = max(1.0, users / 10)
    ramp = math.ceil(users / spawn_rate)
    name = args.name or f"soak-{args.rate:g}rps"
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    urls = {x.name: x.url for x in services}
    database_urls = {x.name: s.database_url(x.database) for x in services if x.database}

    with tempfile.TemporaryDirectory(prefix="edu-soak-") as tmp:
        work = Path(tmp)
        error_log = work / "errors.jsonl"
        follow = ErrorFollower(error_log)
        env = {
            **os.environ,
            "EDU_LOAD_SCALE": args.scale,
            "EDU_LOAD_USER_RATE": str(args.user_rate),
            "EDU_LOAD_ERROR_LOG": str(error_log),
        }
        env |= {f"EDU_LOAD_{n.upper()}_URL": url for n, url in urls.items()}
        prefix = work / "mix"
        cmd = locust_argv(
            LOCUSTFILE,
            urls.get("course", next(iter(urls.values()))),
            users,
            spawn_rate,
            args.duration + ramp,
            prefix,
        )
        print(
            f"edu soak: mix at {args.rate:g}/s, {users} users, {ramp} s ramp +"
            f" {args.duration} s; {len(faults)} faults after {args.warmup} s"
        )
        cpu = CpuSampler(_process_roots(s, services))
        metrics = MetricsSampler(urls, database_urls, nats_url=s.nats_url())
        started = time.time()
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter running locust
            cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        cpu.add("load generator", proc.pid)
        cpu.start()
        metrics.start()
        output: list[str] = []
        reader = threading.Thread(target=lambda: output.append(proc.communicate()[0]), daemon=True)
        reader.start()

        measured = started + ramp
        end = measured + args.duration
        due = plan(measured, args.warmup, args.duration, len(faults))
        outcomes: list[FaultOutcome] = []
        skipped: list[str] = []
        allowed = 0
        with httpx.Client(timeout=5) as client:
            for i, (fault, at) in enumerate(zip(faults, due, strict=True)):
                # Due at its planned time, never before the previous one recovered.
                reader.join(timeout=max(0.0, at - time.time()))
                if not reader.is_alive() or time.time() > end - args.quiet:
                    skipped.append(fault.name)
                    continue
                if i == 0:
                    allowed = background_allowance(follow(), measured, time.time(), args.quiet)
                outcome = FaultOutcome(fault.name, fault.description, injected_at=time.time())
                print(f"edu soak: {fault.name} at {outcome.injected_at - started:.0f} s")
                try:
                    fault.inject()
                except Exception as exc:
                    outcome.note = f"injection failed: {exc}"
                outcome.restored_at = time.time()
                # A restarted part is a new process: sample its CPU under the same name.
                for part, pid in _process_roots(s, services).items():
                    cpu.add(part, pid)
                RecoveryWatch(
                    list(urls.values()),
                    follow,
                    quiet=args.quiet,
                    allowed=allowed,
                    timeout=args.recovery_timeout,
                ).follow(outcome, client)
                print(
                    f"edu soak:   recovered after {outcome.recovery_s or float('nan'):.1f} s"
                    f" {outcome.note}".rstrip()
                )
                outcomes.append(outcome)
        reader.join()
        finished = time.time()
        cpu_samples = cpu.stop()
        cpu_waiting = cpu.waited()
        service_metrics = metrics.stop()
        errors = follow()
        windows = [o.injected_at for o in outcomes[1:]] + [finished]
        for outcome, until in zip(outcomes, windows, strict=True):
            attribute(outcome, errors, until)
        first = outcomes[0].injected_at if outcomes else finished
        outside = by_kind(e for e in errors if e.t < first)

        print(
            f"edu soak: settling (outboxes empty, consumers caught up, {args.settle_timeout:.0f}"
            " s at most), then the count check"
        )
        settled, settle_s, waiting = asyncio.run(
            settle(database_urls, s.nats_url(), args.settle_timeout)
        )
        check = asyncio.run(count_check(database_urls, settled, settle_s))
        run = read_run(prefix, proc.returncode, output[0] if output else "")
        if not run.stats_csv:
            print(f"edu soak: locust wrote no statistics:\n{run.output}")
            return 1
        endpoints, overall = parse_stats(run.stats_csv)
        notes = [
            _conditions(services),
            f"offered is in tasks per second ({args.user_rate:g} per user,"
            " `constant_throughput`); most tasks are one request",
            f"statistics are reset when the {ramp} s ramp (logins) ends;"
            " the charts show the whole run, faults marked",
            f"a quiet window may hold {allowed} failure(s): the rate before the first fault"
            f" over {args.quiet:g} s",
            f"locust exited with {proc.returncode} after {finished - started:.0f} s",
        ]
        if skipped:
            notes.append("not injected, the run ended first: " + ", ".join(skipped))
        if waiting:
            notes.append(
                "still waiting when the settle period ended: "
                + ", ".join(f"{k} {v}" for k, v in waiting.items())
            )
        report = BenchRun(
            name=name,
            date=date,
            command=_command(args),
            scenario="mix",
            offered_rps=args.rate,
            users=users,
            duration_s=float(args.duration),
            cores=os.cpu_count() or 1,
            endpoints=endpoints,
            overall=overall,
            timeline=parse_history(run.history_csv, origin=started),
            cpu=cpu_samples,
            waiting=cpu_waiting,
            services=service_metrics,
            consumer_pending_max={k: max(v) for k, v in metrics.consumer_pending.items() if v},
            notes=notes,
            title="Soak",
            sections=[
                faults_section(outcomes, started, args.quiet),
                errors_section(outcomes, outside),
                counts_section(check),
            ],
            markers=[(o.injected_at - started, o.name) for o in outcomes],
        )
        path, raw = write_report(report, out_dir, f"{date}-{name}", run.stats_csv, run.history_csv)
        (raw / "errors.csv").write_text(
            "t,name,kind\n" + "".join(f"{e.t - started:.3f},{e.name},{e.kind}\n" for e in errors)
        )
    recovered = all(o.recovered_at is not None for o in outcomes) and not skipped
    print(
        f"edu soak: {overall.requests:,} requests, {overall.failures:,} errors,"
        f" {overall.rps:.1f} RPS, p99 {overall.p99_ms:.0f} ms; faults recovered: {recovered};"
        f" count check {'passed' if check.ok else 'FAILED'}; report {path}"
    )
    kinds = Counter(e.kind for e in errors)
    if kinds:
        print("edu soak: errors by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    return 0 if recovered and check.ok else 2


def _conditions(services: list[Service]) -> str:
    """How the services ran, from their own environment: the mode and workers of each."""
    seen = []
    for service in services:
        pid = service.process().pid()
        try:
            env = psutil.Process(pid).environ() if pid else {}
        except psutil.Error:
            env = {}
        mode = env.get(f"{service.env_prefix}ENVIRONMENT", "unknown mode")
        workers = env.get(f"{service.env_prefix}WORKERS", "1")
        seen.append(f"{service.name} {mode}, {workers} worker(s)")
    return "services: " + "; ".join(seen)


def _command(args: argparse.Namespace) -> str:
    parts = [
        "./edu soak",
        f"--rate {args.rate:g}",
        f"--duration {args.duration}s",
        f"--scale {args.scale}",
    ]
    if args.user_rate != 1.0:
        parts.append(f"--user-rate {args.user_rate:g}")
    if args.faults:
        parts.append(f"--faults {args.faults}")
    if args.name:
        parts.append(f"--name {args.name}")
    return " ".join(parts)
