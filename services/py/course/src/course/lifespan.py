"""What course runs beside its routes: the search pool, the caches, and the demo catalog in
development."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from edu_common.cache import JsonCache
from edu_common.db import create_pool, pool_sizes
from edu_common.settings import Environment
from fastapi import FastAPI

from course.catalog.pages import CatalogPages
from course.catalog.search import SEARCH_SESSION, corrections_kept
from course.demo.seed import seed_demo_catalog
from course.dependencies import Caches
from course.settings import CourseSettings

logger = logging.getLogger("edu.course.demo")


@asynccontextmanager
async def course_runtime(app: FastAPI) -> AsyncIterator[None]:
    settings: CourseSettings = app.state.settings
    redis = app.state.redis
    app.state.caches = Caches(
        JsonCache(redis, "course:course", settings.cache_ttl_seconds),
        JsonCache(redis, "course:curriculum", settings.cache_ttl_seconds),
        # Dropped by this service's writes that change a count; the TTL bounds how long a
        # count misses rows written around the service (`edu seed`).
        JsonCache(redis, "course:categories", settings.category_counts_ttl_seconds),
        JsonCache(redis, "course:catalog_total", settings.catalog_total_ttl_seconds),
        CatalogPages(redis, settings.catalog_page_ttl_seconds),
        corrections_kept(settings.catalog_page_ttl_seconds),
    )
    if settings.seed_demo_data and settings.environment is not Environment.PRODUCTION:
        started = time.perf_counter()
        async with app.state.db_pool.acquire() as conn, conn.transaction():
            added = await seed_demo_catalog(conn)
        logger.info(
            "demo catalog ready",
            extra={"courses_added": added, "seconds": round(time.perf_counter() - started, 3)},
        )
    # Searches plan with settings of their own (SEARCH_SESSION), set once per connection:
    # with them as SET LOCAL, each search held a transaction open across its statements.
    state = app.state
    state.search_pool = await create_pool(
        settings,
        session={"application_name": "course-search", **SEARCH_SESSION},
        min_size=0,
        max_size=settings.search_pool_size,
    )
    state.metrics.pool_sizes = lambda: pool_sizes(state.db_pool, state.search_pool)
    try:
        yield
    finally:
        await state.search_pool.close()
