"""The connection to NATS JetStream: one stream for every service's events."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

logger = logging.getLogger("edu.events")

DUPLICATE_WINDOW_SECONDS = 2 * 60 * 60
# How long a start waits for the bus before going on without it.
FIRST_CONNECT_SECONDS = 3.0


class EventBus:
    """Publishes with message ids (JetStream drops a repeat inside the duplicate window) and
    hands out the JetStream context to consumers. Reconnects by itself, forever."""

    def __init__(self, url: str, *, stream: str = "EDU", prefix: str = "edu") -> None:
        self.url = url
        self.stream = stream
        self.prefix = prefix
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._stream_ready = False
        self._stream_lock = asyncio.Lock()
        self._connector: asyncio.Task[None] | None = None

    def full_subject(self, subject: str) -> str:
        return f"{self.prefix}.{subject}"

    def relative_subject(self, subject: str) -> str:
        return subject.removeprefix(self.prefix + ".")

    async def _connect_once(self) -> None:
        async def on_disconnect() -> None:
            logger.warning("event bus disconnected")

        async def on_reconnect() -> None:
            logger.info("event bus reconnected")
            self._stream_ready = False

        async def on_error(exc: Exception) -> None:
            logger.debug("event bus error", extra={"error": str(exc)})

        options: dict[str, Any] = {
            "allow_reconnect": True,
            "max_reconnect_attempts": -1,
            "reconnect_time_wait": 0.5,
            "connect_timeout": 2,
            "ping_interval": 10,
            "max_outstanding_pings": 2,
            # Consumers ack explicitly, so an unacked message is simply redelivered: there is
            # nothing worth waiting 30 s for at shutdown.
            "drain_timeout": 1,
            "disconnected_cb": on_disconnect,
            "reconnected_cb": on_reconnect,
            "error_cb": on_error,
        }
        nc = Client()
        try:
            # nats-py retries a first connection forever when reconnects are unlimited: bound
            # it, so a service starts while the bus is down and keeps trying in the background.
            async with asyncio.timeout(FIRST_CONNECT_SECONDS):
                await nc.connect(self.url, **options)
        except BaseException:
            with contextlib.suppress(Exception):
                await nc.close()
            raise
        self._nc = nc
        self._js = nc.jetstream(timeout=5)

    async def connect(self) -> None:
        """Connect now if the bus answers; otherwise keep trying in the background, so a
        service starts (and reports the bus degraded) while it is down."""
        try:
            await self._connect_once()
        except Exception as exc:
            logger.warning("event bus unavailable at start", extra={"error": repr(exc)})
            self._connector = asyncio.create_task(self._connect_forever())

    async def _connect_forever(self) -> None:
        while self._nc is None:
            await asyncio.sleep(1)
            try:
                await self._connect_once()
            except Exception:  # noqa: S112 - still down, try again
                continue
        logger.info("event bus connected")

    @property
    def is_connected(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    @property
    def js(self) -> JetStreamContext:
        if self._js is None:
            raise RuntimeError("event bus not connected")
        return self._js

    async def ensure_stream(self) -> None:
        if self._stream_ready:
            return
        async with self._stream_lock:
            await self._create_stream()

    async def _create_stream(self) -> None:
        if not self._stream_ready:
            config = StreamConfig(
                name=self.stream,
                subjects=[f"{self.prefix}.>"],
                retention=RetentionPolicy.LIMITS,
                storage=StorageType.FILE,
                discard=DiscardPolicy.OLD,
                max_age=7 * 24 * 3600,
                duplicate_window=DUPLICATE_WINDOW_SECONDS,
            )
            try:
                await self.js.stream_info(self.stream)
            except NotFoundError:
                await self.js.add_stream(config)
            self._stream_ready = True

    async def publish(self, subject: str, data: bytes, *, msg_id: str) -> None:
        """Publish and wait for JetStream's acknowledgement (the event is then stored)."""
        await self.ensure_stream()
        await self.js.publish(
            self.full_subject(subject), data, timeout=5, headers={"Nats-Msg-Id": msg_id}
        )

    async def close(self) -> None:
        if self._connector is not None:
            self._connector.cancel()
        if self._nc is not None and not self._nc.is_closed:
            try:
                await self._nc.drain()
            except Exception:
                await self._nc.close()
        self._nc = None
        self._js = None
