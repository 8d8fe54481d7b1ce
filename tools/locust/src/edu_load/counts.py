"""The count check after a soak, read from the services' own databases: nothing lost, nothing
applied twice.

- every completed payment has its paid course and its enrollment in enrollment (one each);
- every payment and enrollment event produced exactly one notification (receipt, confirmation)
  and was recorded once in the consumers' inboxes (`processed_events`);
- every outbox is drained: no unpublished row once the stack has settled.

`settle` waits for that last condition (outboxes empty and every JetStream consumer caught up,
seen together) before the counts are taken; it polls, it does not sleep a fixed time.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
import nats
from edu_common.events.contracts import EnrollmentCreated, PaymentCompleted

PAYMENTS_CONSUMER = "enrollment-payments"
NOTIFICATIONS_CONSUMER = "notification-inbox"


@dataclass(frozen=True)
class Check:
    name: str
    expected: int
    found: int
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.expected == self.found


@dataclass(frozen=True)
class CountCheck:
    checks: list[Check]
    settled: bool
    settle_s: float
    # Figures for the report (payments made, events, ...), not pass/fail.
    figures: dict[str, int]

    @property
    def ok(self) -> bool:
        return self.settled and all(c.ok for c in self.checks)


async def _rows(url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        rows: list[asyncpg.Record] = await conn.fetch(query, *args)
        return rows
    finally:
        await conn.close()


async def unpublished(database_urls: Mapping[str, str]) -> dict[str, int]:
    """Outbox rows not yet published, per service."""
    found = {}
    for name, url in sorted(database_urls.items()):
        [row] = await _rows(url, "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")
        found[name] = int(row["n"])
    return found


async def consumers_pending(nats_url: str, stream: str = "EDU") -> dict[str, int]:
    """Messages each durable consumer has not had delivered or acknowledged."""
    bus = await nats.connect(nats_url, connect_timeout=5, allow_reconnect=False)
    try:
        infos = await bus.jetstream().consumers_info(stream)
        return {i.name: (i.num_pending or 0) + (i.num_ack_pending or 0) for i in infos}
    finally:
        await bus.close()


async def settle(
    database_urls: Mapping[str, str],
    nats_url: str,
    timeout: float = 180.0,
    interval: float = 0.5,
    stream: str = "EDU",
) -> tuple[bool, float, dict[str, int]]:
    """Waits until every outbox is empty and every consumer caught up, in one poll; returns
    whether that happened, how long it took, and what was still waiting at the end."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    waiting: dict[str, int] = {}
    while True:
        waiting = {}
        with contextlib.suppress(
            OSError, asyncpg.PostgresError, nats.errors.Error, asyncio.TimeoutError
        ):
            outboxes = await unpublished(database_urls)
            waiting = {f"outbox {k}": v for k, v in outboxes.items() if v}
            pending = await consumers_pending(nats_url, stream)
            waiting |= {f"consumer {k}": v for k, v in pending.items() if v}
            if not waiting:
                return True, loop.time() - started, {}
        if not waiting:
            waiting = {"unreachable": 1}
        if loop.time() - started > timeout:
            return False, loop.time() - started, waiting
        await asyncio.sleep(interval)


def _key(*parts: Any) -> tuple[str, ...]:
    return tuple(str(p) for p in parts)


