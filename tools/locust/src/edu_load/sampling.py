"""What `edu bench` watches while the load runs: CPU of every process, each service's
/metrics, and the outbox backlog in each service's database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import nats
import psutil
from prometheus_client.parser import text_string_to_metric_families

from edu_load.report import EventLag, ServiceMetrics


def run_delay_seconds(pid: int) -> float | None:
    """How long the process's threads have been ready to run but waiting for a core, in all
    (the kernel's schedstat), or None where the kernel does not say."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for task in tasks:
        # "<time on a core> <time waiting on a run queue> <time slices>", in nanoseconds.
        with (
            contextlib.suppress(OSError, IndexError, ValueError),
            open(f"/proc/{pid}/task/{task}/schedstat") as f,
        ):
            total += int(f.read().split()[1])
    return total / 1e9


class CpuSampler:
    """Samples, once a second, the CPU of each named process and all its children (a
    PostgreSQL server is a postmaster and one backend per connection), and how long they
    were ready to run but waited for a core: on a busy machine, the part of a request's
    latency no profile of the process shows."""

    def __init__(self, roots: Mapping[str, int], interval: float = 1.0) -> None:
        self.roots = dict(roots)
        self.interval = interval
        self.samples: dict[str, list[tuple[float, float]]] = {name: [] for name in roots}
        # process -> [(t, percent of one core spent waiting for a core)]
        self.waiting: dict[str, list[tuple[float, float]]] = {name: [] for name in roots}
        self._procs: dict[int, psutil.Process] = {}
        # pid -> (when, its run delay then), for the next sample's difference.
        self._delays: dict[int, tuple[float, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)
        self._started = 0.0

    def add(self, name: str, pid: int) -> None:
        self.roots[name] = pid
        self.samples.setdefault(name, [])
        self.waiting.setdefault(name, [])

    def _tree(self, pid: int, children: Mapping[int, list[int]]) -> list[psutil.Process]:
        """The process and all its descendants, from a map of each process's children."""
        pids, found = [pid], []
        while pids:
            each = pids.pop()
            found.append(each)
            pids.extend(children.get(each, ()))
        procs = []
        for each in found:
            known = self._procs.get(each)
            if known is None:
                # The first reading of a process only starts its clock.
                with contextlib.suppress(psutil.Error):
                    proc = psutil.Process(each)
                    proc.cpu_percent(None)
                    self._procs[each] = proc
                    self._waited(each)
                continue
            procs.append(known)
        return procs

    @staticmethod
    def _children() -> dict[int, list[int]]:
        """Every process's children, read once per sample: psutil's `children()` reads the
        parent of every process on the machine each time it is called, and calling it for
        each root made the sampler the busiest part of `edu bench` after the generator."""
        children: dict[int, list[int]] = {}
        for proc in psutil.process_iter(["ppid"]):
            children.setdefault(proc.info["ppid"], []).append(proc.pid)
        return children

    def _waited(self, pid: int) -> float:
        """Percent of one core the process spent waiting for one since the last sample."""
        now, delay = time.monotonic(), run_delay_seconds(pid)
        if delay is None:
            self._delays.pop(pid, None)
            return 0.0
        before = self._delays.get(pid)
        self._delays[pid] = (now, delay)
        if before is None or now <= before[0]:
            return 0.0
        return max(0.0, delay - before[1]) / (now - before[0]) * 100

    def _sample(self) -> None:
        t = time.monotonic() - self._started
        children = self._children()
        for name, pid in list(self.roots.items()):
            total = waited = 0.0
            for proc in self._tree(pid, children):
                with contextlib.suppress(psutil.Error):
                    total += proc.cpu_percent(None)
                waited += self._waited(proc.pid)
            self.samples[name].append((t, total))
            self.waiting[name].append((t, waited))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def start(self) -> None:
        self._started = time.monotonic()
        children = self._children()
        for pid in self.roots.values():
            self._tree(pid, children)
        self._thread.start()

    def stop(self) -> dict[str, list[tuple[float, float]]]:
        self._stop.set()
        self._thread.join(timeout=5)
        # Readings taken before the first full interval are warm-up, not load.
        return {name: samples[1:] or samples for name, samples in self.samples.items()}

    def waited(self) -> dict[str, list[tuple[float, float]]]:
        """After stop: process -> [(t, percent of one core spent waiting for a core)]."""
        return {name: samples[1:] or samples for name, samples in self.waiting.items()}


_KEPT = ("events_published_total", "events_consumed_total", "db_pool_size", "db_pool_in_use")
# Keys of the event handling lag histogram: LAG_BUCKET|consumer|upper bound, LAG_COUNT|consumer.
LAG_BUCKET = "lag_bucket"
LAG_COUNT = "lag_count"
# The worker's pauses (edu_common.runtime): GC_PAUSE_TOTAL, GC_BUCKET|upper bound (every
# generation's collections together), LOOP_LAG_BUCKET|upper bound.
GC_PAUSE_TOTAL = "gc_pause_total"
GC_BUCKET = "gc_bucket"
LOOP_LAG_BUCKET = "loop_lag_bucket"


def read_metrics(text: str) -> dict[str, float]:
    """A /metrics page as `name{label=value,...}` -> value, summed over what is not shown:
    cache requests by result, events by nothing; the event handling lag by consumer; the
    collector's pauses and the event loop's lag over the workers."""
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            name = sample.name
            consumer = sample.labels.get("consumer", "")
            if name == "cache_requests_total":
                key = f"cache_{sample.labels.get('result', '')}"
            elif name == "event_handling_lag_seconds_bucket":
                key = f"{LAG_BUCKET}|{consumer}|{sample.labels.get('le', '')}"
            elif name == "event_handling_lag_seconds_count":
                key = f"{LAG_COUNT}|{consumer}"
            elif name == "python_gc_pause_seconds_sum":
                key = GC_PAUSE_TOTAL
            elif name == "python_gc_pause_seconds_bucket":
                key = f"{GC_BUCKET}|{sample.labels.get('le', '')}"
            elif name == "event_loop_lag_seconds_bucket":
                key = f"{LOOP_LAG_BUCKET}|{sample.labels.get('le', '')}"
            elif name in _KEPT:
                key = name
            else:
                continue
            values[key] = values.get(key, 0.0) + sample.value
    return values


@dataclass
class MetricsSampler:
    """Scrapes each service's /metrics and counts its unpublished outbox rows every few
    seconds, in a thread of its own; reports maxima, means and deltas over the run."""

    urls: Mapping[str, str]
    database_urls: Mapping[str, str]
    nats_url: str | None = None
    stream: str = "EDU"
    interval: float = 5.0
    scrapes: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    # Durable consumer -> messages not yet delivered or not yet acknowledged, per scrape.
    consumer_pending: dict[str, list[float]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _scrape(self, client: httpx.Client, backlog: Callable[[str], float | None]) -> None:
        for name, url in self.urls.items():
            try:
                resp = client.get(f"{url}/metrics")
            except httpx.HTTPError:
                continue
            if resp.status_code != 200:
                continue
            values = read_metrics(resp.text)
            found = backlog(name)
            if found is not None:
                values["outbox_backlog"] = found
            self.scrapes.setdefault(name, []).append(values)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        conns: dict[str, asyncpg.Connection] = {}

        def backlog(name: str) -> float | None:
            async def count() -> float | None:
                if name not in conns:
                    try:
                        conns[name] = await asyncpg.connect(self.database_urls[name])
                    except (OSError, asyncpg.PostgresError, KeyError):
                        return None
                found = await conns[name].fetchval(
                    "SELECT count(*) FROM outbox WHERE published_at IS NULL"
                )
                return float(found)

            try:
                return loop.run_until_complete(count())
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                # The server went away (a restart): connect again on the next scrape.
                dead = conns.pop(name, None)
                if dead is not None:
                    dead.terminate()
                return None

        bus: list[Any] = []

        async def pending() -> None:
            if self.nats_url is None:
                return
            if not bus:
                bus.append(await nats.connect(self.nats_url, connect_timeout=2,
                                              allow_reconnect=False))  # fmt: skip
            for info in await bus[0].jetstream().consumers_info(self.stream):
                waiting = float(info.num_pending + info.num_ack_pending)
                self.consumer_pending.setdefault(info.name, []).append(waiting)

        def scrape(client: httpx.Client) -> None:
            self._scrape(client, backlog)
            try:
                loop.run_until_complete(asyncio.wait_for(pending(), 5))
            except Exception:
                # NATS went away (a restart): connect again on the next scrape.
                for connection in bus:
                    with contextlib.suppress(Exception):
                        loop.run_until_complete(connection.close())
                bus.clear()

        try:
            with httpx.Client(timeout=5) as client:
                scrape(client)
                while not self._stop.wait(self.interval):
                    scrape(client)
                scrape(client)
        finally:
            for conn in conns.values():
                with contextlib.suppress(Exception):
                    loop.run_until_complete(conn.close())
            for connection in bus:
                with contextlib.suppress(Exception):
                    loop.run_until_complete(connection.close())
            loop.close()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="metrics-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> dict[str, ServiceMetrics]:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        return {name: summarize(scrapes) for name, scrapes in self.scrapes.items()}


def summarize(scrapes: list[dict[str, float]]) -> ServiceMetrics:
    """Gauges as max and mean over the run; counters as the change from first to last."""

    def gauge(key: str) -> list[float]:
        return [s[key] for s in scrapes if key in s]

    def delta(key: str) -> float | None:
        seen = gauge(key)
        return seen[-1] - seen[0] if seen else None

    in_use = gauge("db_pool_in_use")
    first, last = (scrapes[0], scrapes[-1]) if scrapes else ({}, {})
    return ServiceMetrics(
        event_lag=event_lag(scrapes),
        gc_pause_s=delta(GC_PAUSE_TOTAL),
        gc_pause_max_bucket_s=_all_under(bucket_deltas(first, last, f"{GC_BUCKET}|")),
        loop_lag_p99_s=histogram_quantile(0.99, bucket_deltas(first, last, f"{LOOP_LAG_BUCKET}|")),
        pool_size_max=max(gauge("db_pool_size"), default=None),
        pool_in_use_max=max(in_use, default=None),
        pool_in_use_mean=sum(in_use) / len(in_use) if in_use else None,
        cache_hits=delta("cache_hit"),
        cache_misses=delta("cache_miss"),
        events_published=delta("events_published_total"),
        events_consumed=delta("events_consumed_total"),
        outbox_backlog_max=max(gauge("outbox_backlog"), default=None),
    )


def event_lag(scrapes: list[dict[str, float]]) -> dict[str, EventLag]:
    """Each consumer's events handled during the run and quantiles of their lag, from the
    change of the `event_handling_lag_seconds` histogram between the first and last scrape."""
    if not scrapes:
        return {}
    first, last = scrapes[0], scrapes[-1]
    lags: dict[str, EventLag] = {}
    consumers = {key.split("|")[1] for key in last if key.startswith(f"{LAG_COUNT}|")}
    for consumer in sorted(consumers):
        count_key = f"{LAG_COUNT}|{consumer}"
        handled = last[count_key] - first.get(count_key, 0.0)
        buckets = bucket_deltas(first, last, f"{LAG_BUCKET}|{consumer}|")
        lags[consumer] = EventLag(
            handled=handled,
            p50_s=histogram_quantile(0.5, buckets),
            p99_s=histogram_quantile(0.99, buckets),
            max_bucket_s=_all_under(buckets),
        )
    return lags


def bucket_deltas(
    first: dict[str, float], last: dict[str, float], prefix: str
) -> list[tuple[float, float]]:
    """A histogram's cumulative buckets (upper bound, count) over the run, sorted by bound,
    from the keys `prefix<upper bound>` of the first and the last scrape."""
    return sorted(
        (float(key[len(prefix) :]), last[key] - first.get(key, 0.0))
        for key in last
        if key.startswith(prefix)
    )


def _all_under(buckets: list[tuple[float, float]]) -> float | None:
    """The smallest finite bound every observation fell under (None: none, or past them)."""
    if not buckets or buckets[-1][1] <= 0:
        return None
    under = next(le for le, n in buckets if n >= buckets[-1][1])
    return None if under == float("inf") else under


def histogram_quantile(q: float, buckets: list[tuple[float, float]]) -> float | None:
    """Prometheus' estimate from cumulative buckets (upper bound, count), sorted by bound:
    linear within the bucket the quantile falls in; the highest finite bound past them."""
    if not buckets or buckets[-1][1] <= 0:
        return None
    rank = q * buckets[-1][1]
    lower, below = 0.0, 0.0
    for upper, count in buckets:
        if count >= rank:
            if upper == float("inf"):
                return lower
            inside = count - below
            return lower + (upper - lower) * ((rank - below) / inside if inside else 1.0)
        lower, below = upper, count
    return lower
