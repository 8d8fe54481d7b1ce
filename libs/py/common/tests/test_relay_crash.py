"""The relay stopped after JetStream acknowledged an event but before the outbox row was
marked (the moment a kill would leave it): the row is still unpublished, the next relay
publishes it again under the same message id, JetStream keeps one copy and the consumer
applies it once. Deterministic: the publish itself triggers the stop."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from edu_common.db import transaction
from edu_common.events import EventBus, EventConsumer, OutboxRelay, enqueue
from edu_common.events.contracts import TeacherVerified
from edu_devstack.testing import eventually

if TYPE_CHECKING:
    from conftest import Background, Database, MakeBus


class StopsAfterPublishing:
    """The relay's bus, published through for real; the relay is stopped once the first
    event is acknowledged, before it can mark the row."""

    def __init__(self, bus: EventBus) -> None:
        self.bus = bus
        self.acknowledged: list[str] = []

    async def publish(self, subject: str, data: bytes, *, msg_id: str) -> None:
        await self.bus.publish(subject, data, msg_id=msg_id)
        self.acknowledged.append(msg_id)
        raise asyncio.CancelledError


async def test_an_event_published_but_not_marked_goes_out_again_and_is_applied_once(
    event_db: Database, make_bus: MakeBus, background: Background
) -> None:
    bus = await make_bus()
    event = TeacherVerified(user_id=uuid.uuid4(), email="t@example.com", name="Ada")
    async with transaction(event_db.pool, timeout=5) as conn:
        await enqueue(conn, event)

    stopping = StopsAfterPublishing(bus)
    first = OutboxRelay(event_db.pool, stopping, poll_interval=0.2)  # type: ignore[arg-type]
    with pytest.raises(asyncio.CancelledError):
        await first.run()
    assert stopping.acknowledged == [str(event.event_id)]
    assert await event_db.pool.fetchval("SELECT published_at FROM outbox") is None

    applied: list[str] = []

    async def apply(conn: Any, received: TeacherVerified) -> None:
        await conn.execute("INSERT INTO effects (event_id) VALUES ($1)", received.event_id)
        applied.append(str(received.event_id))

    background(OutboxRelay(event_db.pool, bus, poll_interval=0.2).run())
    background(
        EventConsumer(
            f"c{uuid.uuid4().hex[:8]}", bus, event_db.pool, {TeacherVerified: apply}
        ).run()
    )

    async def marked() -> bool:
        return bool(await event_db.pool.fetchval("SELECT published_at IS NOT NULL FROM outbox"))

    await eventually(marked, timeout=30)
    await eventually(lambda: _applied(applied), timeout=30)
    info = await bus.js.stream_info(bus.stream)
    assert info.state.messages == 1
    rows = await event_db.pool.fetch("SELECT event_id FROM effects")
    assert [row["event_id"] for row in rows] == [event.event_id]


async def _applied(applied: list[str]) -> bool:
    return bool(applied)
