"""The web app: settings in, a Starlette/FastAPI app rendering pages out."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from edu_common.logs import configure_logging
from edu_common.metrics import FASTAPI_TELEMETRY_OFF, metrics_endpoint
from edu_common.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from edu_common.overload import LoadShedMiddleware
from edu_common.runtime import measured_runtime
from edu_common.shutdown import Drain, DrainMiddleware, drain_on_signal
from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from starlette.middleware.gzip import GZipMiddleware

from web import health
from web.accounts.routes import router as accounts_router
from web.admin.routes import router as admin_router
from web.catalog.routes import router as catalog_router
from web.clients import Clients, shared_http_client
from web.courses.routes import router as courses_router
from web.errors import install_error_pages, refuse_overloaded
from web.i18n import LanguageMiddleware
from web.learning.routes import router as learning_router
from web.lessons.routes import router as lessons_router
from web.notifications.routes import router as notifications_router
from web.security import SecurityHeadersMiddleware, refuse_cross_site
from web.sessions import SessionStore
from web.settings import WebSettings
from web.static import StaticFiles
from web.teach.routes import router as teach_router
from web.templating import Pages, create_environment
from web.visitor import VisitorMiddleware

ROUTERS = (
    catalog_router,
    courses_router,
    lessons_router,
    learning_router,
    notifications_router,
    accounts_router,
    teach_router,
    admin_router,
)


def create_app(settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging("web", settings.log_level)
        # Each call to a service is in the access log and Server-Timing already.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        http = shared_http_client(settings)
        redis = Redis.from_url(
            settings.redis_url,
            socket_timeout=settings.redis_timeout,
            socket_connect_timeout=settings.redis_timeout,
            retry=Retry(NoBackoff(), 1),
        )
        app.state.http = http
        app.state.redis = redis
        app.state.clients = Clients.over(http, settings)
        app.state.sessions = SessionStore(
            redis, app.state.clients.identity, settings.session_ttl_seconds
        )
        try:
            # SIGTERM: readiness answers 503 for the drain, then uvicorn stops (as the services).
            with drain_on_signal(app.state.drain, settings.drain_seconds):
                async with measured_runtime():
                    yield
        finally:
            await http.aclose()
            await redis.aclose()

    app = FastAPI(
        title="EduPlatform web",
        lifespan=lifespan,
        telemetry=FASTAPI_TELEMETRY_OFF,
        default_response_class=HTMLResponse,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(refuse_cross_site)],
    )
    static = StaticFiles()
    app.state.settings = settings
    app.state.drain = drain = Drain()
    app.state.static = static
    app.state.pages = Pages(create_environment(static))
    install_error_pages(app)
    app.include_router(health.router)
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    app.add_route("/static/{name}", static.serve, include_in_schema=False)
    for router in ROUTERS:
        app.include_router(router)
    # Innermost but for the routes: a shed request still knows its visitor and language, so
    # the busy page is the visitor's own, in their language.
    app.add_middleware(
        LoadShedMiddleware,
        max_in_flight=settings.max_requests_in_flight,
        max_queue_seconds=settings.max_queue_seconds,
        never_shed=("/health/", "/metrics", "/static/"),
        refuse=refuse_overloaded,
    )
    app.add_middleware(VisitorMiddleware)
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(BodySizeLimitMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=500)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestContextMiddleware, log_requests=settings.access_log)
    app.add_middleware(DrainMiddleware, drain=drain)
    return app
