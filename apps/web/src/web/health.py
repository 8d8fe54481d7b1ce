"""Health: live while the process runs; ready while the session store answers and the
process is not draining before a shutdown (edu_common.shutdown)."""

from __future__ import annotations

from edu_common.errors import problem_response
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError

router = APIRouter(prefix="/health", include_in_schema=False)


@router.get("/live")
async def live() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get("/ready")
async def ready(request: Request) -> JSONResponse:
    if request.app.state.drain.draining:
        # The same answer as the services' readiness while they drain.
        return problem_response(503, "shutting_down", "the instance is shutting down")
    try:
        await request.app.state.redis.ping()
    except RedisError:
        return JSONResponse(
            {"status": "unavailable", "checks": {"sessions": "down"}}, status_code=503
        )
    return JSONResponse({"status": "ok", "checks": {"sessions": "ok"}})
