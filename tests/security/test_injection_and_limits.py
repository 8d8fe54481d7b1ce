"""SQL-injection payloads in every parameter of every GET route, and oversize or malformed
transport input on every service.

The routes and their parameters are read from each service's own OpenAPI, so a new GET route
or query parameter is covered without a change here. Each service of the shared world (see
conftest.py) is also served by a real uvicorn (httptools, as `edu_common.serve` runs it) on a
free port of its own, sharing the app, its pools and its lifespan with the in-process client:
headers and bodies too large for a server are only meaningful through a server."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import uvicorn
from edu_devstack.processes import free_port
from edu_devstack.testing import assert_problem

World = Any

# What each payload tries. The literal text each stands for is its words (what a search of
# the text as typed can match on); a payload with no word is text that matches nothing.
SLEEP_SECONDS = 10
PAYLOADS = (
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR ""="',
    "'; DROP TABLE courses;--",
    "1; DROP TABLE users",
    "1 UNION SELECT id, email, password_hash FROM users--",
    "' UNION SELECT NULL, version()--",
    "%",
    "_",
    "%%_%",
    "\\",
    "\\'; SELECT 1;--",
    "$1",
    "$$ OR $$1$$=$$1",
    f"'; SELECT pg_sleep({SLEEP_SECONDS});--",
    f"1' AND (SELECT 1 FROM pg_sleep({SLEEP_SECONDS}))::text='1",  # noqa: S608 - a payload sent as text
    f"1) OR pg_sleep({SLEEP_SECONDS}) IS NULL --",
    "/* comment */ OR /**/ 1=1",
    "admin'--",
    "' ; COMMIT; DELETE FROM courses; --",
)
NOTHING = "nothing-is-called-this"
# The query parameters a route needs to answer at all, filled in from the world's objects
# beside the one a payload is sent in.
NEEDED_QUERY: dict[str, tuple[str, ...]] = {
    "/internal/payments/completed": ("student_id", "course_id"),
}


@dataclass(frozen=True)
class Parameter:
    service: str
    path: str
    name: str
    where: str  # "query" or "path"
    schema: dict[str, Any]


def _get_parameters(name: str, spec: dict[str, Any]) -> list[Parameter]:
    found = []
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        for p in get.get("parameters", []):
            if p["in"] in ("query", "path"):
                found.append(Parameter(name, path, p["name"], p["in"], p.get("schema", {})))
    return found


async def _all_parameters(world: World) -> list[Parameter]:
    found = []
    for name, service in world.services.items():
        spec = (await service.client.get("/openapi.json")).json()
        found += _get_parameters(name, spec)
    return found


def _values(world: World) -> dict[str, str]:
    paid = world.objects["paid"]
    return {**paid, "user_id": paid["student_id"]}


async def _caller(world: World, service: str, path: str) -> dict[str, str]:
    """The headers of the first caller the route serves (200) with the world's own values, so
    that what answers a payload is the parameter's handling, not a refusal of the caller."""
    values = _values(world)
    params = {needed: values[needed] for needed in NEEDED_QUERY.get(path, ())}
    for role in ("stu", "tchV", "admin", "svc"):
        headers: dict[str, str] = world.headers[role]
        r = await world.client(service).get(path.format(**values), params=params, headers=headers)
        if r.status_code == 200:
            return headers
    raise AssertionError(f"no caller of the world is served by {service} GET {path}")


def _literal(payload: str) -> str:
    words = re.findall(r"[^\W_]+", payload)
    return " ".join(words) if words else NOTHING


async def _send(
    world: World, p: Parameter, value: str, headers: dict[str, str]
) -> tuple[httpx.Response, float]:
    values = _values(world)
    params: dict[str, str] = {
        needed: values[needed] for needed in NEEDED_QUERY.get(p.path, ()) if needed != p.name
    }
    path_values = dict(values)
    if p.where == "query":
        params[p.name] = value
    else:
        path_values[p.name] = quote(value, safe="")
    path = p.path.format(**path_values)
    started = time.monotonic()
    r = await world.client(p.service).get(path, params=params, headers=headers)
    return r, time.monotonic() - started


