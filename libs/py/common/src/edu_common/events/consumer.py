"""Durable JetStream consumers with a transactional inbox."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import asyncpg
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import ValidationError

from edu_common.db import transaction
from edu_common.events.bus import EventBus
from edu_common.events.contracts import Event
from edu_common.metrics import EVENT_HANDLING_LAG, EVENTS_CONSUMED

logger = logging.getLogger("edu.consumer")

Handler = Callable[[asyncpg.Connection, Any], Awaitable[None]]


class EventConsumer:
    """Pulls the events named in `handlers` and applies each in one database transaction that
    also records the event id; a redelivered event finds its id and is acknowledged without
    a second effect. A failing handler's event is redelivered later, with a growing delay.

    A handler gets the transaction's connection: `edu_common.db.after_commit(conn, step)` runs
    `step` once the effect has committed, before the event is acknowledged.

    `concurrency`: how many events of a fetched batch are applied at once, each in its own
    transaction (so the pool needs that many connections for this consumer). 1 applies them
    in the order of the stream; more is for handlers whose effects do not depend on the order
    of events (as with several workers, each pulling its own batches)."""

    def __init__(
        self,
        name: str,
        bus: EventBus,
        pool: asyncpg.Pool,
        handlers: Mapping[type[Event], Handler],
        *,
        batch_size: int = 50,
        ack_wait_seconds: float = 30,
        concurrency: int = 1,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.name = name
        self.bus = bus
        self.pool = pool
        self.handlers: dict[str, tuple[type[Event], Handler]] = {
            cls.subject: (cls, handler) for cls, handler in handlers.items()
        }
        self.batch_size = batch_size
        self.ack_wait_seconds = ack_wait_seconds
        self.concurrency = concurrency

    async def _subscription(self) -> Any:
        await self.bus.ensure_stream()
        config = ConsumerConfig(
            durable_name=self.name,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.ack_wait_seconds,
            max_deliver=-1,
            filter_subjects=[self.bus.full_subject(s) for s in sorted(self.handlers)],
        )
        # Creating an existing durable with a changed filter updates it (NATS 2.10+).
        await self.bus.js.add_consumer(self.bus.stream, config)
        return await self.bus.js.pull_subscribe_bind(self.name, stream=self.bus.stream)

    async def handle(self, subject: str, data: bytes) -> bool:
        """Apply one event. Returns False when it was a repeat and had no effect."""
        entry = self.handlers.get(subject)
        if entry is None:
            raise LookupError(f"no handler for {subject}")
        cls, handler = entry
        event = cls.model_validate(json.loads(data))
        async with transaction(self.pool) as conn:
            first = await conn.fetchval(
                "INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2)"
                " ON CONFLICT DO NOTHING RETURNING true",
                self.name,
                event.event_id,
            )
            if not first:
                return False
            await handler(conn, event)
        occurred = event.occurred_at
        if occurred.tzinfo is None:
            occurred = occurred.replace(tzinfo=UTC)
        lag = (datetime.now(UTC) - occurred).total_seconds()
        EVENT_HANDLING_LAG.labels(self.name).observe(max(lag, 0.0))
        return True

    async def pending(self) -> int:
        """Events in the stream this durable consumer has not been delivered yet."""
        info = await self.bus.js.consumer_info(self.bus.stream, self.name)
        return int(info.num_pending or 0)

    async def _process(self, msg: Msg) -> None:
        subject = self.bus.relative_subject(msg.subject)
        try:
            applied = await self.handle(subject, msg.data)
        except (ValidationError, ValueError, LookupError) as exc:
            # A malformed or unknown event never becomes valid: stop redelivering it.
            logger.error("event rejected", extra={"subject": subject, "error": repr(exc)})
            EVENTS_CONSUMED.labels(self.name, "rejected").inc()
            await msg.term()
            return
        except Exception as exc:
            attempt = msg.metadata.num_delivered if msg.metadata else 1
            delay = min(2 ** min(attempt, 6), 60)
            logger.warning(
                "event handler failed, will retry",
                extra={"subject": subject, "error": repr(exc), "attempt": attempt},
            )
            EVENTS_CONSUMED.labels(self.name, "failed").inc()
            await msg.nak(delay=delay)
            return
        EVENTS_CONSUMED.labels(self.name, "applied" if applied else "duplicate").inc()
        await msg.ack()

    async def _process_batch(self, messages: list[Msg]) -> None:
        if self.concurrency == 1:
            for msg in messages:
                await self._process(msg)
            return
        turns = asyncio.Semaphore(self.concurrency)

        async def take_turn(msg: Msg) -> None:
            async with turns:
                await self._process(msg)

        # Every event of the batch is settled (acknowledged, or left for redelivery) before
        # the next fetch; an error of one (an ack lost with the bus) does not cut others short.
        outcomes = await asyncio.gather(*(take_turn(m) for m in messages), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    async def run(self) -> None:
        subscription = None
        current = asyncio.current_task()
        while True:
            # nats-py's fetch can swallow a cancellation; honour it here.
            if current is not None and current.cancelling():
                raise asyncio.CancelledError
            try:
                if subscription is None:
                    subscription = await self._subscription()
                try:
                    messages = await subscription.fetch(self.batch_size, timeout=1)
                except (TimeoutError, NatsTimeoutError):
                    continue
                await self._process_batch(messages)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("consumer paused", extra={"consumer": self.name, "error": repr(exc)})
                subscription = None
                await asyncio.sleep(1)
