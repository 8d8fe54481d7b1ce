from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

import pytest
from edu_common.app import ServiceSpec, create_app
from edu_common.db import transaction
from edu_common.mail import queue_mail
from edu_common.settings import ServiceSettings
from edu_devstack.testing import Mailbox, RunningService, Tokens
from edu_devstack.testing.polling import Eventually
from fastapi import APIRouter, Depends, Request
from opentelemetry import _logs, metrics, trace


async def test_health_and_metrics(sample: RunningService) -> None:
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


async def test_a_request_looks_up_no_opentelemetry_provider(
    sample: RunningService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The metrics are prometheus-client's: FastAPI's own instrumentation stays off instead of
    looking for a configured OpenTelemetry provider on every request."""
    looked_up: list[str] = []

    def counted(name: str, lookup: Callable[[], object]) -> Callable[[], object]:
        def counting() -> object:
            looked_up.append(name)
            return lookup()

        return counting

    for name, module in (("tracer", trace), ("meter", metrics), ("logger", _logs)):
        attribute = f"get_{name}_provider"
        monkeypatch.setattr(module, attribute, counted(name, getattr(module, attribute)))
    for _ in range(3):
        assert (await sample.client.get("/health/live")).status_code == 200
    assert looked_up == []


async def test_write_commits_with_outbox_row_and_rollback_on_error(
    sample: RunningService, tokens: Tokens, eventually: Eventually
) -> None:
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


async def test_errors_are_problem_details(sample: RunningService, tokens: Tokens) -> None:
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


async def test_mail_queued_in_a_transaction_is_delivered_by_the_factory_sender(
    sample_mailing: RunningService, mailbox: Mailbox, eventually: Eventually
) -> None:
    svc = sample_mailing
    async with transaction(svc.pool) as conn:
        # A message no mail server can take (a header injection), queued first: it must not
        # stop delivery of what comes after it.
        await queue_mail(conn, "eve@example.com\nBcc: all@example.com", "Broken", "x")
        await queue_mail(conn, "ada@example.com", "Welcome", "Hello Ada")
    [mail] = await mailbox.wait_for("ada@example.com", "Welcome")
    assert mail.body.strip() == "Hello Ada"

    async def failed_attempt() -> object:
        return await svc.pool.fetchrow(
            "SELECT sent_at, attempts, last_error FROM mail_outbox"
            " WHERE subject = 'Broken' AND attempts > 0"
        )

    broken = await eventually(failed_attempt)
    assert broken["sent_at"] is None
    assert broken["last_error"] == "ValueError"
    assert mailbox.to("all@example.com") == []
    # Still delivering afterwards.
    async with transaction(svc.pool) as conn:
        await queue_mail(conn, "ada@example.com", "Second", "Again")
    await mailbox.wait_for("ada@example.com", "Second")


def test_a_service_that_sends_mail_needs_mail_settings() -> None:
    spec = ServiceSpec(name="sample", title="Sample", routers=[], sends_mail=True)
    with pytest.raises(TypeError):
        create_app(spec, ServiceSettings())


def settings_of(request: Request) -> object:
    return request.app.state.settings


async def cursors_of(request: Request) -> object:
    return request.app.state.cursors


def test_a_dependency_that_would_run_in_a_thread_is_refused() -> None:
    router = APIRouter()

    @router.get("/fine")
    async def fine(cursors: Annotated[object, Depends(cursors_of)]) -> None:
        return None

    spec = ServiceSpec(name="sample", title="Sample", routers=[router])
    assert create_app(spec, ServiceSettings()) is not None

    @router.get("/slow")
    async def slow(settings: Annotated[object, Depends(settings_of)]) -> None:
        return None

    @router.get("/sync")
    def sync() -> None:
        return None

    with pytest.raises(TypeError) as refused:
        create_app(spec, ServiceSettings())
    assert "settings_of" in str(refused.value)
    assert "/sync: " in str(refused.value)
    assert "cursors_of" not in str(refused.value)
