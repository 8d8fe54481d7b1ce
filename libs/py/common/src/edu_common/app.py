"""The one way every service is built: settings in, a FastAPI app with everything shared out."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse

from edu_common import health
from edu_common.cache import create_redis
from edu_common.db import create_pool, pool_sizes
from edu_common.errors import install_error_handlers
from edu_common.events.bus import EventBus
from edu_common.events.consumer import EventConsumer, Handler
from edu_common.events.contracts import Event
from edu_common.events.outbox import OutboxRelay, outbox_backlog
from edu_common.logs import configure_logging
from edu_common.metrics import ServiceReadings, metrics_endpoint, worker_exited
from edu_common.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from edu_common.migrations import COMMON_MIGRATIONS, migrate
from edu_common.pagination import CursorCodec
from edu_common.security.keys import load_public_keys
from edu_common.security.tokens import TokenVerifier
from edu_common.settings import ServiceSettings
from edu_common.workers import multiprocess_dir

logger = logging.getLogger("edu.app")

LifespanHook = Callable[[FastAPI], AbstractAsyncContextManager[None]]


@dataclass
class ServiceSpec:
    """What makes one service different from the next."""

    name: str
    title: str
    routers: Sequence[APIRouter]
    migrations: Path | None = None
    # Durable consumer name -> the events it handles.
    consumers: Mapping[str, Mapping[type[Event], Handler]] = field(default_factory=dict)
    hooks: Sequence[LifespanHook] = ()
    description: str = ""
    # Overrides how the token verifier is built (identity verifies with its own key).
    verifier: Callable[[FastAPI], TokenVerifier] | None = None


def _default_verifier(settings: ServiceSettings) -> TokenVerifier:
    keys = load_public_keys(settings.jwt_public_key) if settings.jwt_public_key else {}
    if not keys:
        logger.warning("no token verification key configured: every token will be refused")
    return TokenVerifier(
        keys,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        leeway_seconds=settings.jwt_leeway_seconds,
    )


async def _supervise(name: str, run: Callable[[], Any]) -> None:
    """Keeps a background loop alive: a crash is logged and the loop restarted."""
    while True:
        try:
            await run()
            return
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("background task crashed, restarting", extra={"task": name})
            await asyncio.sleep(1)


def create_app(spec: ServiceSpec, settings: ServiceSettings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(spec.name, settings.log_level)
        state = app.state
        state.db_pool = await create_pool(settings)
        state.metrics = readings = ServiceReadings(lambda: pool_sizes(state.db_pool))
        if settings.run_migrations:
            sources = [("common", COMMON_MIGRATIONS)]
            if spec.migrations is not None:
                sources.append((spec.name, spec.migrations))
            async with state.db_pool.acquire() as conn:
                await migrate(conn, sources)
        state.redis = create_redis(settings)
        state.event_bus = None
        tasks: list[asyncio.Task[None]] = []
        if multiprocess_dir():
            tasks.append(asyncio.create_task(_supervise("pool-metrics", readings.sample_pool)))
        if settings.events_enabled:
            bus = EventBus(
                settings.nats_url,
                stream=settings.events_stream,
                prefix=settings.events_subject_prefix,
            )
            await bus.connect()
            state.event_bus = bus
            relay = OutboxRelay(
                state.db_pool,
                bus,
                poll_interval=settings.outbox_poll_interval,
                listen_dsn=settings.database_url,
            )
            tasks.append(asyncio.create_task(_supervise("outbox-relay", relay.run)))
            readings.backlog = lambda: outbox_backlog(state.db_pool)
            for consumer_name, handlers in spec.consumers.items():
                consumer = EventConsumer(consumer_name, bus, state.db_pool, handlers)
                readings.pending[consumer_name] = consumer.pending
                tasks.append(asyncio.create_task(_supervise(consumer_name, consumer.run)))
        state.token_verifier = spec.verifier(app) if spec.verifier else _default_verifier(settings)
        async with contextlib.AsyncExitStack() as stack:
            for hook in spec.hooks:
                await stack.enter_async_context(hook(app))
            logger.info("service ready", extra={"port": settings.port})
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()
                for task in tasks:
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
        if state.event_bus is not None:
            await state.event_bus.close()
        await state.redis.aclose()
        await state.db_pool.close()
        worker_exited()

    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version="0.1.0",
        lifespan=lifespan,
        default_response_class=JSONResponse,
    )
    app.state.settings = settings
    app.state.cursors = CursorCodec(settings.cursor_secret)
    install_error_handlers(app)
    app.include_router(health.router)
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    for router in spec.routers:
        app.include_router(router)
    app.add_middleware(BodySizeLimitMiddleware)
    app.add_middleware(RequestContextMiddleware, log_requests=settings.access_log)
    return app
