"""The HTTP surface every service shares (via the sample service), and the small helpers behind
it: problem details, request ids, metrics, readiness, cursors, plain text, cache, settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import LaunchSample

    # For the checker only: imported at run time, pytest would try to collect the class.
    from edu_devstack.testing import TestServers

import uuid

import pytest
from edu_common.cache import JsonCache, create_redis
from edu_common.errors import AppError
from edu_common.pagination import CursorCodec
from edu_common.sanitize import strip_markup
from edu_common.settings import DEV_CURSOR_SECRET, ServiceSettings, load_settings
from edu_devstack.testing import RunningService, Tokens, assert_problem


async def test_problem_details_for_every_client_error(
    sample: RunningService, tokens: Tokens
) -> None:
    client = sample.client
    _, student = tokens.student()
    assert_problem(
        await client.post(
            "/notes", content=b"{oops", headers={**student, "content-type": "application/json"}
        ),
        400,
        "malformed_json",
    )
    body = assert_problem(await client.post("/notes", json={"text": "a"}), 401, "unauthorized")
    assert (await client.post("/notes", json={"text": "a"})).headers["www-authenticate"] == "Bearer"
    assert_problem(
        await client.get("/admin-only", headers={"Authorization": "Bearer nope"}),
        401,
        "invalid_token",
    )
    assert_problem(await client.get("/admin-only", headers=student), 403, "forbidden")
    assert_problem(await client.get("/no-such-route"), 404, "not_found")
    assert_problem(await client.get("/notes/424242"), 404, "not_found")
    assert_problem(await client.delete("/health/live"), 405, "method_not_allowed")
    assert_problem(
        await client.post("/notes", content=b"x" * 1_100_000, headers=student),
        413,
        "payload_too_large",
    )
    body = assert_problem(
        await client.post("/notes", json={}, headers=student), 422, "validation_error"
    )
    assert body["errors"]
    assert "text" in body["detail"]


async def test_request_id_is_echoed_or_replaced(sample: RunningService) -> None:
    client = sample.client
    r = await client.get("/health/live", headers={"X-Request-ID": "abc-123.XYZ_9"})
    assert r.headers["x-request-id"] == "abc-123.XYZ_9"
    for bad in ("has space", "x" * 65, "<script>", "a/b"):
        r = await client.get("/health/live", headers={"X-Request-ID": bad})
        assert r.headers["x-request-id"] != bad
        assert len(r.headers["x-request-id"]) == 32
    r = await client.get("/health/live")
    assert len(r.headers["x-request-id"]) == 32
    # Error responses carry it too.
    r = await client.get("/nope", headers={"X-Request-ID": "req-404"})
    assert r.headers["x-request-id"] == "req-404"


async def test_metrics_use_route_templates(sample: RunningService, tokens: Tokens) -> None:
    client = sample.client
    _, student = tokens.student()
    created = await client.post("/notes", json={"text": "hello"}, headers=student)
    note_id = created.json()["id"]
    assert (await client.get(f"/notes/{note_id}")).json()["text"] == "hello"
    await client.get("/notes/999999")
    probe = uuid.uuid4().hex
    await client.get(f"/scanner/{probe}")
    text = (await client.get("/metrics")).text
    assert 'route="/notes/{note_id}"' in text
    assert f'route="/notes/{note_id}"' not in text
    assert 'route="/notes/999999"' not in text
    assert 'route="unmatched"' in text
    assert probe not in text


async def test_ready_with_the_cache_down_is_200_degraded_and_db_routes_still_work(
    sample_without_cache: RunningService, tokens: Tokens
) -> None:
    svc = sample_without_cache
    r = await svc.client.get("/health/ready")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "degraded"
    assert body["degraded"] == ["cache"]
    assert body["checks"]["cache"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert 'dependency_up{dependency="cache"} 0.0' in (await svc.client.get("/metrics")).text
    assert (await svc.client.get("/health/live")).status_code == 200
    _, student = tokens.student()
    r = await svc.client.post("/notes", json={"text": "still here"}, headers=student)
    assert r.status_code == 201, r.text
    assert (await svc.client.get(f"/notes/{r.json()['id']}")).json()["text"] == "still here"


async def test_ready_with_the_event_bus_down_is_200_degraded(
    launch_sample: LaunchSample, closed_port: int, tokens: Tokens
) -> None:
    svc = await launch_sample(nats_url=f"nats://127.0.0.1:{closed_port}")
    r = await svc.client.get("/health/ready")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "degraded"
    assert body["degraded"] == ["event_bus"]
    assert body["checks"] == {"database": "ok", "cache": "ok", "event_bus": "unavailable"}
    metrics = (await svc.client.get("/metrics")).text
    assert 'dependency_up{dependency="event_bus"} 0.0' in metrics
    assert 'dependency_up{dependency="database"} 1.0' in metrics
    # Writes go on: their events wait in the outbox for the bus.
    _, student = tokens.student()
    r = await svc.client.post("/notes", json={"text": "queued"}, headers=student)
    assert r.status_code == 201, r.text
    assert await svc.pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 1


def test_cursor_round_trip_and_rejections() -> None:
    codec = CursorCodec("a-secret")
    values = ["2024-05-01T10:00:00+00:00", str(uuid.uuid4()), 42]
    cursor = codec.encode("courses", values)
    assert codec.decode("courses", cursor) == values

    def rejected(kind: str, text: str) -> None:
        with pytest.raises(AppError) as caught:
            codec.decode(kind, text)
        assert (caught.value.status, caught.value.code) == (400, "invalid_cursor")

    rejected("enrollments", cursor)
    rejected("courses", CursorCodec("another-secret").encode("courses", values))
    flipped = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
    rejected("courses", flipped)
    for garbage in ("", "!!!", "abc", "x" * 300, "%%%%"):
        rejected("courses", garbage)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("<script>alert(1)</script>hello", "hello"),
        ("<style>body{display:none}</style>text", "text"),
        ('<img src=x onerror="alert(1)">pic', "pic"),
        ("<svg onload=alert(1)><circle/></svg>shape", "shape"),
        ('<iframe src="javascript:alert(1)"></iframe>frame', "frame"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;safe", "safe"),
        ("&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;deep", "deep"),
        ("<b>bold</b> and <a href='x'>link</a>", "bold and link"),
        ("  padded\x00  ", "padded"),
    ],
)
def test_strip_markup_removes_what_could_run(raw: str, clean: str) -> None:
    assert strip_markup(raw) == clean


@pytest.mark.parametrize(
    "text", ["1 < 2 & 3 > 2", "if x<3 and y>2", "Tom & Jerry", "x<3 y", "plain"]
)
def test_strip_markup_keeps_plain_text(text: str) -> None:
    assert strip_markup(text) == text


async def test_json_cache_round_trip(edu_servers: TestServers) -> None:
    redis = create_redis(ServiceSettings(redis_url=edu_servers.valkey.url()))
    try:
        cache = JsonCache(redis, f"course{uuid.uuid4().hex[:6]}", ttl_seconds=60)
        assert await cache.get(1) is None
        await cache.set(1, {"title": "Python", "lessons": [1, 2]})
        assert await cache.get(1) == {"title": "Python", "lessons": [1, 2]}
        assert 0 < await redis.ttl(cache.key(1)) <= 60
        await cache.delete(1)
        await cache.delete()
        assert await cache.get(1) is None
    finally:
        await redis.aclose()


async def test_json_cache_degrades_to_misses(closed_port: int) -> None:
    redis = create_redis(ServiceSettings(redis_url=f"redis://127.0.0.1:{closed_port}/0"))
    try:
        cache = JsonCache(redis, "course")
        await cache.set(1, {"title": "x"})
        assert await cache.get(1) is None
        await cache.delete(1)
    finally:
        await redis.aclose()


def test_load_settings_names_the_bad_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EDU_PORT", "not-a-port")
    monkeypatch.setenv("EDU_DB_POOL_MAX_SIZE", "0")
    with pytest.raises(SystemExit) as exited:
        load_settings(ServiceSettings)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "EDU_PORT" in err
    assert "EDU_DB_POOL_MAX_SIZE" in err


def test_production_refuses_development_secrets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EDU_ENVIRONMENT", "production")
    monkeypatch.setenv("EDU_JWT_PUBLIC_KEY", "-----BEGIN PUBLIC KEY-----")
    with pytest.raises(SystemExit):
        load_settings(ServiceSettings)
    assert "cursor_secret" in capsys.readouterr().err
    monkeypatch.setenv("EDU_CURSOR_SECRET", "a-real-secret")
    settings = load_settings(ServiceSettings)
    assert settings.cursor_secret != DEV_CURSOR_SECRET
    assert not settings.is_development


async def test_no_free_database_connection_is_503_not_500(
    sample_one_connection: RunningService,
) -> None:
    svc = sample_one_connection
    async with svc.pool.acquire():  # the only connection, held elsewhere
        r = await svc.client.get("/notes/1")
        assert_problem(r, 503, "database_unavailable")
        assert r.headers["retry-after"] == "1"
    # Once the connection is back, the same request is served.
    assert_problem(await svc.client.get("/notes/1"), 404, "not_found")