async def _tables(service: Any) -> list[str]:
    rows = await service.pool.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    )
    return [row["tablename"] for row in rows]


def _comparable(r: httpx.Response) -> Any:
    body = r.json()
    if isinstance(body, dict):
        # What a page says about the request itself, not about what was found.
        return {k: v for k, v in body.items() if k not in ("next_cursor", "corrected_query")}
    return body


async def test_sql_injection_in_every_parameter_of_every_get_route(world: World) -> None:
    parameters = await _all_parameters(world)
    services = {p.service for p in parameters}
    assert services == set(world.services), "every service has a GET route with a parameter"
    courses_before = await world.services["course"].pool.fetchval("SELECT count(*) FROM courses")
    tables_before = {name: await _tables(s) for name, s in world.services.items()}
    wrong = []
    tried = 0
    for p in parameters:
        headers = await _caller(world, p.service, p.path)
        for payload in PAYLOADS:
            r, elapsed = await _send(world, p, payload, headers)
            tried += 1
            where = f"{p.service} GET {p.path} {p.where} {p.name}={payload!r}"
            if r.status_code >= 500:
                wrong.append(f"{where}: {r.status_code} {r.text[:200]}")
                continue
            if "pg_sleep" in payload and elapsed >= SLEEP_SECONDS / 2:
                wrong.append(f"{where}: took {elapsed:.1f} s")
            if r.status_code >= 400:
                if not r.headers["content-type"].startswith("application/problem+json"):
                    wrong.append(f"{where}: {r.status_code} is not problem details")
                continue
            literal, _ = await _send(world, p, _literal(payload), headers)
            if literal.status_code != r.status_code or _comparable(literal) != _comparable(r):
                wrong.append(
                    f"{where}: {r.status_code} {r.text[:200]} but the literal text"
                    f" {_literal(payload)!r} gives {literal.status_code} {literal.text[:200]}"
                )
    assert tried == len(parameters) * len(PAYLOADS)
    assert not wrong, "\n".join(wrong)
    # Nothing was dropped or deleted on the way.
    courses_after = await world.services["course"].pool.fetchval("SELECT count(*) FROM courses")
    assert courses_after == courses_before
    assert {name: await _tables(s) for name, s in world.services.items()} == tables_before


async def test_an_injected_condition_finds_no_course(world: World) -> None:
    """The catalog search for a payload that would be true for every row, if it were SQL,
    finds what the literal words find: no course (none has such words); a LIKE wildcard is
    not a wildcard."""
    course = world.client("course")
    everything = (await course.get("/courses")).json()
    assert everything["items"], "the world has published courses to find"
    for payload in ("' OR '1'='1", "%", "_", "%%_%", "\\", "/* comment */ OR /**/ 1=1"):
        r = await course.get("/courses", params={"q": payload})
        assert r.status_code == 200, r.text
        assert r.json()["items"] == [], payload


# --- Transport input, on every service through uvicorn -----------------------------------


@dataclass(frozen=True)
class Served:
    world: World
    urls: dict[str, str]


@pytest.fixture(scope="module")
async def served(world: World) -> AsyncIterator[Served]:
    """Each service of the world behind a real uvicorn on a free port."""
    servers: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []
    urls = {}
    for name, service in world.services.items():
        port = free_port()
        config = uvicorn.Config(
            service.app,
            host="127.0.0.1",
            port=port,
            http="httptools",
            lifespan="off",
            log_config=None,
            access_log=False,
            server_header=False,
        )
        server = uvicorn.Server(config)
        servers.append((server, asyncio.create_task(server.serve())))
        urls[name] = f"http://127.0.0.1:{port}"
    for server, task in servers:
        await asyncio.wait_for(_started(server, task), timeout=30)
    try:
        yield Served(world, urls)
    finally:
        for server, _ in servers:
            server.should_exit = True
        for _, task in servers:
            await task


