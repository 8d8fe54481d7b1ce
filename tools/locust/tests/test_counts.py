"""The soak's count check against real databases with the services' own schemas: a consistent
history passes; a lost enrollment, a second receipt, an event nobody applied and an unpublished
outbox row each fail the check that names them; settling waits on the outboxes."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
import nats
import pytest
from edu_common.events.contracts import EnrollmentCreated, PaymentCompleted
from edu_devstack.services import COMPONENTS
from edu_devstack.settings import find_root
from edu_load.counts import (
    NOTIFICATIONS_CONSUMER,
    PAYMENTS_CONSUMER,
    CountCheck,
    count_check,
    settle,
)

if TYPE_CHECKING:
    from edu_devstack.testing import TestServers

pytestmark = pytest.mark.timeout(120)


def _migrations(name: str) -> Path:
    """A service's own migrations, from its project in the workspace."""
    [component] = [c for c in COMPONENTS if c.name == name]
    return find_root(Path(__file__).parent) / component.project / "src" / name / "migrations"


@dataclass
class Databases:
    urls: dict[str, str]

    async def execute(self, name: str, query: str, *args: object) -> None:
        conn = await asyncpg.connect(self.urls[name])
        try:
            await conn.execute(query, *args)
        finally:
            await conn.close()

    async def pay(self, *, enroll: bool = True, receipts: int = 1, applied: bool = True) -> None:
        """A payment through the API as the services record it, with what should follow."""
        payment_id, student, course, event_id = (uuid.uuid4() for _ in range(4))
        await self.execute(
            "enrollment",
            "INSERT INTO courses (id, title, price_cents, currency, status, lesson_ids, revision)"
            " VALUES ($1, 'Paid', 3900, 'USD', 'published', '{}', 1)",
            course,
        )
        await self.execute(
            "payment",
            "INSERT INTO payments (id, course_id, student_id, amount_cents, currency, status,"
            " provider_reference) VALUES ($1, $2, $3, 3900, 'USD', 'completed', 'mock')",
            payment_id, course, student,
        )  # fmt: skip
        payload = {"payment_id": str(payment_id), "student_id": str(student),
                   "course_id": str(course)}  # fmt: skip
        await self._event("payment", event_id, PaymentCompleted.subject, payload)
        if enroll:
            await self.execute(
                "enrollment",
                "INSERT INTO paid_courses (student_id, course_id, payment_id) VALUES ($1, $2, $3)",
                student, course, payment_id,
            )  # fmt: skip
            await self.enroll(student, course)
        if applied:
            await self._applied("enrollment", PAYMENTS_CONSUMER, event_id)
            await self._applied("notification", NOTIFICATIONS_CONSUMER, event_id)
        for _ in range(receipts):
            await self._notify(student, "payment_receipt", {"payment_id": str(payment_id)})

    async def enroll(self, student: uuid.UUID, course: uuid.UUID) -> None:
        event_id = uuid.uuid4()
        await self.execute(
            "enrollment",
            "INSERT INTO enrollments (id, student_id, course_id, course_title)"
            " VALUES ($1, $2, $3, 'A course')",
            uuid.uuid4(), student, course,
        )  # fmt: skip
        payload = {"student_id": str(student), "course_id": str(course)}
        await self._event("enrollment", event_id, EnrollmentCreated.subject, payload)
        await self._applied("notification", NOTIFICATIONS_CONSUMER, event_id)
        await self._notify(student, "enrollment_confirmed", {"course_id": str(course)})

    async def _event(
        self, name: str, event_id: uuid.UUID, subject: str, payload: dict[str, str]
    ) -> None:
        await self.execute(
            name,
            "INSERT INTO outbox (event_id, subject, payload, published_at)"
            " VALUES ($1, $2, $3, now())",
            event_id, subject, json.dumps(payload),
        )  # fmt: skip

    async def _applied(self, name: str, consumer: str, event_id: uuid.UUID) -> None:
        await self.execute(
            name, "INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2)",
            consumer, event_id,
        )  # fmt: skip

    async def _notify(self, user: uuid.UUID, kind: str, data: dict[str, str]) -> None:
        await self.execute(
            "notification",
            "INSERT INTO notifications (user_id, type, title, body, data)"
            " VALUES ($1, $2, 't', 'b', $3)",
            user, kind, json.dumps(data),
        )  # fmt: skip


