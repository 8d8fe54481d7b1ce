"""Load shedding in the web app: past its bound a visitor gets a busy page in their language
with Retry-After, at once, and the app serves again as soon as the load drops."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import respx
from fakes import COURSE
from web.settings import WebSettings


@pytest.fixture
def settings(settings: WebSettings) -> WebSettings:
    """The web app serving one request at a time, the rest waiting at most 0.3 s."""
    return settings.model_copy(update={"max_requests_in_flight": 1, "max_queue_seconds": 0.3})


async def test_past_the_bound_a_visitor_gets_the_busy_page(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    release = asyncio.Event()
    started = asyncio.Event()

    async def slow_catalog(request: httpx.Request) -> httpx.Response:
        started.set()
        await release.wait()
        return httpx.Response(200, json={"items": [], "next_cursor": None, "total": 0})

    api.get(f"{COURSE}/categories").respond(200, json=[])
    api.get(f"{COURSE}/courses").mock(side_effect=slow_catalog)

    first = asyncio.create_task(client.get("/"))
    await asyncio.wait_for(started.wait(), 10)
    # The one turn is taken: the next visitor waits 0.3 s, then gets the busy page.
    shed = await client.get("/", headers={"Accept-Language": "ru"})
    assert shed.status_code == 503
    assert shed.headers["retry-after"] == "1"
    assert shed.headers["content-type"].startswith("text/html")
    assert "Платформа перегружена" in shed.text
    assert shed.headers["x-frame-options"] == "DENY"
    # Health and static files are never held back.
    assert (await client.get("/health/live")).status_code == 200
    assert (await client.get(shed_app_static(client))).status_code == 200
    release.set()
    assert (await first).status_code == 200
    # The load is gone: the next visitor is served.
    again = await client.get("/")
    assert again.status_code == 200
    assert "Платформа перегружена" not in again.text


def shed_app_static(client: httpx.AsyncClient) -> str:
    """The address of the stylesheet, as the pages link it."""
    return str(client.app.state.static.url("style.css"))  # type: ignore[attr-defined]