async def _started(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    while not server.started:
        assert not task.done(), "uvicorn stopped before it started"
        await asyncio.sleep(0.02)


@dataclass(frozen=True)
class Route:
    """A route of a service taking a JSON body, the field a text case is sent in, and the
    body it takes otherwise."""

    method: str
    path: str
    role: str
    body: dict[str, Any]
    text_field: str | None  # None: the service takes no user text


def _routes(world: World) -> dict[str, Route]:
    paid = world.objects["paid"]
    return {
        "identity": Route(
            "POST",
            "/register",
            "anon",
            {"email": "", "password": "correct-horse-battery-1", "name": "A", "role": "student"},
            "name",
        ),
        "course": Route(
            "POST",
            "/courses",
            "tchV",
            {"title": "A", "level": "beginner", "price_cents": 0},
            "title",
        ),
        "enrollment": Route("POST", "/enrollments", "stu2", {"course_id": paid["course_id"]}, None),
        "payment": Route("POST", "/payments", "stu2", {"course_id": paid["course_id"]}, None),
        "notification": Route(
            "POST",
            "/notifications",
            "admin",
            {"user_id": paid["student_id"], "type": "announcement", "title": "A", "body": "B"},
            "title",
        ),
    }


def _body(route: Route, **changes: Any) -> dict[str, Any]:
    body = dict(route.body)
    if "email" in body:
        body["email"] = f"limits-{uuid.uuid4().hex[:12]}@example.com"
    body.update(changes)
    return body


SERVICES = ("identity", "course", "enrollment", "payment", "notification")
JSON = {"Content-Type": "application/json"}


@contextlib.asynccontextmanager
async def _client(served: Served, service: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=served.urls[service], timeout=60) as client:
        yield client


async def _still_serving(client: httpx.AsyncClient) -> None:
    r = await client.get("/health/live")
    assert r.status_code == 200, r.text


async def _post(served: Served, service: str, content: bytes) -> httpx.Response:
    route = _routes(served.world)[service]
    headers = {**served.world.headers[route.role], **JSON}
    async with _client(served, service) as client:
        return await client.request(route.method, route.path, content=content, headers=headers)


@pytest.mark.parametrize("service", SERVICES)
async def test_a_64_kb_header_is_refused_and_the_service_keeps_serving(
    served: Served, service: str
) -> None:
    async with _client(served, service) as client:
        try:
            r = await client.get("/health/live", headers={"X-Big": "a" * 65_536})
        except httpx.TransportError:
            pass  # The server closed the connection: a refusal, not an error.
        else:
            assert r.status_code < 500, r.text
    # A fresh connection is served normally.
    async with _client(served, service) as client:
        await _still_serving(client)


@pytest.mark.parametrize("service", SERVICES)
async def test_200_headers_are_not_a_server_error(served: Served, service: str) -> None:
    headers = {f"X-Header-{i}": f"value {i}" for i in range(200)}
    async with _client(served, service) as client:
        try:
            r = await client.get("/health/live", headers=headers)
        except httpx.TransportError:
            pass
        else:
            assert r.status_code < 500, r.text
    async with _client(served, service) as client:
        await _still_serving(client)


@pytest.mark.parametrize("service", SERVICES)
async def test_a_10_mb_body_is_413(served: Served, service: str) -> None:
    route = _routes(served.world)[service]
    content = json.dumps(_body(route, padding="a" * 10_000_000)).encode()
    r = await _post(served, service, content)
    assert_problem(r, 413, "payload_too_large")
    async with _client(served, service) as client:
        await _still_serving(client)


@pytest.mark.parametrize("service", SERVICES)
async def test_deeply_nested_json_is_malformed(served: Served, service: str) -> None:
    r = await _post(served, service, b"[" * 10_000 + b"]" * 10_000)
    assert_problem(r, 400, "malformed_json")
    route = _routes(served.world)[service]
    value = json.dumps(_body(route))[:-1] + ', "deep": ' + "[" * 5_000 + "]" * 5_000 + "}"
    r = await _post(served, service, value.encode())
    assert_problem(r, 400, "malformed_json")


def _string_field(route: Route) -> str:
    return route.text_field or "course_id"


@pytest.mark.parametrize("service", SERVICES)
async def test_invalid_utf8_and_a_raw_nul_in_a_json_string_are_malformed(
    served: Served, service: str
) -> None:
    route = _routes(served.world)[service]
    field = _string_field(route)
    marker = "\x01marker\x01"
    text = json.dumps(_body(route, **{field: marker})).encode()
    for raw in (b"\xc3\x28", b"\xff\xfe", b"\x00"):
        content = text.replace(json.dumps(marker)[1:-1].encode(), b"x" + raw + b"y")
        assert content != text
        assert_problem(await _post(served, service, content), 400, "malformed_json")


@pytest.mark.parametrize("service", SERVICES)
async def test_an_escaped_nul_in_a_json_string_is_not_a_server_error(
    served: Served, service: str
) -> None:
    route = _routes(served.world)[service]
    field = _string_field(route)
    r = await _post(served, service, json.dumps(_body(route, **{field: "a\u0000b"})).encode())
    if route.text_field is None:
        # An id with a NUL in it is no id.
        assert_problem(r, 422, "validation_error")
    else:
        assert r.status_code == 201, r.text
        stored = r.json()
        value = stored["user"][field] if service == "identity" else stored[field]
        assert value == "ab"


async def _query_parameter(served: Served, service: str) -> Parameter:
    spec = (await served.world.client(service).get("/openapi.json")).json()
    query = [p for p in _get_parameters(service, spec) if p.where == "query"]
    assert query, f"{service} has a GET route with a query parameter"
    return query[0]


@pytest.mark.parametrize("service", SERVICES)
async def test_invalid_utf8_and_nul_in_a_query_string_are_not_a_server_error(
    served: Served, service: str
) -> None:
    p = await _query_parameter(served, service)
    values = _values(served.world)
    fixed = "&".join(f"{n}={values[n]}" for n in NEEDED_QUERY.get(p.path, ()) if n != p.name)
    headers = await _caller(served.world, service, p.path)
    async with _client(served, service) as client:
        for raw in ("%C3%28", "%FF%FE", "%00", "a%00b", "%ED%A0%80"):
            query = f"{p.name}={raw}" + (f"&{fixed}" if fixed else "")
            r = await client.get(f"{p.path.format(**values)}?{query}", headers=headers)
            if p.schema.get("type") == "integer":
                assert_problem(r, 422, "validation_error")
            else:
                # Free text: decoded with replacement characters, NUL removed.
                assert r.status_code == 200, (p, raw, r.text)
                if raw == "%00":
                    blank = await client.get(p.path.format(**values), params={p.name: ""})
                    assert r.json() == blank.json(), "a NUL alone is a blank parameter"
        await _still_serving(client)


TEXT_SERVICES = [s for s in SERVICES if s in ("identity", "course", "notification")]


def _stored(service: str, r: httpx.Response, field: str) -> Any:
    body = r.json()
    return body["user"][field] if service == "identity" else body[field]


@pytest.mark.parametrize("service", TEXT_SERVICES)
async def test_a_10k_character_text_is_422_naming_the_field(served: Served, service: str) -> None:
    route = _routes(served.world)[service]
    assert route.text_field is not None
    content = json.dumps(_body(route, **{route.text_field: "T" * 10_000})).encode()
    problem = assert_problem(await _post(served, service, content), 422, "validation_error")
    assert route.text_field in json.dumps(problem), problem


@pytest.mark.parametrize("service", TEXT_SERVICES)
async def test_hidden_characters_are_removed_and_invisible_text_is_blank(
    served: Served, service: str
) -> None:
    route = _routes(served.world)[service]
    field = route.text_field
    assert field is not None
    for raw, clean in (("invoice\u202egpj.exe", "invoicegpj.exe"), ("Title\uffff\ufffe", "Title")):
        r = await _post(served, service, json.dumps(_body(route, **{field: raw})).encode())
        assert r.status_code == 201, r.text
        assert _stored(service, r, field) == clean
    for invisible in ("\u200b\u200b\u200b", "\u202e", "\ufeff\u200d"):
        content = json.dumps(_body(route, **{field: invisible})).encode()
        problem = assert_problem(await _post(served, service, content), 422, "validation_error")
        assert field in json.dumps(problem), problem