async def count_check(
    database_urls: Mapping[str, str],
    settled: bool = True,
    settle_s: float = 0.0,
) -> CountCheck:
    """The counts, from the payment, enrollment and notification databases and every outbox."""
    payment, enrollment, notification = (
        database_urls["payment"],
        database_urls["enrollment"],
        database_urls["notification"],
    )
    payments = await _rows(
        payment, "SELECT id, student_id, course_id FROM payments WHERE status = 'completed'"
    )
    paid = await _rows(enrollment, "SELECT payment_id, student_id, course_id FROM paid_courses")
    enrolled = await _rows(enrollment, "SELECT student_id, course_id FROM enrollments")
    paid_courses = await _rows(enrollment, "SELECT id FROM courses WHERE price_cents > 0")
    paid_events = await _rows(
        payment, "SELECT event_id, payload FROM outbox WHERE subject = $1", PaymentCompleted.subject
    )
    enrolled_events = await _rows(
        enrollment,
        "SELECT event_id, payload FROM outbox WHERE subject = $1",
        EnrollmentCreated.subject,
    )
    receipts = await _rows(
        notification,
        "SELECT data->>'payment_id' AS payment_id"
        " FROM notifications WHERE type = 'payment_receipt'",
    )
    confirmations = await _rows(
        notification,
        "SELECT user_id, data->>'course_id' AS course_id"
        " FROM notifications WHERE type = 'enrollment_confirmed'",
    )
    applied_payments = await _rows(
        enrollment, "SELECT event_id FROM processed_events WHERE consumer = $1", PAYMENTS_CONSUMER
    )
    applied_notifications = await _rows(
        notification,
        "SELECT event_id FROM processed_events WHERE consumer = $1",
        NOTIFICATIONS_CONSUMER,
    )
    outboxes = await unpublished(database_urls)

    paid_by_id = {_key(r["payment_id"]): _key(r["student_id"], r["course_id"]) for r in paid}
    enrolled_set = Counter(_key(r["student_id"], r["course_id"]) for r in enrolled)
    payment_pairs = {_key(r["student_id"], r["course_id"]) for r in payments}
    with_both = sum(
        1
        for r in payments
        if paid_by_id.get(_key(r["id"])) == _key(r["student_id"], r["course_id"])
        and enrolled_set[_key(r["student_id"], r["course_id"])] == 1
    )
    payment_ids = {_key(r["id"]) for r in payments}
    orphan_paid = sum(1 for k in paid_by_id if k not in payment_ids)
    priced = {str(r["id"]) for r in paid_courses}
    paid_pairs = set(paid_by_id.values())
    unpaid_in_paid = sum(
        n
        for pair, n in enrolled_set.items()
        if pair[1] in priced and pair not in paid_pairs and pair not in payment_pairs
    )

    receipt_counts = Counter(_key(r["payment_id"]) for r in receipts)
    event_payments = [_key(_payload(r)["payment_id"]) for r in paid_events]
    one_receipt = sum(1 for k in event_payments if receipt_counts[k] == 1)
    extra_receipts = sum(max(0, receipt_counts[k] - 1) for k in event_payments)
    confirmation_counts = Counter(_key(r["user_id"], r["course_id"]) for r in confirmations)
    event_enrollments = [
        _key(_payload(r)["student_id"], _payload(r)["course_id"]) for r in enrolled_events
    ]
    one_confirmation = sum(1 for k in event_enrollments if confirmation_counts[k] == 1)
    extra_confirmations = sum(max(0, confirmation_counts[k] - 1) for k in event_enrollments)
    events_in_payment = {_id(r["event_id"]) for r in paid_events}
    events_in_enrollment = {_id(r["event_id"]) for r in enrolled_events}
    applied_by_enrollment = {_id(r["event_id"]) for r in applied_payments}
    applied_by_notification = {_id(r["event_id"]) for r in applied_notifications}
    payments_with_event = sum(1 for k in payment_ids if k in set(event_payments))

    checks = [
        Check(
            "completed payments with their paid course and one enrollment",
            len(payments),
            with_both,
            f"{len(payments) - with_both} without",
        ),
        Check("paid courses in enrollment without a payment", 0, orphan_paid),
        Check("enrollments in a paid course without a payment", 0, unpaid_in_paid),
        Check("payment events (outbox) with exactly one receipt", len(event_payments), one_receipt),
        Check("receipts beyond the first for one payment", 0, extra_receipts),
        Check(
            "enrollment events (outbox) with exactly one confirmation",
            len(event_enrollments),
            one_confirmation,
        ),
        Check("confirmations beyond the first for one enrollment", 0, extra_confirmations),
        Check(
            "payment events applied by enrollment",
            len(events_in_payment),
            len(events_in_payment & applied_by_enrollment),
        ),
        Check(
            "payment and enrollment events applied by notification",
            len(events_in_payment | events_in_enrollment),
            len((events_in_payment | events_in_enrollment) & applied_by_notification),
        ),
    ]
    checks += [Check(f"unpublished outbox rows in {name}", 0, n) for name, n in outboxes.items()]
    figures = {
        "completed payments": len(payments),
        "payments announced by an event": payments_with_event,
        "enrollments": sum(enrolled_set.values()),
        "payment events": len(event_payments),
        "enrollment events": len(event_enrollments),
        "receipts": sum(receipt_counts.values()),
        "confirmations": sum(confirmation_counts.values()),
    }
    return CountCheck(checks, settled, settle_s, figures)


def _payload(row: asyncpg.Record) -> dict[str, Any]:
    import json

    value = row["payload"]
    loaded: dict[str, Any] = json.loads(value) if isinstance(value, str) else dict(value)
    return loaded


def _id(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
