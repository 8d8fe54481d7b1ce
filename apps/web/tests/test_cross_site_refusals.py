"""Every state-changing route of the web app, found from its router (a new form is covered
the day it is added), refuses what another site could send: no form token, a foreign Origin,
`Sec-Fetch-Site: cross-site`. The refusal comes before any service is called (no service is
faked here, so a call would fail the request instead of answering 403)."""

from __future__ import annotations

import re
import uuid

import httpx
import respx
from conftest import ORIGIN, SignIn, csrf_token
from fastapi.routing import APIRoute
from web.app import ROUTERS
from web.security import SAFE_METHODS

ANY_ID = str(uuid.uuid4())


def _state_changing() -> list[tuple[str, str]]:
    """Every (method, path) of the app's page routers that is not a safe method."""
    found = []
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute), route
            path = re.sub(r"\{[^}]+\}", ANY_ID, route.path)
            found += [(method, path) for method in sorted((route.methods or set()) - SAFE_METHODS)]
    return found


async def test_every_state_changing_route_refuses_a_cross_site_request(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    await sign_in("admin")
    token = await csrf_token(client, "/login")
    routes = _state_changing()
    # The forms of every area: accounts, courses, lessons, notifications, teaching, admin.
    assert len(routes) >= 20, routes
    calls_before = len(api.calls)
    attempts = {
        "no form token": ({}, {}),
        "a foreign Origin": ({"csrf_token": token}, {"Origin": "https://evil.example"}),
        "Sec-Fetch-Site: cross-site": ({"csrf_token": token}, {"Sec-Fetch-Site": "cross-site"}),
        "another session's token": ({"csrf_token": "0" * len(token)}, {"Origin": ORIGIN}),
    }
    let_through = []
    for method, path in routes:
        for attempt, (data, headers) in attempts.items():
            r = await client.request(method, path, data=data, headers=headers)
            if r.status_code != 403:
                let_through.append(f"{method} {path} with {attempt}: {r.status_code}")
            else:
                # The refusal is a page of ours, with the headers every page carries.
                assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert not let_through, let_through
    assert len(api.calls) == calls_before, "a refused request reached a service"


async def test_the_same_requests_with_the_token_from_our_own_pages_get_past_the_check(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    # The refusals above are about the token and the origin, not the routes: with both right,
    # the language switch (which calls no service) answers as usual.
    token = await csrf_token(client, "/login")
    r = await client.post(
        "/language",
        data={"csrf_token": token, "language": "ru"},
        headers={"Origin": ORIGIN, "Sec-Fetch-Site": "same-origin"},
    )
    assert r.status_code == 303, r.text[:300]
