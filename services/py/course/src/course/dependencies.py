"""What course's endpoints take from the running app, as typed dependencies."""

from __future__ import annotations

import uuid
from collections.abc import MutableMapping
from typing import Annotated

import asyncpg
from edu_common.cache import JsonCache
from edu_common.db import Transaction, after_commit, request_reads
from fastapi import Depends, Request

from course.catalog.pages import CatalogPages
from course.settings import CourseSettings

# The one key of the category counts' cache.
CATEGORY_COUNTS = "all"
# Set in a request's scope when `course.cached_reads` asked the cache for it and found nothing.
CACHE_LOOKED_UP = "course.cache_looked_up"


def looked_up_before_routing(request: Request) -> bool:
    """Whether the cache was asked for this request before routing (and had nothing): the
    route then reads the database without asking again."""
    return bool(request.scope.get(CACHE_LOOKED_UP))


async def _settings(request: Request) -> CourseSettings:
    settings: CourseSettings = request.app.state.settings
    return settings


async def _caches(request: Request) -> Caches:
    caches: Caches = request.app.state.caches
    return caches


class Caches:
    """Cache-aside for the hot reads: one course, one curriculum, the category counts; the
    catalog's pages (see `CatalogPages`); and the catalog's result counts in the keyed sorts,
    which no write drops: they age out (`catalog_total_ttl_seconds`); and, in the worker
    itself, the searches' typo corrections (`course.catalog.search.corrections_kept`)."""

    def __init__(
        self,
        courses: JsonCache,
        curricula: JsonCache,
        categories: JsonCache,
        totals: JsonCache,
        catalog_pages: CatalogPages,
        corrections: MutableMapping[str, str] | None = None,
    ) -> None:
        self.courses = courses
        self.curricula = curricula
        self.categories = categories
        self.totals = totals
        self.catalog_pages = catalog_pages
        self.corrections = corrections

    def drop_counts_after_commit(self, conn: asyncpg.Connection | Transaction) -> None:
        """Drops the cached category counts once a write that may change them (a course
        created, published, removed or moved to another category) has committed."""

        async def drop() -> None:
            await self.categories.delete(CATEGORY_COUNTS)

        after_commit(conn, drop)

    def drop_after_commit(
        self, conn: asyncpg.Connection | Transaction, course_id: uuid.UUID
    ) -> None:
        """Drops the course's cached reads once `conn`'s transaction has committed (never if
        it rolls back): where in the write this is called does not matter, and a read until
        the commit finds the committed row, not a copy of a change that may yet fail."""

        async def drop() -> None:
            await self.courses.delete(course_id)
            await self.curricula.delete(course_id)
            await self.catalog_pages.drop(course_id)

        after_commit(conn, drop)


Settings = Annotated[CourseSettings, Depends(_settings)]
CacheDep = Annotated[Caches, Depends(_caches)]
# `DbRead` on the search pool (course.lifespan): each statement on a connection of its own.
SearchRead = Annotated[Transaction, Depends(request_reads("search_pool"), scope="function")]
