"""A worker's pauses: the collector tuned only where edu_common.serve runs the app, and both
the collector's pauses and the event loop's lag measured."""

from __future__ import annotations

import asyncio
import gc
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from edu_common import serve as serve_module
from edu_common.runtime import GC_THRESHOLDS, measured_runtime
from edu_common.settings import ServerSettings
from edu_common.workers import TUNE_GC_ENV
from prometheus_client import REGISTRY


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def _sampled() -> None:
    """Until the loop's lag has been sampled once more."""
    count = _sample("event_loop_lag_seconds_count")
    deadline = time.monotonic() + 5
    while _sample("event_loop_lag_seconds_count") == count:
        assert time.monotonic() < deadline, "the loop's lag is not sampled"
        await asyncio.sleep(0.01)


def _long_lag_samples() -> float:
    """Samples of the loop's lag past 0.1 s so far."""
    count = _sample("event_loop_lag_seconds_count")
    return count - _sample("event_loop_lag_seconds_bucket", le="0.1")


@pytest.fixture
def collector_restored() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


async def test_a_served_worker_freezes_the_started_app_and_raises_the_thresholds(
    monkeypatch: pytest.MonkeyPatch, collector_restored: None
) -> None:
    monkeypatch.setenv(TUNE_GC_ENV, "1")
    gc.unfreeze()
    async with measured_runtime():
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 1000


async def test_an_app_started_in_another_process_keeps_the_defaults(
    monkeypatch: pytest.MonkeyPatch, collector_restored: None
) -> None:
    monkeypatch.delenv(TUNE_GC_ENV, raising=False)
    gc.unfreeze()
    before = gc.get_threshold()
    async with measured_runtime():
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() == 0


def test_serve_marks_its_processes_for_tuning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TUNE_GC_ENV, raising=False)
    started: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: started.append(kw))
    monkeypatch.setattr("signal.signal", lambda *args: None)
    serve_module.serve("sample.app:create_app", ServerSettings(service_name="sample", port=8999))
    assert started, "uvicorn was not started"
    # The workers uvicorn spawns inherit the environment.
    assert os.environ[TUNE_GC_ENV] == "1"


def test_the_serving_process_creates_no_metric_before_its_directory_is_prepared(
    tmp_path: Path,
) -> None:
    # prometheus-client opens a metric's file where PROMETHEUS_MULTIPROC_DIR points the moment
    # the metric is made: a metric made when `serve` is imported finds no directory yet.
    absent = tmp_path / "metrics" / "sample"
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(absent)}
    started = subprocess.run(
        [sys.executable, "-c", "import edu_common.serve"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert started.returncode == 0, started.stderr
    assert not absent.exists()


async def test_collections_and_a_held_loop_are_measured() -> None:
    full = {"generation": "2"}
    async with measured_runtime():
        collected = _sample("python_gc_pause_seconds_count", **full)
        gc.collect()
        assert _sample("python_gc_pause_seconds_count", **full) == collected + 1

        await _sampled()  # the sampler is running
        long_waits = _long_lag_samples()
        time.sleep(0.3)  # the loop held, as a long synchronous step in a request would hold it
        await _sampled()  # the first sample after the hold is the late one
        assert _long_lag_samples() == long_waits + 1, "the held loop was not measured"
    assert _sample("event_loop_lag_seconds_sum") >= 0.2
