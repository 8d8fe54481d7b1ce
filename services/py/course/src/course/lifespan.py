"""What course runs beside its routes: the caches."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from edu_common.cache import JsonCache
from fastapi import FastAPI

from course.dependencies import Caches
from course.settings import CourseSettings


@asynccontextmanager
async def course_runtime(app: FastAPI) -> AsyncIterator[None]:
    settings: CourseSettings = app.state.settings
    redis = app.state.redis
    app.state.caches = Caches(
        JsonCache(redis, "course:course", settings.cache_ttl_seconds),
        JsonCache(redis, "course:curriculum", settings.cache_ttl_seconds),
    )
    yield
