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

import asyncpg
from fastapi import APIRouter, FastAPI
from starlette.types import ASGIApp

from edu_common import health
from edu_common.cache import create_redis
from edu_common.db import create_pool, pool_sizes
from edu_common.errors import PROBLEM_JSON, Problem, error_responses, install_error_handlers
from edu_common.events.bus import EventBus
from edu_common.events.consumer import EventConsumer, Handler
from edu_common.events.contracts import Event
from edu_common.events.outbox import OutboxRelay, outbox_backlog
from edu_common.logs import configure_logging
from edu_common.mail import MailSender, SmtpConfig
from edu_common.metrics import (
    FASTAPI_TELEMETRY_OFF,
    ServiceReadings,
    metrics_endpoint,
    worker_exited,
)
from edu_common.middleware import MAX_BODY_BYTES, BodySizeLimitMiddleware, RequestContextMiddleware
from edu_common.migrations import COMMON_MIGRATIONS, migrate
from edu_common.overload import LoadShedMiddleware
from edu_common.pagination import CursorCodec
from edu_common.routing import blocking_dependencies, guard_fixed_paths
from edu_common.runtime import measured_runtime
from edu_common.security.keys import load_public_keys
from edu_common.security.tokens import TokenVerifier
from edu_common.settings import MailSettings, ServiceSettings
from edu_common.shutdown import Drain, DrainMiddleware, drain_on_signal
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
    # Durable consumer name -> how many of its events are applied at once (unnamed: 1, in the
    # stream's order); see EventConsumer's `concurrency`.
    consumer_concurrency: Mapping[str, int] = field(default_factory=dict)
    hooks: Sequence[LifespanHook] = ()
    # Delivers the mail it queues (`edu_common.mail.queue_mail`); its settings are then
    # `MailSettings`.
    sends_mail: bool = False
    description: str = ""
    # Overrides how the token verifier is built (identity verifies with its own key).
    verifier: Callable[[FastAPI], TokenVerifier] | None = None
    # Pure ASGI middleware of the service's own, inside the shared ones (request id, metrics,
    # access log, draining, load shedding, body limit), the first listed outermost.
    middleware: Sequence[Callable[[ASGIApp], ASGIApp]] = ()


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


# Connections for the outbox relay, apart from the requests' pool; the event consumers add
# one for each event they apply at once.
RELAY_CONNECTIONS = 1
# How long shutdown waits for background loops to stop (a mail server may be slow to let go).
_SHUTDOWN_GRACE_SECONDS = 5.0


def create_app(spec: ServiceSpec, settings: ServiceSettings) -> FastAPI:
    if spec.sends_mail and not isinstance(settings, MailSettings):
        raise TypeError(f"{spec.name} sends mail: its settings must be MailSettings")

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
        events_pool: asyncpg.Pool | None = None
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
            # The relay and the consumers take their connections from a pool of their own:
            # under load the request pool is all lent out, and an event waiting behind every
            # request for a connection was measured applied a minute late.
            # Opened whole at start: no connection is then being made when the app stops.
            concurrency = {name: spec.consumer_concurrency.get(name, 1) for name in spec.consumers}
            events_pool_size = RELAY_CONNECTIONS + max(1, sum(concurrency.values()))
            events_pool = await create_pool(
                settings,
                session={"application_name": f"{settings.service_name}-events"},
                min_size=events_pool_size,
                max_size=events_pool_size,
            )
            relay = OutboxRelay(
                events_pool,
                bus,
                poll_interval=settings.outbox_poll_interval,
                listen_dsn=settings.database_url,
            )
            tasks.append(asyncio.create_task(_supervise("outbox-relay", relay.run)))
            readings.backlog = lambda: outbox_backlog(state.db_pool)
            for consumer_name, handlers in spec.consumers.items():
                consumer = EventConsumer(
                    consumer_name,
                    bus,
                    events_pool,
                    handlers,
                    concurrency=concurrency[consumer_name],
                )
                readings.pending[consumer_name] = consumer.pending
                tasks.append(asyncio.create_task(_supervise(consumer_name, consumer.run)))
        if isinstance(settings, MailSettings) and spec.sends_mail:
            sender = MailSender(
                state.db_pool,
                SmtpConfig.from_settings(settings),
                poll_interval=settings.mail_poll_interval,
            )
            tasks.append(asyncio.create_task(_supervise("mail-sender", sender.run)))
        state.token_verifier = spec.verifier(app) if spec.verifier else _default_verifier(settings)
        async with contextlib.AsyncExitStack() as stack:
            stack.enter_context(drain_on_signal(state.drain, settings.drain_seconds))
            for hook in spec.hooks:
                await stack.enter_async_context(hook(app))
            await stack.enter_async_context(measured_runtime())
            logger.info("service ready", extra={"port": settings.port})
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()
                if tasks:
                    # Bounded: shutdown never hangs on a loop stuck in a remote call.
                    await asyncio.wait(tasks, timeout=_SHUTDOWN_GRACE_SECONDS)
                for task in tasks:
                    if task.done() and not task.cancelled():
                        with contextlib.suppress(Exception):
                            task.result()
        if state.event_bus is not None:
            await state.event_bus.close()
        if events_pool is not None:
            await events_pool.close()
        await state.redis.aclose()
        await state.db_pool.close()
        worker_exited()

    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version="0.1.0",
        lifespan=lifespan,
        telemetry=FASTAPI_TELEMETRY_OFF,
        # No default_response_class: left unset, FastAPI serializes a route's response model
        # straight to JSON bytes in pydantic-core; naming JSONResponse here made it build
        # Python objects first and encode them again with json.dumps.
    )
    app.state.settings = settings
    app.state.drain = drain = Drain()
    app.state.cursors = CursorCodec(settings.cursor_secret)
    install_error_handlers(app)
    app.include_router(health.router)
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    for router in spec.routers:
        app.include_router(router)
    guard_fixed_paths(app)
    blocking = blocking_dependencies(app)
    if blocking:
        raise TypeError(f"{spec.name}: make these async (they would run in threads): {blocking}")
    for middleware in reversed(spec.middleware):
        app.add_middleware(middleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(
        LoadShedMiddleware,
        max_in_flight=settings.max_requests_in_flight,
        max_queue_seconds=settings.max_queue_seconds,
    )
    app.add_middleware(RequestContextMiddleware, log_requests=settings.access_log)
    app.add_middleware(DrainMiddleware, drain=drain)
    _document_body_limit(app)
    return app


def _document_body_limit(app: FastAPI) -> None:
    """Every operation that takes a body says so: over MAX_BODY_BYTES it is a 413, answered by
    the middleware before any route sees it, and a body that is not JSON (invalid UTF-8, too
    deep, not JSON at all) is a 400 `malformed_json` from the shared handler."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        too_large = error_responses(413)[413]
        entry = {
            "description": f"{too_large['description']}: the body is over {MAX_BODY_BYTES} bytes",
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        malformed = {
            "description": f"{error_responses(400)[400]['description']}: `malformed_json`, "
            "the body is not JSON",
            "content": entry["content"],
        }
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
            "Problem", Problem.model_json_schema()
        )
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and "requestBody" in operation:
                    responses = operation.setdefault("responses", {})
                    responses.setdefault("413", entry)
                    responses.setdefault("400", malformed)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
