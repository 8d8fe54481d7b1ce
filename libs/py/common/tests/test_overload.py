"""The load-shedding middleware on its own, with an app whose requests end when the test says."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
from edu_common.overload import LoadShedMiddleware
from starlette.types import Receive, Scope, Send


class GatedApp:
    """An ASGI app whose requests wait on `release` (health checks answer at once)."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.running = 0
        self.most_at_once = 0
        self.order: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        self.order.append(scope["path"])
        try:
            if not scope["path"].startswith("/health/"):
                await self.release.wait()
        finally:
            self.running -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def client_for(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", timeout=30
    )


async def test_at_most_the_bound_runs_and_the_queue_is_served_in_order() -> None:
    inner = GatedApp()
    app = LoadShedMiddleware(inner, max_in_flight=2, max_queue_seconds=30)
    async with client_for(app) as http:
        requests = [asyncio.create_task(http.get(f"/r{i}")) for i in range(6)]

        async def queued() -> None:
            while inner.running < 2 or len(app._waiting) < 4:
                await asyncio.sleep(0.01)

        await asyncio.wait_for(queued(), 10)
        inner.release.set()
        answers = await asyncio.gather(*requests)
    assert [r.status_code for r in answers] == [200] * 6
    assert inner.most_at_once == 2
    assert inner.order[2:] == ["/r2", "/r3", "/r4", "/r5"]
    assert app.in_flight == 0
    assert not app._waiting


async def test_a_request_that_waits_past_the_bound_is_shed_with_problem_details() -> None:
    inner = GatedApp()
    app = LoadShedMiddleware(inner, max_in_flight=1, max_queue_seconds=0.3)
    async with client_for(app) as http:
        busy = asyncio.create_task(http.get("/busy"))
        while inner.running < 1:
            await asyncio.sleep(0.01)
        started = time.monotonic()
        shed = await http.get("/late")
        waited = time.monotonic() - started
        assert shed.status_code == 503
        assert shed.headers["content-type"] == "application/problem+json"
        assert shed.headers["retry-after"] == "1"
        assert json.loads(shed.content)["code"] == "overloaded"
        # It waited for its turn (the bound), and not until the busy request ended.
        assert 0.3 <= waited < 10
        assert not busy.done()
        # Health checks are never queued behind the load.
        assert (await http.get("/health/ready")).status_code == 200
        inner.release.set()
        assert (await busy).status_code == 200
        # The load is gone: served again.
        assert (await http.get("/again")).status_code == 200
    assert app.in_flight == 0
    assert not app._waiting


async def test_a_full_queue_sheds_at_once() -> None:
    inner = GatedApp()
    app = LoadShedMiddleware(inner, max_in_flight=1, max_queue_seconds=30)
    async with client_for(app) as http:
        held = [asyncio.create_task(http.get(f"/r{i}")) for i in range(1 + app.max_queued)]
        while inner.running < 1 or len(app._waiting) < app.max_queued:
            await asyncio.sleep(0.01)
        started = time.monotonic()
        shed = await http.get("/one-too-many")
        assert shed.status_code == 503
        # Not after the 30 s a queued request may wait.
        assert time.monotonic() - started < 10
        inner.release.set()
        assert [r.status_code for r in await asyncio.gather(*held)] == [200] * len(held)
    assert app.in_flight == 0
    assert not app._waiting


async def test_a_client_gone_while_queued_gives_up_its_place() -> None:
    inner = GatedApp()
    app = LoadShedMiddleware(inner, max_in_flight=1, max_queue_seconds=30)
    async with client_for(app) as http:
        busy = asyncio.create_task(http.get("/busy"))
        gone = asyncio.create_task(http.get("/gone"))
        while len(app._waiting) < 1:
            await asyncio.sleep(0.01)
        gone.cancel()
        while app._waiting:
            await asyncio.sleep(0.01)
        inner.release.set()
        assert (await busy).status_code == 200
        assert (await http.get("/next")).status_code == 200
    assert "/gone" not in inner.order
    assert app.in_flight == 0
    assert not app._waiting
