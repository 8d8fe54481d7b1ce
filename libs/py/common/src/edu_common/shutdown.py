"""Graceful shutdown: readiness leaves first, the server stops later.

uvicorn, on SIGTERM, stops accepting at once, closes idle keep-alive connections, lets the
requests in flight finish (up to `timeout_graceful_shutdown`) and runs the lifespan's
shutdown. What it cannot know is that a load balancer is still sending here until it sees
readiness fail. So the first SIGTERM (or SIGINT) only starts a drain:

1. readiness answers 503 `shutting_down` at once, so the balancer takes the instance out;
2. for `shutdown_drain_seconds` everything is still served, each response with
   `Connection: close`, so a keep-alive client opens its next connection elsewhere instead of
   reusing one that is about to be closed under it;
3. then uvicorn's own shutdown runs as it always does (the signal is handed on to it).

A second signal during the drain skips the rest of it. The drain is wired to uvicorn's own
signal handler from the lifespan, so it works the same in a single process and in every
worker of `--workers N` (each worker is a uvicorn server receiving SIGTERM from its parent);
where the app runs without a uvicorn server (tests in process) nothing is installed.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("edu.shutdown")

_SIGNALS = (signal.SIGTERM, signal.SIGINT)
SignalHandler = Callable[[int, FrameType | None], Any]


class Drain:
    """Whether this process is draining; readiness and `DrainMiddleware` read it."""

    def __init__(self) -> None:
        self.draining = False

    def begin(self) -> None:
        self.draining = True


def _is_uvicorn_handler(handler: object) -> bool:
    from uvicorn.server import Server

    return isinstance(getattr(handler, "__self__", None), Server)


@contextmanager
def drain_on_signal(drain: Drain, seconds: float) -> Iterator[None]:
    """While the block runs (the app's lifespan), SIGTERM and SIGINT start `drain` and reach
    uvicorn's handler `seconds` later; on the way out uvicorn's handlers are put back."""
    loop = asyncio.get_running_loop()
    previous: dict[int, SignalHandler] = {}
    for sig in _SIGNALS:
        handler = signal.getsignal(sig)
        if callable(handler) and _is_uvicorn_handler(handler):
            previous[sig] = handler
    if seconds <= 0 or not previous:
        yield
        return

    def hand_on(sig: int, frame: FrameType | None) -> None:
        previous.get(sig, previous[signal.SIGTERM])(sig, frame)

    def on_signal(sig: int, frame: FrameType | None) -> None:
        if drain.draining:
            hand_on(sig, frame)
            return
        drain.begin()
        logger.info("draining before shutdown", extra={"signal": sig, "seconds": seconds})
        # A signal handler runs between two bytecodes of the loop's thread: schedule, safely.
        loop.call_soon_threadsafe(loop.call_later, seconds, hand_on, sig, None)

    for taken in previous:
        signal.signal(taken, on_signal)
    try:
        yield
    finally:
        for taken, handler in previous.items():
            signal.signal(taken, handler)


class DrainMiddleware:
    """While draining, every response says `Connection: close` (pure ASGI)."""

    def __init__(self, app: ASGIApp, *, drain: Drain) -> None:
        self.app = app
        self.drain = drain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start" and self.drain.draining:
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"connection"]
                headers.append((b"connection", b"close"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_closing)
