"""Prometheus metrics shared by every service.

One worker process keeps its metrics in memory, as prometheus-client does by default. With
several workers (`EDU_<SERVICE>_WORKERS` > 1) every worker writes its values to files in
PROMETHEUS_MULTIPROC_DIR and `/metrics`, whichever worker answers it, adds them all up
(prometheus-client's multiprocess mode). Counters and histograms sum over every worker that
ever ran since the service started; the gauges say per metric how workers combine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from fastapi.telemetry import TelemetryConfig
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.registry import REGISTRY
from starlette.requests import Request
from starlette.responses import Response

from edu_common.workers import multiprocess_dir

logger = logging.getLogger("edu.metrics")

T = TypeVar("T")

# How long a scrape waits for one reading (outbox backlog, consumer lag) before it answers
# with the value read last time.
READ_TIMEOUT_SECONDS = 2.0
# How often each worker writes its pool gauges in multiprocess mode, so a scrape answered by
# another worker still sees this worker's share.
POOL_SAMPLE_SECONDS = 1.0

# FastAPI's own OpenTelemetry instrumentation, off: the metrics are these, and with it on
# FastAPI looked up the global tracer, meter and logger providers on every request (about 3%
# of a service's CPU under load) to find none configured.
FASTAPI_TELEMETRY_OFF: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests served", ["method", "route", "status"]
)
HTTP_DURATION = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
# Answered 503 `overloaded` by edu_common.overload without being served.
REQUESTS_SHED = Counter("http_requests_shed_total", "HTTP requests shed under overload")
CACHE_REQUESTS = Counter("cache_requests_total", "Cache look-ups", ["cache", "result"])
EVENTS_PUBLISHED = Counter("events_published_total", "Outbox events published", ["subject"])
EVENTS_CONSUMED = Counter(
    "events_consumed_total", "Events handled by consumers", ["consumer", "result"]
)
EVENT_HANDLING_LAG = Histogram(
    "event_handling_lag_seconds",
    "Time from an event's occurred_at to the commit of its effect in a consumer",
    ["consumer"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0),
)
DEPENDENCY_UP = Gauge(
    "dependency_up",
    "Whether a dependency (database, cache, event_bus) answered the last readiness check",
    ["dependency"],
    multiprocess_mode="livemostrecent",
)
RATE_LIMITED = Counter("rate_limited_total", "Requests refused by a rate limit", ["limit"])

# Each worker has a pool of its own: the service's pool is the sum over live workers.
DB_POOL_SIZE = Gauge("db_pool_size", "Connections open in the pool", multiprocess_mode="livesum")
DB_POOL_IN_USE = Gauge("db_pool_in_use", "Connections lent out", multiprocess_mode="livesum")
# Every worker reads the same database and stream: the newest reading is the right one.
OUTBOX_BACKLOG = Gauge(
    "outbox_backlog_events",
    "Outbox events not yet published",
    multiprocess_mode="livemostrecent",
)
OUTBOX_OLDEST_AGE = Gauge(
    "outbox_oldest_age_seconds",
    "Age of the oldest outbox event not yet published (0 when none waits)",
    multiprocess_mode="livemostrecent",
)
EVENT_CONSUMER_PENDING = Gauge(
    "event_consumer_pending",
    "Events in the stream not yet delivered to the durable consumer (JetStream num_pending)",
    ["consumer"],
    multiprocess_mode="livemostrecent",
)

PoolSizes = Callable[[], tuple[int, int] | None]
BacklogReading = Callable[[], Awaitable[tuple[int, float]]]
PendingReading = Callable[[], Awaitable[int]]


def worker_exited() -> None:
    """Drops this worker's live gauges (its pool) from what the other workers report."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


@dataclass
class ServiceReadings:
    """What a scrape reads from the service itself: its pool, the outbox backlog and how far
    each durable consumer is behind. A reading that fails or takes too long keeps its last
    value, so `/metrics` answers while the database or the bus is down."""

    pool_sizes: PoolSizes
    backlog: BacklogReading | None = None
    pending: dict[str, PendingReading] = field(default_factory=dict)

    def record_pool(self) -> None:
        size, idle = self.pool_sizes() or (0, 0)
        DB_POOL_SIZE.set(size)
        DB_POOL_IN_USE.set(size - idle)

    async def refresh(self) -> None:
        self.record_pool()
        if self.backlog is not None:
            found = await _read("outbox backlog", self.backlog)
            if found is not None:
                count, oldest = found
                OUTBOX_BACKLOG.set(count)
                OUTBOX_OLDEST_AGE.set(oldest)
        for consumer, reading in self.pending.items():
            pending = await _read("consumer lag", reading)
            if pending is not None:
                EVENT_CONSUMER_PENDING.labels(consumer).set(pending)

    async def sample_pool(self) -> None:
        """Keeps this worker's pool gauges current between scrapes (multiprocess mode)."""
        while True:
            self.record_pool()
            await asyncio.sleep(POOL_SAMPLE_SECONDS)


async def _read(what: str, reading: Callable[[], Awaitable[T]]) -> T | None:
    try:
        return await asyncio.wait_for(reading(), READ_TIMEOUT_SECONDS)
    except Exception as exc:
        logger.debug("metric not read", extra={"reading": what, "error": repr(exc)})
        return None


def _registry() -> CollectorRegistry:
    if not multiprocess_dir():
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


async def metrics_endpoint(request: Request) -> Response:
    readings: ServiceReadings | None = getattr(request.app.state, "metrics", None)
    if readings is not None:
        with contextlib.suppress(Exception):
            await readings.refresh()
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)
