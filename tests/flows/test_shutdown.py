"""A service, or the web app, SIGTERMed under keep-alive load shuts down gracefully
(edu_common.shutdown).

What a well-behaved client sees, and what is asserted: a client keeps its connections alive
between requests, watches readiness as a load balancer does (every 0.2 s) and sends nothing
new once readiness has answered 503. Every request it sent, before and after SIGTERM, gets a
complete 200: no connection reset, no "server disconnected", no 500. Readiness turns 503
while requests are still served, responses during the drain carry `Connection: close`, the
process exits 0, and after it nothing listens on the port."""

from __future__ import annotations

import asyncio
import collections
import signal
import time
from typing import TYPE_CHECKING

import httpx
import pytest
from edu_common.security.keys import SigningKey
from edu_devstack.testing import eventually, service_process

if TYPE_CHECKING:
    from edu_devstack.testing import TestServers

CLIENTS = 16
DRAIN_SECONDS = 3.0
READINESS_EVERY = 0.2


# What the keep-alive clients ask for: a catalog read of course; the web app's liveness (its
# pages would call services that this test does not start).
PATHS = {"course": "/courses?limit=5", "web": "/health/live"}


@pytest.mark.parametrize(
    ("name", "workers"),
    [("course", 1), ("course", 2), ("web", 1)],
    ids=["course-1", "course-2", "web"],
)
async def test_sigterm_under_keep_alive_load_loses_no_request(
    edu_servers: TestServers, signing_key: SigningKey, name: str, workers: int
) -> None:
    settings = {"workers": workers, "shutdown_drain_seconds": DRAIN_SECONDS}
    async with service_process(edu_servers, signing_key, name, settings=settings) as course:
        statuses: collections.Counter[int] = collections.Counter()
        failures: collections.Counter[str] = collections.Counter()
        closing = 0
        readiness_seen: list[int] = []
        leaving = asyncio.Event()
        sent_sigterm = 0.0
        readiness_503_after = 0.0

        async def watch_readiness() -> None:
            nonlocal readiness_503_after
            async with httpx.AsyncClient(base_url=course.url, timeout=30) as http:
                while True:
                    r = await http.get("/health/ready")
                    readiness_seen.append(r.status_code)
                    if r.status_code == 503:
                        assert r.json()["code"] == "shutting_down", r.text
                        readiness_503_after = time.monotonic() - sent_sigterm
                        leaving.set()
                        return
                    await asyncio.sleep(READINESS_EVERY)

        async def keep_alive_client() -> None:
            nonlocal closing
            async with httpx.AsyncClient(base_url=course.url, timeout=30) as http:
                while not leaving.is_set():
                    try:
                        r = await http.get(PATHS[name])
                    except httpx.TransportError as exc:
                        failures[type(exc).__name__] += 1
                        continue
                    statuses[r.status_code] += 1
                    if r.headers.get("connection") == "close":
                        closing += 1

        watcher = asyncio.create_task(watch_readiness())
        clients = [asyncio.create_task(keep_alive_client()) for _ in range(CLIENTS)]

        async def warmed_up() -> bool:
            return sum(statuses.values()) >= 200

        await eventually(warmed_up, timeout=60)
        sent_sigterm = time.monotonic()
        course.send(signal.SIGTERM)
        await asyncio.wait_for(watcher, timeout=30)
        await asyncio.wait_for(asyncio.gather(*clients), timeout=60)
        served_before_exit = sum(statuses.values())

        exit_code = await course.wait(60)
        assert not failures, (failures, course.log())
        assert set(statuses) == {200}, statuses
        assert readiness_seen[-1] == 503, readiness_seen
        assert set(readiness_seen[:-1]) == {200}, readiness_seen
        # Readiness left at once, well inside the drain, while requests were still served.
        assert readiness_503_after < DRAIN_SECONDS, readiness_503_after
        assert closing > 0, "no response during the drain said Connection: close"
        assert served_before_exit > 200
        assert exit_code == 0, course.log()
        with pytest.raises(httpx.ConnectError):
            async with httpx.AsyncClient(base_url=course.url, timeout=5) as http:
                await http.get("/health/live")
