"""Liveness and readiness: ready means the database, the cache and the event bus answer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from edu_common.errors import problem_response

logger = logging.getLogger("edu.health")
router = APIRouter(tags=["health"])


class Live(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    checks: dict[str, str]


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
    responses={503: {"description": "a dependency is unavailable"}},
)
async def ready(request: Request) -> Any:
    state = request.app.state

    async def database() -> None:
        async with state.db_pool.acquire() as conn:
            await conn.fetchval("SELECT 1")

    async def event_bus() -> None:
        if state.event_bus is None or not state.event_bus.is_connected:
            raise ConnectionError("event bus not connected")

    checks = dict([await _check("database", database), await _check("cache", state.redis.ping)])
    if state.settings.events_enabled:
        checks.update([await _check("event_bus", event_bus)])
    failing = sorted(name for name, result in checks.items() if result != "ok")
    if failing:
        return problem_response(
            503, "not_ready", "unavailable: " + ", ".join(failing), checks=checks
        )
    return JSONResponse({"status": "ok", "checks": checks})
