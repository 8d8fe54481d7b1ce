"""The web app under test: its real lifespan and Valkey (embedded), the services faked at
the HTTP boundary with respx."""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from edu_devstack.infra import EmbeddedValkey
from edu_devstack.processes import free_port
from redis.asyncio import Redis
from web.app import create_app
from web.settings import WebSettings

# The suite's fakes of the services' answers live beside this file (tests run with
# --import-mode=importlib, which does not put test folders on the path).
sys.path.insert(0, str(Path(__file__).parent))
from fakes import COURSE, ENROLLMENT, IDENTITY, NOTIFICATION, PAYMENT, tokens_json

ORIGIN = "http://127.0.0.1:3001"
# Logs in as a user of a role (and fields), answering the identity service's token body.
SignIn = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture(scope="session")
def valkey_url() -> Iterator[str]:
    server = EmbeddedValkey(Path(tempfile.mkdtemp(prefix="edu-web-test-")) / "valkey", free_port())
    server.start()
    try:
        yield server.url()
    finally:
        server.stop()


@pytest.fixture
def settings(valkey_url: str) -> WebSettings:
    return WebSettings(
        environment="test",
        redis_url=valkey_url,
        access_log=False,
        service_timeout_seconds=0.5,
        public_url=ORIGIN,
        identity_url=IDENTITY,
        course_url=COURSE,
        enrollment_url=ENROLLMENT,
        payment_url=PAYMENT,
        notification_url=NOTIFICATION,
    )


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """The services: every route a test needs is faked on this router; anything else fails."""
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        yield router


@pytest.fixture
async def client(settings: WebSettings, api: respx.MockRouter) -> AsyncIterator[httpx.AsyncClient]:
    redis = Redis.from_url(settings.redis_url)
    try:
        await redis.flushdb()
    finally:
        await redis.aclose()
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as c:
            c.app = app  # type: ignore[attr-defined]
            yield c


CSRF_META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


async def csrf_token(client: httpx.AsyncClient, path: str = "/login") -> str:
    r = await client.get(path)
    match = CSRF_META.search(r.text)
    assert match, r.text[:500]
    return match.group(1)


async def post_form(
    client: httpx.AsyncClient, path: str, data: dict[str, Any] | None = None, **kw: Any
) -> httpx.Response:
    token = await csrf_token(client)
    return await client.post(path, data={"csrf_token": token, **(data or {})}, **kw)


@pytest.fixture
def sign_in(client: httpx.AsyncClient, api: respx.MockRouter) -> SignIn:
    """Logs in through the login form, as a user of the given role."""

    async def login(role: str = "student", **user: Any) -> dict[str, Any]:
        body = tokens_json(role=role, **user)
        api.post(f"{IDENTITY}/login").respond(200, json=body)
        api.get(f"{NOTIFICATION}/notifications/me").respond(
            200, json={"items": [], "next_cursor": None, "unread_count": 0}
        )
        r = await post_form(client, "/login", {"email": body["user"]["email"], "password": "pw"})
        assert r.status_code == 303, r.text
        return body

    return login
