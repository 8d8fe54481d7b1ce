"""Load shedding in the web app: past its bound a visitor gets a busy page in their language
with Retry-After, at once, and the app serves again as soon as the load drops."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import respx
from conftest import ORIGIN
from fakes import COURSE
from redis.asyncio import Redis
from web.app import create_app
from web.settings import WebSettings


@pytest.fixture
async def busy_client(
    settings: WebSettings, api: respx.MockRouter
) -> AsyncIterator[httpx.AsyncClient]:
    """The web app serving one request at a time, the rest waiting at most 0.3 s."""
    redis = Redis.from_url(settings.redis_url)
    try:
        await redis.flushdb()
    finally:
        await redis.aclose()
    bounded = settings.model_copy(update={"max_requests_in_flight": 1, "max_queue_seconds": 0.3})
    app = create_app(bounded)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=ORIGIN, timeout=30) as c:
            c.app = app  # type: ignore[attr-defined]
            yield c


async def test_past_the_bound_a_visitor_gets_the_busy_page(
    busy_client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    release = asyncio.Event()
    started = asyncio.Event()

    async def slow_catalog(request: httpx.Request) -> httpx.Response:
        started.set()
        await release.wait()
        return httpx.Response(200, json={"items": [], "next_cursor": None, "total": 0})

    api.get(f"{COURSE}/categories").respond(200, json=[])
    api.get(f"{COURSE}/courses").mock(side_effect=slow_catalog)

    first = asyncio.create_task(busy_client.get("/"))
    await asyncio.wait_for(started.wait(), 10)
    # The one turn is taken: the next visitor waits 0.3 s, then gets the busy page.
    shed = await busy_client.get("/", headers={"Accept-Language": "ru"})
    assert shed.status_code == 503
    assert shed.headers["retry-after"] == "1"
    assert shed.headers["content-type"].startswith("text/html")
    assert "Платформа перегружена" in shed.text
    assert shed.headers["x-frame-options"] == "DENY"
    # Health and static files are never held back.
    assert (await busy_client.get("/health/live")).status_code == 200
    assert (await busy_client.get(shed_app_static(busy_client))).status_code == 200
    release.set()
    assert (await first).status_code == 200
    # The load is gone: the next visitor is served.
    again = await busy_client.get("/")
    assert again.status_code == 200
    assert "Платформа перегружена" not in again.text


def shed_app_static(client: httpx.AsyncClient) -> str:
    """The address of the stylesheet, as the pages link it."""
    return str(client.app.state.static.url("style.css"))  # type: ignore[attr-defined]
