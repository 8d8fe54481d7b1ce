"""Notification as `python -m notification` with two worker processes: every request is
counted once in `/metrics`, whichever worker served it and whichever answers the scrape."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from edu_devstack.processes import free_port, terminate_tree
from notification.app import MIGRATIONS
from notification.settings import NotificationSettings
from prometheus_client.multiprocess import MultiProcessCollector

WORKERS = 2
POOL_PER_WORKER = 2
ROUTE = "/health/live"
MAX_REQUESTS = 600
BATCH = 20


def _environment(settings: NotificationSettings) -> dict[str, str]:
    """The settings as the service reads them: EDU_NOTIFICATION_<FIELD> variables."""
    prefix = str(NotificationSettings.model_config.get("env_prefix", ""))
    env = dict(os.environ)
    for name, value in settings.model_dump(mode="json").items():
        if value is not None:
            env[f"{prefix}{name.upper()}"] = (
                str(value).lower() if isinstance(value, bool) else str(value)
            )
    return env


def _served_by_pid(metrics_dir: Path) -> dict[str, float]:
    """Requests to ROUTE each worker counted, read from that worker's own counter file."""
    counts: dict[str, float] = {}
    for path in sorted(metrics_dir.glob("counter_*.db")):
        pid = path.stem.removeprefix("counter_")
        # prometheus_client leaves `merge` unannotated.
        merged = MultiProcessCollector.merge([str(path)], accumulate=True)  # type: ignore[no-untyped-call]
        for metric in merged:
            for sample in metric.samples:
                if sample.name == "http_requests_total" and sample.labels.get("route") == ROUTE:
                    counts[pid] = counts.get(pid, 0.0) + sample.value
    return counts


def _value(text: str, pattern: str) -> float:
    found = re.search(pattern, text, re.M)
    return float(found.group(1)) if found else 0.0


@pytest.fixture
async def two_workers(
    services: Any, edu_servers: Any, smtp: tuple[Any, int], tmp_path: Path
) -> AsyncIterator[tuple[str, Path]]:
    database = await edu_servers.fresh_database("notification", MIGRATIONS)
    settings = services.settings_for(
        "notification",
        NotificationSettings,
        database,
        port=free_port(),
        workers=WORKERS,
        db_pool_min_size=POOL_PER_WORKER,
        db_pool_max_size=POOL_PER_WORKER,
        smtp_port=smtp[1],
    )
    metrics_dir = tmp_path / "metrics"
    # A file left from an earlier run must not be counted: the service empties the directory.
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"stale")
    env = _environment(settings) | {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    log = (tmp_path / "notification.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "notification"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{settings.port}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=5) as client:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 90
            while True:
                assert proc.poll() is None, (tmp_path / "notification.log").read_text()
                try:
                    if (await client.get("/health/ready")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert loop.time() < deadline, (tmp_path / "notification.log").read_text()
                await asyncio.sleep(0.1)
        yield url, metrics_dir
    finally:
        terminate_tree(proc.pid)
        log.close()
        await edu_servers.drop_database(database)


async def test_requests_add_up_across_workers(two_workers: tuple[str, Path]) -> None:
    url, metrics_dir = two_workers
    assert not (metrics_dir / "counter_1.db").exists()
    # A new connection per request, many at once, so the kernel hands them to both workers.
    no_keepalive = httpx.Limits(max_keepalive_connections=0)
    sent = 0
    async with httpx.AsyncClient(base_url=url, timeout=10, limits=no_keepalive) as client:
        while sent < MAX_REQUESTS:
            answers = await asyncio.gather(*(client.get(ROUTE) for _ in range(BATCH)))
            assert all(r.status_code == 200 for r in answers)
            sent += BATCH
            if len([c for c in _served_by_pid(metrics_dir).values() if c > 0]) >= WORKERS:
                break
        served = _served_by_pid(metrics_dir)
        assert len([c for c in served.values() if c > 0]) == WORKERS, served
        assert sum(served.values()) == sent

        pattern = rf'^http_requests_total{{method="GET",route="{ROUTE}",status="200"}} (\S+)$'
        for _ in range(10):
            text = (await client.get("/metrics")).text
            assert _value(text, pattern) == sent

        # Each worker's pool is its own: the service's pool is their sum, whoever answers.
        pools: list[float] = []
        for _ in range(100):
            text = (await client.get("/metrics")).text
            pools.append(_value(text, r"^db_pool_size (\S+)$"))
            if pools[-5:] == [WORKERS * POOL_PER_WORKER] * 5:
                break
            await asyncio.sleep(0.1)
        assert pools[-5:] == [WORKERS * POOL_PER_WORKER] * 5, pools
