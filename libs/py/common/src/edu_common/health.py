"""Liveness and readiness.

Ready means this instance can serve: its database answers. The cache and the event bus are
optional (the service keeps serving without them, and every instance would otherwise leave
the load balancer over one cache outage): one that is down is named as degraded in the body
and in the `dependency_up` gauge, and readiness stays 200.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from edu_common.db import transaction
from edu_common.errors import problem_response
from edu_common.metrics import DEPENDENCY_UP

logger = logging.getLogger("edu.health")
router = APIRouter(tags=["health"])


class Live(BaseModel):
    status: str


class Ready(BaseModel):
    # "ok", or "degraded" while an optional dependency is down.
    status: str
    checks: dict[str, str]
    degraded: list[str]


@router.get("/health/live", response_model=Live)
async def live() -> Live:
    return Live(status="ok")


async def _check(name: str, probe: Callable[[], Awaitable[Any]]) -> tuple[str, str]:
    try:
        async with asyncio.timeout(2):
            await probe()
    except Exception as exc:
        logger.warning("readiness check failed", extra={"check": name, "error": repr(exc)})
        return name, "unavailable"
    return name, "ok"


@router.get(
    "/health/ready",
    response_model=Ready,
    responses={
        503: {"description": "the database is unavailable, or the instance is shutting down"}
    },
)
async def ready(request: Request) -> Any:
    state = request.app.state
    if state.drain.draining:
        # Shutting down (edu_common.shutdown): still serving, but send nothing new here.
        return problem_response(503, "shutting_down", "the instance is shutting down")

    async def database() -> None:
        async with transaction(state.db_pool) as conn:
            await conn.fetchval("SELECT 1")

    async def event_bus() -> None:
        if state.event_bus is None or not state.event_bus.is_connected:
            raise ConnectionError("event bus not connected")

    checks = dict([await _check("database", database), await _check("cache", state.redis.ping)])
    if state.settings.events_enabled:
        checks.update([await _check("event_bus", event_bus)])
    for name, result in checks.items():
        DEPENDENCY_UP.labels(name).set(1 if result == "ok" else 0)
    if checks["database"] != "ok":
        return problem_response(503, "not_ready", "unavailable: database", checks=checks)
    degraded = sorted(name for name, result in checks.items() if result != "ok")
    return Ready(status="degraded" if degraded else "ok", checks=checks, degraded=degraded)
