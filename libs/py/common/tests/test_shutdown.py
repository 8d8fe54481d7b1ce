"""The drain before shutdown, in process: readiness leaves, responses close their connection,
and nothing is wired to signals where no uvicorn server runs. The SIGTERM itself, on a real
process under load, is `tests/flows/test_shutdown.py`."""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING

from edu_common.settings import ServiceSettings
from edu_devstack.testing import Tokens, assert_problem

if TYPE_CHECKING:
    from conftest import LaunchSample


async def test_a_draining_instance_is_not_ready_and_closes_each_connection(
    launch_sample: LaunchSample, tokens: Tokens
) -> None:
    svc = await launch_sample()
    _, student = tokens.student()
    r = await svc.client.post("/notes", json={"text": "before"}, headers=student)
    assert r.status_code == 201
    assert "connection" not in r.headers
    assert (await svc.client.get("/health/ready")).status_code == 200

    svc.app.state.drain.begin()
    body = assert_problem(await svc.client.get("/health/ready"), 503, "shutting_down")
    assert body["detail"] == "the instance is shutting down"
    # Still served, each answer asking the client to take its next request elsewhere.
    r = await svc.client.post("/notes", json={"text": "during"}, headers=student)
    assert r.status_code == 201, r.text
    assert r.headers["connection"] == "close"
    assert (await svc.client.get("/health/live")).headers["connection"] == "close"


async def test_no_signal_handler_is_taken_without_a_uvicorn_server(
    launch_sample: LaunchSample,
) -> None:
    before = signal.getsignal(signal.SIGTERM)
    await launch_sample()
    assert signal.getsignal(signal.SIGTERM) == before


def test_the_drain_is_seconds_in_production_and_short_elsewhere() -> None:
    production = ServiceSettings(environment="production", cursor_secret="s", jwt_public_key="k")
    assert production.drain_seconds == 5.0
    assert ServiceSettings(environment="test").drain_seconds == 1.0
    assert ServiceSettings(shutdown_drain_seconds=0.5).drain_seconds == 0.5
