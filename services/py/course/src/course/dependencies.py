"""What course's endpoints take from the running app, as typed dependencies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from edu_common.cache import JsonCache
from fastapi import Depends, Request

from course.settings import CourseSettings


def _settings(request: Request) -> CourseSettings:
    settings: CourseSettings = request.app.state.settings
    return settings


def _caches(request: Request) -> Caches:
    caches: Caches = request.app.state.caches
    return caches


class Caches:
    """Cache-aside for the hot reads: one course, one curriculum."""

    def __init__(self, courses: JsonCache, curricula: JsonCache) -> None:
        self.courses = courses
        self.curricula = curricula


Settings = Annotated[CourseSettings, Depends(_settings)]
CacheDep = Annotated[Caches, Depends(_caches)]


class Invalidation:
    """Course ids whose cached reads a write makes stale. Dropped at once and again after the
    transaction commits, so a read racing the write cannot leave an old copy behind."""

    def __init__(self, caches: Caches) -> None:
        self.caches = caches
        self.course_ids: set[object] = set()

    async def mark_stale(self, course_id: object) -> None:
        self.course_ids.add(course_id)
        await self.flush()

    async def flush(self) -> None:
        await self.caches.courses.delete(*self.course_ids)
        await self.caches.curricula.delete(*self.course_ids)


async def _invalidation(request: Request) -> AsyncIterator[Invalidation]:
    invalidation = Invalidation(_caches(request))
    yield invalidation
    await invalidation.flush()


# Declare it before DbConn in a route: dependencies close in reverse, so this one closes
# after the transaction has committed.
Invalidate = Annotated[Invalidation, Depends(_invalidation, scope="function")]
