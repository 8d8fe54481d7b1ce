"""NATS SIGKILLed while the outbox relay publishes: with JetStream's `sync_interval: always`
(edu_devstack.infra) every event the relay saw acknowledged is in the stream after the
restart, the rest go out once NATS is back, and a consumer applies each event once. A NATS
server of its own, so the rest of the suite never sees the crash."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from edu_common.db import transaction
from edu_common.events import EventBus, EventConsumer, OutboxRelay, enqueue
from edu_common.events.contracts import TeacherVerified
from edu_devstack.infra import EmbeddedNats
from edu_devstack.testing import eventually, private_server

if TYPE_CHECKING:
    from conftest import Background, Database

EVENTS = 240


@pytest.fixture
def own_nats() -> Iterator[EmbeddedNats]:
    with private_server(EmbeddedNats, "nats-kill") as server:
        yield server


async def _acknowledged(db: Database) -> set[str]:
    rows = await db.pool.fetch("SELECT event_id FROM outbox WHERE published_at IS NOT NULL")
    return {str(row["event_id"]) for row in rows}


async def _stream_ids(bus: EventBus) -> list[str]:
    """The message id of every message in the stream, read back one by one."""
    info = await bus.js.stream_info(bus.stream)
    ids = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        msg = await bus.js.get_msg(bus.stream, seq)
        ids.append((msg.headers or {}).get("Nats-Msg-Id", ""))
    return ids


async def test_every_acknowledged_event_survives_a_nats_kill_and_is_applied_once(
    own_nats: EmbeddedNats, event_db: Database, background: Background
) -> None:
    tag = uuid.uuid4().hex[:8]
    bus = EventBus(own_nats.url(), stream=f"K{tag.upper()}", prefix=f"k{tag}")
    await bus.connect()
    relay = OutboxRelay(event_db.pool, bus, poll_interval=0.2, listen_dsn=event_db.url)
    applied: list[str] = []

    async def apply(conn: Any, event: TeacherVerified) -> None:
        await conn.execute("INSERT INTO effects (event_id) VALUES ($1)", event.event_id)
        applied.append(str(event.event_id))

    consumer = EventConsumer(f"c{tag}", bus, event_db.pool, {TeacherVerified: apply})
    background(relay.run())
    background(consumer.run())
    try:
        written: list[str] = []

        async def write(count: int) -> None:
            for _ in range(count):
                event = TeacherVerified(user_id=uuid.uuid4(), email="t@example.com", name="Ada")
                async with transaction(event_db.pool, timeout=5) as conn:
                    await enqueue(conn, event)
                written.append(str(event.event_id))
                await asyncio.sleep(0)

        async def some_acknowledged() -> bool:
            return len(await _acknowledged(event_db)) >= EVENTS // 4

        writer = asyncio.create_task(write(EVENTS))
        await eventually(some_acknowledged, timeout=60, interval=0.01)
        await asyncio.to_thread(own_nats.kill)
        acknowledged_at_kill = await _acknowledged(event_db)
        assert len(acknowledged_at_kill) < EVENTS, "the kill came too late to test anything"
        await asyncio.to_thread(own_nats.start)
        await asyncio.wait_for(writer, timeout=120)

        async def all_acknowledged() -> bool:
            return len(await _acknowledged(event_db)) == EVENTS

        await eventually(all_acknowledged, timeout=120, interval=0.2)
        in_stream = await _stream_ids(bus)
        assert acknowledged_at_kill <= set(in_stream)
        assert set(in_stream) == set(written)
        # The relay may send an event again after the crash: JetStream drops the duplicate.
        assert len(in_stream) == EVENTS

        async def all_applied() -> bool:
            return len(applied) >= EVENTS

        await eventually(all_applied, timeout=120, interval=0.2)
        rows = await event_db.pool.fetch("SELECT event_id FROM effects")
        assert sorted(str(r["event_id"]) for r in rows) == sorted(written)
    finally:
        await bus.close()