@pytest.fixture
async def databases(edu_servers: TestServers) -> AsyncIterator[Databases]:
    made = {
        name: await edu_servers.fresh_database(name, _migrations(name))
        for name in ("payment", "enrollment", "notification")
    }
    try:
        yield Databases({k: edu_servers.postgres.url(v) for k, v in made.items()})
    finally:
        for database in made.values():
            await edu_servers.drop_database(database)


def _failed(check: CountCheck) -> dict[str, tuple[int, int]]:
    return {c.name: (c.expected, c.found) for c in check.checks if not c.ok}


async def test_a_consistent_history_passes(databases: Databases) -> None:
    for _ in range(3):
        await databases.pay()
    await databases.enroll(uuid.uuid4(), uuid.uuid4())  # a free course
    check = await count_check(databases.urls)
    assert _failed(check) == {}
    assert check.ok
    assert check.figures["completed payments"] == 3
    assert check.figures["payment events"] == 3
    assert check.figures["enrollment events"] == 4
    assert check.figures["receipts"] == 3


async def test_each_loss_or_repeat_fails_the_check_that_names_it(databases: Databases) -> None:
    await databases.pay()
    await databases.pay(enroll=False)  # paid, never enrolled
    await databases.pay(receipts=2)  # told twice
    await databases.pay(applied=False, receipts=0)  # the event never reached its consumers
    await databases.execute(
        "payment",
        "INSERT INTO outbox (event_id, subject, payload) VALUES ($1, 'x.y.v1', '{}')",
        uuid.uuid4(),
    )
    check = await count_check(databases.urls)
    assert not check.ok
    assert _failed(check) == {
        "completed payments with their paid course and one enrollment": (4, 3),
        "payment events (outbox) with exactly one receipt": (4, 2),
        "receipts beyond the first for one payment": (0, 1),
        "payment events applied by enrollment": (4, 3),
        "payment and enrollment events applied by notification": (7, 6),
        "unpublished outbox rows in payment": (0, 1),
    }


async def test_an_enrollment_in_a_paid_course_without_a_payment_fails(
    databases: Databases,
) -> None:
    course = uuid.uuid4()
    await databases.execute(
        "enrollment",
        "INSERT INTO courses (id, title, price_cents, currency, status, lesson_ids, revision)"
        " VALUES ($1, 'Paid', 3900, 'USD', 'published', '{}', 1)",
        course,
    )
    await databases.enroll(uuid.uuid4(), course)
    check = await count_check(databases.urls)
    assert _failed(check) == {"enrollments in a paid course without a payment": (0, 1)}


async def test_settling_waits_for_the_outboxes_and_the_consumers(
    databases: Databases, edu_servers: TestServers
) -> None:
    stream = f"SOAK{uuid.uuid4().hex[:8].upper()}"
    bus = await nats.connect(edu_servers.nats.url())
    try:
        js = bus.jetstream()
        await js.add_stream(name=stream, subjects=[f"{stream.lower()}.>"])
        await js.add_consumer(stream, durable_name="reader")
        await databases.execute(
            "payment", "INSERT INTO outbox (event_id, subject, payload) VALUES ($1, 'a', '{}')",
            uuid.uuid4(),
        )  # fmt: skip
        settled, _, waiting = await settle(
            databases.urls, edu_servers.nats.url(), timeout=1, interval=0.1, stream=stream
        )
        assert not settled
        assert waiting == {"outbox payment": 1}

        await databases.execute("payment", "UPDATE outbox SET published_at = now()")
        await js.publish(f"{stream.lower()}.one", b"{}")
        settled, _, waiting = await settle(
            databases.urls, edu_servers.nats.url(), timeout=1, interval=0.1, stream=stream
        )
        assert not settled
        assert waiting == {"consumer reader": 1}

        sub = await js.pull_subscribe(f"{stream.lower()}.>", durable="reader", stream=stream)
        for msg in await sub.fetch(1, timeout=10):
            await msg.ack_sync()
        settled, _, waiting = await settle(
            databases.urls, edu_servers.nats.url(), timeout=30, interval=0.1, stream=stream
        )
        assert settled
        assert waiting == {}
    finally:
        await bus.jetstream().delete_stream(stream)
        await bus.close()
