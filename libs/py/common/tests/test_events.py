"""The event pipeline end to end on real PostgreSQL and NATS JetStream: transactional outbox,
relay, durable consumer with its inbox, and the event contracts."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Background, Database, MakeBus

    # For the checker only: imported at run time, pytest would try to collect the class.
    from edu_devstack.testing import TestServers

import asyncio
import datetime as dt
import json
import re
import typing
import uuid
from typing import Any, ClassVar

import pytest
from edu_common.db import after_commit
from edu_common.events import (
    EventBus,
    EventConsumer,
    OutboxRelay,
    enqueue,
    enqueue_many,
    outbox_backlog,
)
from edu_common.events.contracts import Event, TeacherVerified, all_events, register
from edu_devstack.testing.polling import Eventually
from nats.js.errors import NotFoundError
from prometheus_client import REGISTRY


def teacher_verified(**kw: Any) -> TeacherVerified:
    return TeacherVerified(user_id=uuid.uuid4(), email="t@example.com", name="Ada", **kw)


async def record_effect(conn: Any, event: TeacherVerified) -> None:
    await conn.execute("INSERT INTO effects (event_id, info) VALUES ($1, $2)", event.event_id, "ok")


def consumer_for(bus: EventBus, db: Any, handler: Any = record_effect, **kw: Any) -> EventConsumer:
    return EventConsumer(f"c{uuid.uuid4().hex[:8]}", bus, db.pool, {TeacherVerified: handler}, **kw)


async def effects(db: Any) -> list[uuid.UUID]:
    return [r["event_id"] for r in await db.pool.fetch("SELECT event_id FROM effects ORDER BY 1")]


async def consumer_settled(bus: EventBus, name: str, delivered: int | None = None) -> bool:
    """True once the consumer exists and nothing is pending or awaiting an ack."""
    try:
        info = await bus.js.consumer_info(bus.stream, name)
    except NotFoundError:
        return False
    if delivered is not None and info.delivered.stream_seq != delivered:
        return False
    pending: int = info.num_pending
    awaiting_ack: int = info.num_ack_pending
    return pending == 0 and awaiting_ack == 0


async def stream_messages(bus: EventBus) -> int:
    info = await bus.js.stream_info(bus.stream)
    return int(info.state.messages)


async def test_committed_event_is_published_and_consumed_once(
    event_db: Database, make_bus: MakeBus, background: Background, eventually: Eventually
) -> None:
    bus = await make_bus()
    event = teacher_verified()
    async with event_db.pool.acquire() as conn, conn.transaction():
        await enqueue(conn, event)

    relay = OutboxRelay(event_db.pool, bus, poll_interval=0.1, listen_dsn=event_db.url)
    consumer = consumer_for(bus, event_db)
    background(relay.run())
    background(consumer.run())

    async def consumed() -> bool:
        return await effects(event_db) == [event.event_id]

    await eventually(consumed)

    async def marked() -> Any:
        # The relay marks the row once its pass commits, which may follow the consumer.
        return await event_db.pool.fetchrow(
            "SELECT * FROM outbox WHERE event_id = $1 AND published_at IS NOT NULL",
            event.event_id,
        )

    row = await eventually(marked)
    assert row["attempts"] == 1
    assert row["subject"] == TeacherVerified.subject
    assert (
        await event_db.pool.fetchval(
            "SELECT count(*) FROM processed_events WHERE consumer = $1 AND event_id = $2",
            consumer.name,
            event.event_id,
        )
        == 1
    )
    # A later event, woken by NOTIFY, goes the same way; the first one has no second effect.
    second = teacher_verified()
    async with event_db.pool.acquire() as conn, conn.transaction():
        await enqueue(conn, second)

    async def both() -> bool:
        return len(await effects(event_db)) == 2

    await eventually(both)
    assert sorted(await effects(event_db)) == sorted([event.event_id, second.event_id])
    assert await stream_messages(bus) == 2


async def test_rolled_back_event_is_never_published(
    event_db: Database, make_bus: MakeBus, background: Background, eventually: Eventually
) -> None:
    bus = await make_bus()
    lost = teacher_verified()

    class AbortError(Exception):
        pass

    async def write_then_fail() -> None:
        async with event_db.pool.acquire() as conn, conn.transaction():
            await enqueue(conn, lost)
            raise AbortError

    with pytest.raises(AbortError):
        await write_then_fail()

    relay = OutboxRelay(event_db.pool, bus, poll_interval=0.1)
    assert await relay.publish_pending() == 0
    assert await event_db.pool.fetchval("SELECT count(*) FROM outbox") == 0

    # The pipeline works: a committed event after it arrives, and only that one.
    kept = teacher_verified()
    async with event_db.pool.acquire() as conn, conn.transaction():
        await enqueue(conn, kept)
    consumer = consumer_for(bus, event_db)
    background(relay.run())
    background(consumer.run())

    async def arrived() -> bool:
        return bool(await effects(event_db))

    await eventually(arrived)

    # Settled: the outbox is empty of unsent rows and the consumer has acknowledged all the
    # stream holds (its one message), so nothing else is on its way.
    async def settled() -> bool:
        unsent = await event_db.pool.fetchval(
            "SELECT count(*) FROM outbox WHERE published_at IS NULL"
        )
        return unsent == 0 and await consumer_settled(bus, consumer.name, delivered=1)

    await eventually(settled)
    assert await effects(event_db) == [kept.event_id]
    assert await stream_messages(bus) == 1


async def test_events_enqueued_in_bulk_go_out_in_order_once_each(
    event_db: Database, make_bus: MakeBus, background: Background, eventually: Eventually
) -> None:
    bus = await make_bus()
    batch = [teacher_verified() for _ in range(150)]  # more than one relay batch
    async with event_db.pool.acquire() as conn, conn.transaction():
        await enqueue_many(conn, batch)
        await enqueue_many(conn, [])
    rows = await event_db.pool.fetch("SELECT event_id, subject, payload FROM outbox ORDER BY seq")
    assert [r["event_id"] for r in rows] == [e.event_id for e in batch]
    assert {r["subject"] for r in rows} == {TeacherVerified.subject}
    assert rows[0]["payload"]["user_id"] == str(batch[0].user_id)

    background(OutboxRelay(event_db.pool, bus, poll_interval=0.1, listen_dsn=event_db.url).run())
    background(consumer_for(bus, event_db).run())

    async def all_consumed() -> bool:
        return len(await effects(event_db)) == len(batch)

    await eventually(all_consumed)
    assert sorted(await effects(event_db)) == sorted(e.event_id for e in batch)
    assert await stream_messages(bus) == len(batch)


async def test_event_enqueued_during_bus_outage_goes_out_once_it_is_back(
    edu_servers: TestServers,
    event_db: Database,
    make_bus: MakeBus,
    background: Background,
    eventually: Eventually,
) -> None:
    bus = await make_bus()
    await bus.ensure_stream()
    relay = OutboxRelay(event_db.pool, bus, poll_interval=0.1)
    consumer = consumer_for(bus, event_db)
    event = teacher_verified()
    try:
        edu_servers.nats.stop()

        async def disconnected() -> bool:
            return not bus.is_connected

        await eventually(disconnected)
        async with event_db.pool.acquire() as conn, conn.transaction():
            await enqueue(conn, event)
        assert await relay.publish_pending() == 0
        row = await event_db.pool.fetchrow("SELECT * FROM outbox")
        assert row["published_at"] is None
        assert row["attempts"] == 1
        assert row["last_error"]
    finally:
        edu_servers.nats.start()

    background(relay.run())
    background(consumer.run())

    async def consumed() -> bool:
        return await effects(event_db) == [event.event_id]

    await eventually(consumed, timeout=30)

    # The row is marked once the relay's own publish is acknowledged (which may come just
    # after the consumer saw the event).
    async def marked() -> bool:
        return not await event_db.pool.fetchval(
            "SELECT count(*) FROM outbox WHERE published_at IS NULL"
        )

    await eventually(marked)

    # Whatever the client buffered while the server was down, the stream holds it once and
    # the consumer applied it once: the consumer has acknowledged the stream's last message.
    async def settled() -> bool:
        info = await bus.js.stream_info(bus.stream)
        return await consumer_settled(bus, consumer.name, delivered=info.state.last_seq)

    await eventually(settled)
    assert await effects(event_db) == [event.event_id]
    assert await stream_messages(bus) == 1


async def test_duplicate_delivery_has_one_effect(
    event_db: Database, make_bus: MakeBus, background: Background, eventually: Eventually
) -> None:
    bus = await make_bus()
    consumer = consumer_for(bus, event_db)
    event = teacher_verified()
    data = event.model_dump_json().encode()

    # The same message id twice: JetStream keeps one copy.
    await bus.publish(TeacherVerified.subject, data, msg_id=str(event.event_id))
    await bus.publish(TeacherVerified.subject, data, msg_id=str(event.event_id))
    assert await stream_messages(bus) == 1
    # The same event under another message id (a relay re-publishing after a crash, say):
    # stored twice, applied once thanks to the consumer's inbox.
    await bus.publish(TeacherVerified.subject, data, msg_id=uuid.uuid4().hex)
    assert await stream_messages(bus) == 2

    background(consumer.run())

    async def both_acked() -> bool:
        return await consumer_settled(bus, consumer.name, delivered=2)

    await eventually(both_acked)
    assert await effects(event_db) == [event.event_id]

    # Handling directly, twice: the first applies, the second is recognised as a repeat.
    direct = teacher_verified()
    raw = direct.model_dump_json().encode()
    assert await consumer.handle(TeacherVerified.subject, raw) is True
    assert await consumer.handle(TeacherVerified.subject, raw) is False
    assert sorted(await effects(event_db)) == sorted([event.event_id, direct.event_id])
    assert await event_db.pool.fetchval("SELECT count(*) FROM processed_events") == 2


async def test_handler_after_commit_step_runs_once_its_effect_has_committed(
    event_db: Database, make_bus: MakeBus
) -> None:
    bus = await make_bus()
    seen: list[list[uuid.UUID]] = []

    async def apply(conn: Any, event: TeacherVerified) -> None:
        async def look_from_outside() -> None:
            seen.append(await effects(event_db))

        after_commit(conn, look_from_outside)
        await record_effect(conn, event)
        if event.name == "fails":
            raise RuntimeError("handler failed after registering its step")

    consumer = consumer_for(bus, event_db, apply)
    applied = teacher_verified()
    assert await consumer.handle(TeacherVerified.subject, applied.model_dump_json().encode())
    assert seen == [[applied.event_id]]

    failing = TeacherVerified(user_id=uuid.uuid4(), email="t@example.com", name="fails")
    with pytest.raises(RuntimeError):
        await consumer.handle(TeacherVerified.subject, failing.model_dump_json().encode())
    assert seen == [[applied.event_id]]
    # A repeat has no effect, so no step either.
    assert not await consumer.handle(TeacherVerified.subject, applied.model_dump_json().encode())
    assert seen == [[applied.event_id]]
    assert await effects(event_db) == [applied.event_id]


async def test_failing_handler_is_retried_and_applies_once(
    event_db: Database, make_bus: MakeBus, background: Background, eventually: Eventually
) -> None:
    bus = await make_bus()
    calls: list[uuid.UUID] = []

    async def flaky(conn: Any, event: TeacherVerified) -> None:
        calls.append(event.event_id)
        await record_effect(conn, event)
        if len(calls) == 1:
            raise RuntimeError("downstream hiccup")

    consumer = consumer_for(bus, event_db, flaky)
    event = teacher_verified()
    await bus.publish(TeacherVerified.subject, event.model_dump_json().encode(), msg_id="m1")
    background(consumer.run())

    async def applied() -> bool:
        return bool(await effects(event_db))

    await eventually(applied, timeout=15)
    # The failed attempt rolled back its effect and its inbox row; the retry applied both.
    assert calls == [event.event_id, event.event_id]
    assert await effects(event_db) == [event.event_id]
    assert await event_db.pool.fetchval("SELECT count(*) FROM processed_events") == 1

    async def settled() -> bool:
        return await consumer_settled(bus, consumer.name)

    await eventually(settled)


async def test_a_concurrent_consumer_applies_a_batch_at_once_each_event_once(
    event_db: Database, make_bus: MakeBus, background: Background, eventually: Eventually
) -> None:
    """With `concurrency=4`, four events of one batch are in their handlers at the same time
    (each waits for the other three), and each is applied and acknowledged once. Applied one
    after another, the first would wait for the others in vain."""
    bus = await make_bus()
    together = asyncio.Barrier(4)

    async def meet(conn: Any, event: TeacherVerified) -> None:
        await asyncio.wait_for(together.wait(), timeout=10)
        await record_effect(conn, event)

    consumer = consumer_for(bus, event_db, meet, concurrency=4)
    events = [teacher_verified() for _ in range(8)]
    for event in events:
        await bus.publish(
            TeacherVerified.subject, event.model_dump_json().encode(), msg_id=str(event.event_id)
        )
    background(consumer.run())

    async def settled() -> bool:
        return await consumer_settled(bus, consumer.name, delivered=8)

    await eventually(settled, timeout=15)
    assert sorted(await effects(event_db)) == sorted(e.event_id for e in events)
    failed = REGISTRY.get_sample_value(
        "events_consumed_total", {"consumer": consumer.name, "result": "failed"}
    )
    assert not failed


def test_concurrency_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        EventConsumer(
            "c", typing.cast("EventBus", None), typing.cast("Any", None), {}, concurrency=0
        )


async def test_malformed_payload_is_terminated_and_consumer_keeps_going(
    event_db: Database, make_bus: MakeBus, background: Background, eventually: Eventually
) -> None:
    bus = await make_bus()
    consumer = consumer_for(bus, event_db)
    await bus.publish(TeacherVerified.subject, b"{not json", msg_id="bad-json")
    await bus.publish(TeacherVerified.subject, b'{"user_id": "nope"}', msg_id="bad-fields")
    good = teacher_verified()
    await bus.publish(TeacherVerified.subject, good.model_dump_json().encode(), msg_id="good")
    task = background(consumer.run())

    async def good_applied() -> bool:
        return await effects(event_db) == [good.event_id]

    await eventually(good_applied)

    async def settled() -> bool:
        return await consumer_settled(bus, consumer.name)

    await eventually(settled)
    # Terminated, not redelivered: nothing is waiting and nothing was retried.
    info = await bus.js.consumer_info(bus.stream, consumer.name)
    assert info.num_redelivered == 0
    assert not task.done()
    assert await event_db.pool.fetchval("SELECT count(*) FROM processed_events") == 1

    with pytest.raises(LookupError):
        await consumer.handle("identity.no_such_event.v1", good.model_dump_json().encode())


class CountingBus(EventBus):
    """A real bus that also notes every publish it makes."""

    def __init__(self, *args: Any, sent: list[str], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.sent = sent

    async def publish(self, subject: str, data: bytes, *, msg_id: str) -> None:
        await super().publish(subject, data, msg_id=msg_id)
        self.sent.append(msg_id)


async def test_concurrent_relays_publish_each_event_once(
    edu_servers: TestServers, event_db: Database, make_bus: MakeBus
) -> None:
    reference = await make_bus()  # owns (and cleans up) the stream the relays publish to
    sent: list[str] = []
    nats_url = edu_servers.nats.url()
    buses = [
        CountingBus(nats_url, stream=reference.stream, prefix=reference.prefix, sent=sent)
        for _ in range(2)
    ]
    for bus in buses:
        await bus.connect()
    try:
        events = [teacher_verified() for _ in range(60)]
        async with event_db.pool.acquire() as conn, conn.transaction():
            for event in events:
                await enqueue(conn, event)

        async def drain(relay: OutboxRelay) -> int:
            total = 0
            while await event_db.pool.fetchval(
                "SELECT count(*) FROM outbox WHERE published_at IS NULL"
            ):
                total += await relay.publish_pending()
            return total

        relays = [OutboxRelay(event_db.pool, bus, batch_size=5) for bus in buses]
        counts = await asyncio.gather(*(drain(r) for r in relays))
    finally:
        for bus in buses:
            await bus.close()
    assert sum(counts) == len(events)
    assert len(sent) == len(events)
    assert sorted(sent) == sorted(str(e.event_id) for e in events)
    assert await stream_messages(reference) == len(events)
    assert await event_db.pool.fetchval("SELECT max(attempts) FROM outbox") == 1


def _sample(annotation: Any) -> Any:
    if annotation is uuid.UUID:
        return uuid.uuid4()
    if annotation is str:
        return "Sample <text> & more"
    if annotation is int:
        return 4200
    if annotation is dt.datetime:
        return dt.datetime(2024, 5, 17, 12, 30, tzinfo=dt.UTC)
    if typing.get_origin(annotation) is list:
        (inner,) = typing.get_args(annotation)
        return [_sample(inner), _sample(inner)]
    raise AssertionError(f"no sample value for {annotation!r}")


@pytest.mark.parametrize("subject", sorted(all_events()))
def test_contract_round_trips_through_json(subject: str) -> None:
    cls = all_events()[subject]
    values = {
        name: _sample(field.annotation)
        for name, field in cls.model_fields.items()
        if name not in ("event_id", "occurred_at")
    }
    event = cls(**values)
    wire = json.loads(json.dumps(event.model_dump(mode="json")))
    again = cls.model_validate(wire)
    assert again == event
    assert again.event_id == event.event_id
    assert again.occurred_at == event.occurred_at
    # Consumers tolerate fields added by a newer publisher.
    assert cls.model_validate({**wire, "added_later": 1}) == event


def test_subjects_are_unique_versioned_and_registered() -> None:
    registry = all_events()
    assert registry
    pattern = re.compile(r"^[a-z]+\.[a-z_]+\.v[1-9][0-9]*$")
    for subject, cls in registry.items():
        assert cls.subject == subject
        assert pattern.match(subject), subject
    assert len(set(registry.values())) == len(registry)

    class Clash(Event):
        subject: ClassVar[str] = TeacherVerified.subject

    with pytest.raises(ValueError, match="share the subject"):
        register(Clash)
    assert all_events()[TeacherVerified.subject] is TeacherVerified


async def test_backlog_counts_unpublished_events_and_the_oldest_age(
    event_db: Database, make_bus: MakeBus
) -> None:
    assert await outbox_backlog(event_db.pool) == (0, 0.0)
    async with event_db.pool.acquire() as conn, conn.transaction():
        for _ in range(3):
            await enqueue(conn, teacher_verified())
    await event_db.pool.execute("UPDATE outbox SET created_at = now() - interval '90 seconds'")

    waiting, oldest = await outbox_backlog(event_db.pool)
    assert waiting == 3
    assert 90 <= oldest < 120

    relay = OutboxRelay(event_db.pool, await make_bus())
    assert await relay.publish_pending() == 3
    assert await outbox_backlog(event_db.pool) == (0, 0.0)


async def test_consumer_reports_pending_events_and_handling_lag(
    event_db: Database, make_bus: MakeBus, background: Background, eventually: Eventually
) -> None:
    bus = await make_bus()
    consumer = consumer_for(bus, event_db)
    await consumer._subscription()
    late = teacher_verified(occurred_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=40))
    fresh = teacher_verified()
    for event in (late, fresh):
        await bus.publish(
            event.subject, event.model_dump_json().encode(), msg_id=str(event.event_id)
        )
    assert await consumer.pending() == 2

    background(consumer.run())

    async def handled() -> bool:
        return len(await effects(event_db)) == 2 and await consumer_settled(bus, consumer.name)

    await eventually(handled)
    assert await consumer.pending() == 0
    labels = {"consumer": consumer.name}
    assert REGISTRY.get_sample_value("event_handling_lag_seconds_count", labels) == 2
    total = REGISTRY.get_sample_value("event_handling_lag_seconds_sum", labels)
    assert total is not None
    assert 40 <= total < 70
    slow = REGISTRY.get_sample_value("event_handling_lag_seconds_bucket", labels | {"le": "30.0"})
    assert slow == 1
