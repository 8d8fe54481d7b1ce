"""Anonymous reads answered from the cache before routing: the same bytes the routes cached,
counted under their routes, and everything the cache cannot answer left to the routes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from course.cached_reads import CachedReads
from course.dependencies import CACHE_LOOKED_UP
from edu_devstack.testing import metric_value
from starlette.types import Receive, Scope, Send


class _BeforeRouting:
    """`CachedReads` in front of routes that answer nothing (599) and record what reached
    them, with the running service's app (its caches and routes) in the scope."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.reached: list[Scope] = []
        self.fast = CachedReads(self._routes)

    async def _routes(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.reached.append(scope)
        await send({"type": "http.response.start", "status": 599, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self.app
        await self.fast(scope, receive, send)


@pytest.fixture
async def before_routing(course_service: Any) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    front = _BeforeRouting(course_service.app)
    transport = httpx.ASGITransport(app=front)
    async with httpx.AsyncClient(transport=transport, base_url="http://course") as client:
        yield client, front


async def _published_course(make_course: Any, add_module: Any, add_lesson: Any) -> str:
    course = await make_course(title=f"Cached {uuid.uuid4().hex[:8]}", level="intermediate")
    module = await add_module(course["id"])
    await add_lesson(module["id"], title="Welcome", content="Hello")
    return str(course["id"])


async def test_a_cached_read_is_answered_with_what_the_route_cached(
    client: httpx.AsyncClient,
    before_routing: tuple[httpx.AsyncClient, _BeforeRouting],
    make_course: Any,
    add_module: Any,
    add_lesson: Any,
    teacher: Any,
    tokens: Any,
) -> None:
    fast, front = before_routing
    cid = await _published_course(make_course, add_module, add_lesson)
    await make_course(price_cents=500)
    category = (await client.get("/categories")).json()[0]["id"]
    first = (await client.get(f"/courses?teacher_id={teacher[0]}&limit=1")).json()
    paths = [
        f"/courses/{cid}",
        f"/courses/{cid}/curriculum",
        "/categories",
        "/courses",
        "/courses?limit=20",
        "/courses?q=cached&limit=5",
        f"/courses?q=%20Cached%20&category_id={category}&level=intermediate&is_free=true"
        "&sort=rating&limit=7",
        f"/courses?teacher_id={teacher[0]}&is_free=false&sort=price_desc",
        f"/courses?teacher_id={teacher[0]}&limit=1&cursor={first['next_cursor']}",
    ]
    _, student = tokens.student()
    for path in paths:
        # Signed in, the request is the route's: it reads the database and caches the
        # document under the key it computes from its validated parameters.
        read = await client.get(path, headers=student)
        assert read.status_code == 200, (path, read.text)
        answered = await fast.get(path)
        assert answered.status_code == 200, path
        assert answered.content == read.content, path
        assert answered.headers["content-type"] == read.headers["content-type"]
        assert answered.headers["content-type"] == "application/json"
        assert answered.headers["content-length"] == str(len(read.content))
    assert front.reached == []


async def test_what_the_cache_cannot_answer_goes_to_the_routes(
    client: httpx.AsyncClient,
    before_routing: tuple[httpx.AsyncClient, _BeforeRouting],
    make_course: Any,
    add_module: Any,
    add_lesson: Any,
    teacher: Any,
) -> None:
    fast, front = before_routing
    cid = await _published_course(make_course, add_module, add_lesson)
    draft = (await make_course(status="draft"))["id"]
    for path in (f"/courses/{cid}", f"/courses/{cid}/curriculum", f"/courses/{draft}"):
        await client.get(path, headers=teacher[1])
    await client.get("/courses?is_free=true&limit=20")
    unknown = uuid.uuid4()
    unanswered = [
        # A token is the route's to check, whatever is cached.
        ("GET", f"/courses/{cid}", {"Authorization": "Bearer not-a-token"}),
        ("GET", f"/courses/{cid}", teacher[1]),
        # Only published courses are cached: a draft is the route's to refuse.
        ("GET", f"/courses/{draft}", {}),
        ("GET", f"/courses/{unknown}/curriculum", {}),
        ("HEAD", f"/courses/{cid}", {}),
        ("PUT", f"/courses/{cid}", {}),
        # Parameters in a form the route reads but this module does not, or that the route
        # refuses: the route decides.
        ("GET", f"/courses/{cid.upper()}", {}),
        ("GET", "/courses?is_free=1&limit=20", {}),
        ("GET", "/courses?is_free=true&limit=020", {}),
        ("GET", "/courses?is_free=true&limit=20&limit=20", {}),
        ("GET", "/courses?is_free=true&limit=20&page=2", {}),
        ("GET", "/courses?is_free=true&limit=0", {}),
        ("GET", "/courses?is_free=true&limit=101", {}),
        ("GET", "/courses?level=expert", {}),
        ("GET", "/courses?sort=cheapest", {}),
        ("GET", "/courses?category_id=nope", {}),
        ("GET", "/courses?cursor=", {}),
        ("GET", f"/courses?q={'a' * 201}", {}),
        ("GET", "/courses/my", {}),
    ]
    for method, path, headers in unanswered:
        count = len(front.reached)
        r = await fast.request(method, path, headers=headers)
        assert r.status_code == 599, (method, path)
        assert len(front.reached) == count + 1
    # A miss is marked, so the route does not ask the cache again; a request left alone is not.
    looked_up = {s["path"] for s in front.reached if s.get(CACHE_LOOKED_UP)}
    assert looked_up == {f"/courses/{draft}", f"/courses/{unknown}/curriculum"}


async def test_an_answer_before_routing_is_counted_under_its_route(
    client: httpx.AsyncClient, make_course: Any, add_module: Any, add_lesson: Any
) -> None:
    cid = await _published_course(make_course, add_module, add_lesson)
    route = "/courses/{course_id}/curriculum"
    before = (await client.get("/metrics")).text
    first = await client.get(f"/courses/{cid}/curriculum")
    again = await client.get(f"/courses/{cid}/curriculum", headers={"X-Request-ID": "fast-1"})
    after = (await client.get("/metrics")).text
    assert first.content == again.content
    assert again.headers["x-request-id"] == "fast-1"

    def delta(name: str, **labels: str) -> float:
        return metric_value(after, name, **labels) - metric_value(before, name, **labels)

    assert delta("http_requests_total", method="GET", route=route, status="200") == 2
    assert delta("cache_requests_total", cache="course:curriculum", result="miss") == 1
    assert delta("cache_requests_total", cache="course:curriculum", result="hit") == 1
    # A bad token on a cached course is still refused.
    refused = await client.get(f"/courses/{cid}", headers={"Authorization": "Bearer junk"})
    assert refused.status_code == 401


async def test_an_empty_cursor_is_the_first_page(
    client: httpx.AsyncClient, make_course: Any, teacher: Any
) -> None:
    for _ in range(2):
        await make_course()
    query = f"teacher_id={teacher[0]}&limit=1"
    empty = await client.get(f"/courses?{query}&cursor=")
    first = await client.get(f"/courses?{query}")
    assert empty.status_code == first.status_code == 200
    assert empty.json()["total"] == first.json()["total"] == 2
    assert empty.content == first.content
