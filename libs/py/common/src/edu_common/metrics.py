"""Prometheus metrics shared by every service."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector
from starlette.requests import Request
from starlette.responses import Response

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests served", ["method", "route", "status"]
)
HTTP_DURATION = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
CACHE_REQUESTS = Counter("cache_requests_total", "Cache look-ups", ["cache", "result"])
EVENTS_PUBLISHED = Counter("events_published_total", "Outbox events published", ["subject"])
EVENTS_CONSUMED = Counter(
    "events_consumed_total", "Events handled by consumers", ["consumer", "result"]
)
DEPENDENCY_UP = Gauge(
    "dependency_up",
    "Whether a dependency (database, cache, event_bus) answered the last readiness check",
    ["dependency"],
)
RATE_LIMITED = Counter("rate_limited_total", "Requests refused by a rate limit", ["limit"])


class PoolCollector(Collector):
    """Reports the size and use of the database pool at scrape time."""

    def __init__(self, sizes: Callable[[], tuple[int, int] | None]) -> None:
        self._sizes = sizes

    def collect(self) -> Iterable[GaugeMetricFamily]:
        sizes = self._sizes()
        size, idle = sizes if sizes else (0, 0)
        yield GaugeMetricFamily("db_pool_size", "Connections open in the pool", value=size)
        yield GaugeMetricFamily("db_pool_in_use", "Connections lent out", value=size - idle)


_pool_collector: PoolCollector | None = None


def watch_pool(sizes: Callable[[], tuple[int, int] | None]) -> None:
    global _pool_collector
    if _pool_collector is not None:
        REGISTRY.unregister(_pool_collector)
    _pool_collector = PoolCollector(sizes)
    REGISTRY.register(_pool_collector)


async def metrics_endpoint(_: Request) -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
