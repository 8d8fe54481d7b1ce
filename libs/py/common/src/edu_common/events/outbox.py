"""The transactional outbox and the relay that moves it to NATS JetStream."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

import asyncpg

from edu_common.events.bus import EventBus
from edu_common.events.contracts import Event
from edu_common.metrics import EVENTS_PUBLISHED

logger = logging.getLogger("edu.outbox")

NOTIFY_CHANNEL = "edu_outbox"
# How often a relay whose LISTEN connection is down tries to open it again (and polls).
LISTEN_RETRY_SECONDS = 1.0


async def enqueue(conn: asyncpg.Connection, event: Event) -> None:
    """Store an event in the caller's transaction; the relay publishes it after commit."""
    await conn.execute(
        "INSERT INTO outbox (event_id, subject, payload) VALUES ($1, $2, $3)",
        event.event_id,
        event.subject,
        event.model_dump(mode="json"),
    )
    await conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")


async def enqueue_many(conn: asyncpg.Connection, events: Sequence[Event]) -> None:
    """`enqueue` for many events at once, in their order (bulk writes such as demo data)."""
    if not events:
        return
    await conn.executemany(
        "INSERT INTO outbox (event_id, subject, payload) VALUES ($1, $2, $3)",
        [(e.event_id, e.subject, e.model_dump(mode="json")) for e in events],
    )
    await conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")


async def outbox_backlog(pool: asyncpg.Pool) -> tuple[int, float]:
    """(events not yet published, age in seconds of the oldest of them, 0 when none)."""
    row = await pool.fetchrow(
        "SELECT count(*) AS waiting,"
        " coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest"
        " FROM outbox WHERE published_at IS NULL"
    )
    if row is None:
        return 0, 0.0
    return int(row["waiting"]), float(row["oldest"])


class OutboxRelay:
    """Publishes unpublished outbox rows in order, marking each once JetStream has stored it.

    Several workers may run a relay on one database: rows are claimed with SKIP LOCKED. While
    the bus is down the rows wait; they go out once it is back. A row published but not yet
    marked (a crash in between) goes out again with the same message id, which JetStream and
    the consumers' inbox both drop.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        bus: EventBus,
        *,
        batch_size: int = 100,
        poll_interval: float = 1.0,
        retention_days: int = 7,
        listen_dsn: str | None = None,
    ) -> None:
        self.pool = pool
        self.bus = bus
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.retention_days = retention_days
        self.listen_dsn = listen_dsn
        self._wake = asyncio.Event()
        self._listener: asyncpg.Connection | None = None

    async def publish_pending(self) -> int:
        """One pass: returns how many events went out."""
        published = 0
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                """
                SELECT seq, event_id, subject, payload::text AS payload FROM outbox
                WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED
                """,
                self.batch_size,
            )
            done: list[int] = []
            for row in rows:
                try:
                    await self.bus.publish(
                        row["subject"], row["payload"].encode(), msg_id=str(row["event_id"])
                    )
                except Exception as exc:
                    await conn.execute(
                        "UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE seq = $1",
                        row["seq"],
                        repr(exc)[:500],
                    )
                    logger.warning(
                        "event not published yet",
                        extra={"subject": row["subject"], "error": repr(exc)},
                    )
                    break
                done.append(row["seq"])
                EVENTS_PUBLISHED.labels(row["subject"]).inc()
                published += 1
            if done:
                await conn.execute(
                    "UPDATE outbox SET published_at = now(), attempts = attempts + 1"
                    " WHERE seq = ANY($1::bigint[])",
                    done,
                )
        return published

    async def purge_published(self) -> int:
        async with self.pool.acquire() as conn:
            result: str = await conn.execute(
                "DELETE FROM outbox WHERE published_at < now() - make_interval(days => $1)",
                self.retention_days,
            )
        return int(result.split()[-1])

    async def _listen(self) -> bool:
        """Opens the LISTEN connection unless it is open; whether the relay is listening.

        Called before every pass, so a connection lost to a database restart is opened again
        as soon as the database is back, and the pass that follows catches up on anything
        written meanwhile."""
        if self._listener is not None and not self._listener.is_closed():
            return True
        self._listener = None
        listener: asyncpg.Connection | None = None
        try:
            # A connection of its own, outside the pool, so the pool never waits on it at close.
            listener = await asyncpg.connect(self.listen_dsn, timeout=5)
            await listener.add_listener(NOTIFY_CHANNEL, self._on_notify)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            logger.debug("outbox listener not connected", extra={"error": repr(exc)})
            if listener is not None:
                listener.terminate()
            return False
        # Lost (the database restarted, say): wake the loop, which opens a new one.
        listener.add_termination_listener(self._on_listener_lost)
        self._listener = listener
        logger.info("outbox relay listening for new events")
        return True

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    def _on_listener_lost(self, _: object) -> None:
        logger.warning("outbox listener lost, polling until it is back")
        self._wake.set()

    async def run(self) -> None:
        backoff = self.poll_interval
        passes = 0
        current = asyncio.current_task()
        try:
            while True:
                # nats-py can swallow a cancellation inside publish; honour it here.
                if current is not None and current.cancelling():
                    raise asyncio.CancelledError
                self._wake.clear()
                listening = bool(self.listen_dsn) and await self._listen()
                try:
                    count = await self.publish_pending()
                    backoff = self.poll_interval
                except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
                    logger.warning("outbox relay pass failed", extra={"error": repr(exc)})
                    count = 0
                    backoff = min(backoff * 2, 10.0)
                passes += 1
                if passes % 3600 == 0:
                    with contextlib.suppress(Exception):
                        await self.purge_published()
                if count >= self.batch_size:
                    continue
                wait = backoff
                if self.listen_dsn and not listening:
                    # Not woken by new events: look again soon, and try to listen again.
                    wait = min(backoff, LISTEN_RETRY_SECONDS)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=wait)
        finally:
            if self._listener is not None:
                self._listener.remove_termination_listener(self._on_listener_lost)
                with contextlib.suppress(Exception):
                    await self._listener.close(timeout=2)
