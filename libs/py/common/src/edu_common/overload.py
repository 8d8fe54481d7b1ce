"""Load shedding: a bound on the requests one worker serves at once and on how long the rest
may wait for a turn.

Without it an overloaded worker takes every request the kernel hands it: each one waits in
the pool's queue (up to `db_acquire_timeout`), latency climbs for everybody and the answers
that finally come are mostly too late to matter. With it, at most `max_requests_in_flight`
requests run at a time; the next ones wait in arrival order for at most
`max_queue_seconds`, and one that is not served by then (or finds the queue full) is
answered at once with 503 `overloaded` and `Retry-After`, cheaply, so the worker spends its
time on the requests it can still serve well, and recovers as soon as the load drops.

Liveness, readiness and metrics are never queued or shed: a balancer and a scraper must see
an overloaded instance for what it is (serving, busy), not as dead. An app that answers in
another form than problem details (the web app's HTML pages) passes its own `refuse`.
"""

from __future__ import annotations

import asyncio
import collections
import json
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from edu_common.metrics import REQUESTS_SHED

_NEVER_SHED = ("/health/", "/metrics")
# Answers a request that was shed: (scope, receive, send, the Retry-After in seconds).
Refuse = Callable[[Scope, Receive, Send, int], Awaitable[None]]
# How many may wait, per request allowed in flight: beyond, waiting cannot end in time.
_QUEUE_PER_SLOT = 4


class LoadShedMiddleware:
    """Pure ASGI; one instance per worker process (state is the event loop's)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_in_flight: int,
        max_queue_seconds: float,
        never_shed: tuple[str, ...] = _NEVER_SHED,
        refuse: Refuse | None = None,
    ) -> None:
        self.app = app
        self.never_shed = never_shed
        self.refuse = refuse or _overloaded
        self.retry_after = max(1, round(max_queue_seconds))
        self.max_in_flight = max_in_flight
        self.max_queue_seconds = max_queue_seconds
        self.max_queued = max_in_flight * _QUEUE_PER_SLOT
        self.in_flight = 0
        self._waiting: collections.deque[asyncio.Future[None]] = collections.deque()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.never_shed):
            await self.app(scope, receive, send)
            return
        if not await self._take_turn():
            REQUESTS_SHED.inc()
            await self.refuse(scope, receive, send, self.retry_after)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._hand_on_turn()

    async def _take_turn(self) -> bool:
        if self.in_flight < self.max_in_flight and not self._waiting:
            self.in_flight += 1
            return True
        if len(self._waiting) >= self.max_queued:
            return False
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            await asyncio.wait_for(asyncio.shield(turn), self.max_queue_seconds)
        except TimeoutError:
            if turn.done() and not turn.cancelled():
                # Handed a turn just as the wait ran out: take it.
                return True
            turn.cancel()
            return False
        except BaseException:
            if turn.done() and not turn.cancelled():
                self._hand_on_turn()
            turn.cancel()
            raise
        finally:
            if not turn.done():
                turn.cancel()
            if turn in self._waiting:
                self._waiting.remove(turn)
        return True

    def _hand_on_turn(self) -> None:
        """A request ended: its turn goes to the longest waiting one, or back to the count."""
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        self.in_flight -= 1


async def _overloaded(_scope: Scope, _receive: Receive, send: Send, retry_after: int) -> None:
    body = json.dumps(
        {
            "type": "https://errors.eduplatform.dev/overloaded",
            "title": "Service Unavailable",
            "status": 503,
            "detail": "the service is overloaded, try again shortly",
            "code": "overloaded",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(retry_after).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
