from __future__ import annotations

import re


async def test_health_and_metrics(sample):
    svc = sample
    r = await svc.client.get("/health/live")
    assert r.status_code == 200
    r = await svc.client.get("/health/ready")
    assert r.status_code == 200, r.text
    assert r.json()["checks"] == {"database": "ok", "cache": "ok", "event_bus": "ok"}
    await svc.client.get("/admin-only")
    r = await svc.client.get("/metrics")
    assert 'route="/admin-only"' in r.text
    assert "db_pool_size" in r.text
    # Every answer carries a request id: the caller's, or one made for the request.
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"])
    r = await svc.client.get("/health/live", headers={"x-request-id": "trace-42"})
    assert r.headers["x-request-id"] == "trace-42"


async def test_write_commits_with_outbox_row_and_rollback_on_error(sample, tokens, eventually):
    svc = sample
    _, headers = tokens.student()
    r = await svc.client.post(
        "/notes", json={"text": "<script>alert(1)</script>hello"}, headers=headers
    )
    assert r.status_code == 201, r.text
    assert r.json()["text"] == "hello"
    r = await svc.client.post(
        "/notes", json={"text": "gone", "fail_after_write": True}, headers=headers
    )
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "rolled_back"
    rows = await svc.pool.fetch("SELECT text FROM notes")
    assert [x["text"] for x in rows] == ["hello"]
    assert await svc.pool.fetchval("SELECT count(*) FROM outbox") == 1

    async def published() -> bool:
        unsent = await svc.pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        return bool(unsent == 0)

    await eventually(published)


async def test_errors_are_problem_details(sample, tokens):
    svc = sample
    _, headers = tokens.student()
    r = await svc.client.post(
        "/notes", content=b"{not json", headers={**headers, "content-type": "application/json"}
    )
    assert r.status_code == 400
    assert r.json()["code"] == "malformed_json"
    r = await svc.client.post("/notes", json={"text": "x" * 500}, headers=headers)
    assert r.status_code == 422
    assert r.json()["code"] == "validation_error"
    assert "text" in r.json()["detail"]
    r = await svc.client.get("/no-such-route")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
    r = await svc.client.post("/notes", json={"text": "a"})
    assert r.status_code == 401
    r = await svc.client.get("/admin-only", headers=headers)
    assert r.status_code == 403
    _, teacher = tokens.teacher(is_verified=False)
    r = await svc.client.get("/teachers-only", headers=teacher)
    assert r.status_code == 403
    assert r.json()["code"] == "teacher_not_verified"
    r = await svc.client.post("/notes", content=b"x" * 2_000_000, headers=headers)
    assert r.status_code == 413
