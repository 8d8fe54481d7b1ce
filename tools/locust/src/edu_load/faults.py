"""The faults `edu soak` injects into a running stack, one after another, and how it tells
that the stack has recovered from each.

A fault is an action on one part of the stack, done the way `edu up`/`edu down` start and stop
it (the same `StackSettings`, pid files and service environments). Recovery is two signals:
every service answers ready again, and the load's errors have stopped, meaning no failed request
for `quiet` seconds; the recovery time runs from the injection to the later of the two.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import httpx
import psutil
from edu_devstack.environment import service_env
from edu_devstack.services import Service
from edu_devstack.stack import Stack

from edu_load.errors import RequestError, by_kind


@dataclass(frozen=True)
class Fault:
    name: str
    description: str
    # Breaks the part and brings it back (the outage lasts as long as this takes).
    inject: Callable[[], None]


def stack_faults(stack: Stack, service: str = "course") -> list[Fault]:
    """The soak's faults, in the order it injects them."""
    s = stack.settings
    postgres, valkey, nats = s.postgres, s.valkey, s.nats

    def pg_restart() -> None:
        stack._stop_postgres()
        postgres.start()

    def pg_kill() -> None:
        postgres.kill()
        postgres.start()

    def valkey_stop() -> None:
        valkey.stop()
        valkey.start()

    def nats_kill() -> None:
        nats.kill()
        nats.start()

    def service_restart() -> None:
        target = _service(stack, service)
        # SIGTERM to the parent, which drains (readiness 503, in-flight requests finished).
        running = target.process()
        pid = running.pid()
        # Started again exactly as `edu up` started it: the same environment (--workers, ...).
        env = psutil.Process(pid).environ() if pid else service_env(s, stack.secrets, target)
        running.stop()
        target.process(env, cwd=s.root).start()

    return [
        Fault("postgresql restart", "pg_ctl stop -m fast, then start", pg_restart),
        Fault(
            "postgresql sigkill", "SIGKILL to the postmaster and every backend, then start", pg_kill
        ),
        Fault("valkey stop", "Valkey stopped (SIGTERM), then started", valkey_stop),
        Fault("nats sigkill", "SIGKILL to nats-server, then start (JetStream on disk)", nats_kill),
        Fault(
            f"{service} sigterm",
            f"SIGTERM to {service} (graceful drain), then started again",
            service_restart,
        ),
    ]


def _service(stack: Stack, name: str) -> Service:
    for candidate in stack.settings.services:
        if candidate.name == name:
            return candidate
    raise ValueError(f"no service named {name}")


# --- recovery --------------------------------------------------------------------------------


@dataclass
class FaultOutcome:
    name: str
    description: str
    injected_at: float  # Unix time
    restored_at: float | None = None  # the part back (the inject action returned)
    ready_at: float | None = None  # every service ready again
    last_error_at: float | None = None  # the last failed request in the fault's window
    errors_stopped_at: float | None = None  # the fault's last error before a quiet window
    recovered_at: float | None = None  # ready, and the errors stopped
    errors: dict[str, int] = field(default_factory=dict)
    error_names: dict[str, int] = field(default_factory=dict)
    note: str = ""

    @property
    def recovery_s(self) -> float | None:
        return None if self.recovered_at is None else self.recovered_at - self.injected_at

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def errors_stopped(
    errors: Sequence[RequestError],
    injected_at: float,
    restored_at: float,
    now: float,
    quiet: float,
    allowed: int = 0,
) -> float | None:
    """When the fault's errors stopped: the time of its last failed request (the injection when
    there was none) before a `quiet`-second window, after the part came back, with at most
    `allowed` failures in it (the run's background rate before any fault); None until such a
    window has passed."""
    times = sorted(e.t for e in errors if e.t >= injected_at)
    candidates = [restored_at, *(t for t in times if t > restored_at)]
    for start in candidates:
        if start + quiet > now:
            return None
        inside = sum(1 for t in times if start < t <= start + quiet)
        if inside <= allowed:
            before = [t for t in times if t <= start]
            return before[-1] if before else injected_at
    return None


def recovered(ready_at: float | None, stopped_at: float | None) -> float | None:
    """Recovered once both signals are in: the later of the two."""
    if ready_at is None or stopped_at is None:
        return None
    return max(ready_at, stopped_at)


def attribute(outcome: FaultOutcome, errors: Iterable[RequestError], until: float) -> None:
    """Counts the errors from the fault's injection up to `until` into the outcome."""
    window = [e for e in errors if outcome.injected_at <= e.t < until]
    outcome.errors = dict(by_kind(window).most_common())
    names: dict[str, int] = {}
    for e in window:
        names[e.name] = names.get(e.name, 0) + 1
    outcome.error_names = dict(sorted(names.items(), key=lambda kv: -kv[1]))
    outcome.last_error_at = max((e.t for e in window), default=None)


def all_ready(client: httpx.Client, urls: Iterable[str]) -> bool:
    for url in urls:
        try:
            if client.get(f"{url}/health/ready").status_code != 200:
                return False
        except httpx.HTTPError:
            return False
    return True


@dataclass
class RecoveryWatch:
    """Follows one fault after its injection: polls readiness and the error log until both
    signals are in, or `timeout` passes."""

    urls: Sequence[str]
    read_errors: Callable[[], Sequence[RequestError]]
    quiet: float = 10.0
    # Failures a quiet window may hold: what the load saw in as long before any fault.
    allowed: int = 0
    timeout: float = 180.0
    interval: float = 0.5
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep

    def follow(self, outcome: FaultOutcome, client: httpx.Client) -> None:
        deadline = self.clock() + self.timeout
        restored = outcome.restored_at or outcome.injected_at
        while True:
            now = self.clock()
            if outcome.ready_at is None and all_ready(client, self.urls):
                outcome.ready_at = self.clock()
            stopped = errors_stopped(
                self.read_errors(), outcome.injected_at, restored, now, self.quiet, self.allowed
            )
            done = recovered(outcome.ready_at, stopped)
            if done is not None:
                outcome.errors_stopped_at = stopped
                outcome.recovered_at = done
                return
            if now > deadline:
                outcome.note = f"not recovered within {self.timeout:.0f} s"
                return
            self.sleep(self.interval)
