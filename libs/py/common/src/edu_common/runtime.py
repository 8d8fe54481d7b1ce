"""A server worker's own pauses: CPython's cyclic garbage collector set for serving, and how
long it, and anything else, keeps the event loop from running, measured.

With the collector at CPython's defaults, the mix at 250 RPS had each course worker run a
full collection about every 10 s, 120-400 ms each with its event loop stopped (every request
in the worker waited for it), and spend 4-8% of its time collecting in all (section 22 of
docs/performance/2026-12-02-optimization-log.md). A worker's long-lived objects are nearly all
made at start (modules, routes, the OpenAPI schema, pools); a request's objects live for the
request and are freed by reference counting, not by the collector. So once the app has
started, in a process `edu_common.serve` runs:

- `gc.freeze()` moves everything then alive to the permanent generation, which no collection
  traverses again;
- the youngest generation is collected after 10,000 net allocations instead of 700, so that
  a request's objects are mostly gone before a collection looks at them and fewer survive to
  be promoted; the older generations wait twice as many collections as by default.

`EDU_TUNE_GC=0` leaves CPython's defaults (to measure against them). Tests that start an app
in their own process leave them too: a freeze there would keep every earlier app alive.

Both pauses are metrics: `python_gc_pause_seconds` per generation, and
`event_loop_lag_seconds`, how late the loop ran a timer, which is what any request ready to
go on waited for its turn at that moment, whatever held the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import time
from collections.abc import AsyncIterator
from typing import Any

from prometheus_client import Histogram

from edu_common.workers import TUNE_GC_ENV

GC_THRESHOLDS = (10_000, 20, 20)
# How often the loop's lateness is sampled: 20 timers a second cost a worker nothing visible.
LAG_SAMPLE_SECONDS = 0.05

_PAUSE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
GC_PAUSE = Histogram(
    "python_gc_pause_seconds",
    "Time a garbage collection stopped the worker",
    ["generation"],
    buckets=_PAUSE_BUCKETS,
)
EVENT_LOOP_LAG = Histogram(
    "event_loop_lag_seconds",
    "How late the event loop ran a timer: the wait of work ready to run at that moment",
    buckets=_PAUSE_BUCKETS,
)


def tune_gc() -> None:
    """Freezes what the started app holds and raises the collection thresholds."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class _GcTimer:
    """A `gc.callbacks` entry observing each collection's duration."""

    def __init__(self) -> None:
        self._started = 0.0
        self._pause = [GC_PAUSE.labels(str(generation)) for generation in range(3)]

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self._pause[info["generation"]].observe(time.perf_counter() - self._started)


async def sample_loop_lag(interval: float = LAG_SAMPLE_SECONDS) -> None:
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + interval
        await asyncio.sleep(interval)
        EVENT_LOOP_LAG.observe(max(0.0, loop.time() - due))


@contextlib.asynccontextmanager
async def measured_runtime() -> AsyncIterator[None]:
    """For a lifespan, once its app has started: the collector tuned when serving, both
    pauses measured until the app stops."""
    if os.environ.get(TUNE_GC_ENV) == "1":
        tune_gc()
    timer = _GcTimer()
    gc.callbacks.append(timer)
    sampler = asyncio.create_task(sample_loop_lag(), name="loop-lag")
    try:
        yield
    finally:
        sampler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampler
        gc.callbacks.remove(timer)
