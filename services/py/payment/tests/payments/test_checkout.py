"""Paying with the provider called outside any transaction: what is held during the call, and
what happens when the provider's answer never comes."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from edu_common.events.contracts import CourseCreated, PaymentCompleted
from payment.app import MIGRATIONS, create_app
from payment.courses.repository import COURSES
from payment.payments.provider import Charge
from payment.settings import PaymentSettings
from pydantic import ValidationError


class GatedProvider:
    """Answers a charge only once the test opens the gate; records every charge asked for."""

    def __init__(self, *, approve: bool = True, opened: bool = False) -> None:
        self.approve = approve
        self.asked: list[tuple[uuid.UUID, int, str]] = []
        self.called = asyncio.Event()
        self.gate = asyncio.Event()
        if opened:
            self.gate.set()

    async def charge(
        self, *, payment_id: uuid.UUID, student_id: uuid.UUID, amount_cents: int, currency: str
    ) -> Charge:
        self.asked.append((payment_id, amount_cents, currency))
        self.called.set()
        await self.gate.wait()
        return Charge(approved=self.approve, reference=f"gated_{payment_id.hex}")


async def _course(service: Any, price_cents: int = 1999) -> CourseCreated:
    event = CourseCreated(
        course_id=uuid.uuid4(),
        teacher_id=uuid.uuid4(),
        title="Distributed Systems",
        price_cents=price_cents,
        currency="USD",
        status="published",
        lesson_ids=[],
        revision=1,
    )
    async with service.pool.acquire() as conn:
        await COURSES.apply(conn, event)
    return event


async def _counts(service: Any) -> tuple[int, int, int]:
    """Completed payments, pending payments, payment events."""
    return (
        await service.pool.fetchval("SELECT count(*) FROM payments"),
        await service.pool.fetchval("SELECT count(*) FROM pending_payments"),
        await service.pool.fetchval(
            "SELECT count(*) FROM outbox WHERE subject = $1", PaymentCompleted.subject
        ),
    )


@pytest.fixture
async def one_connection(services: Any) -> Any:
    """Payment with a pool of a single connection."""
    return await services.start(
        "payment",
        create_app,
        PaymentSettings,
        MIGRATIONS,
        db_pool_min_size=1,
        db_pool_max_size=1,
        db_acquire_timeout=2,
    )


async def test_no_connection_is_held_while_the_provider_answers(
    one_connection: Any, tokens: Any
) -> None:
    payment = one_connection
    course = await _course(payment)
    provider = GatedProvider()
    payment.app.state.payment_provider = provider
    _, headers = tokens.student()
    paying = asyncio.create_task(
        payment.client.post(
            "/payments",
            json={"course_id": str(course.course_id)},
            headers={**headers, "Idempotency-Key": "slow-card"},
        )
    )
    try:
        await asyncio.wait_for(provider.called.wait(), 10)
        # The charge is under way: the pool's only connection serves another request.
        _, other = tokens.student()
        r = await payment.client.get("/payments/me", headers=other)
        assert r.status_code == 200, r.text
        assert not paying.done()
    finally:
        # A failed check must not leave the charge waiting forever.
        provider.gate.set()
    r = await paying
    assert r.status_code == 201, r.text
    assert await _counts(payment) == (1, 0, 1)


async def test_repeats_during_the_charge_wait_and_charge_once(
    payment: Any, client: Any, tokens: Any
) -> None:
    course, other_course = await _course(payment), await _course(payment)
    provider = GatedProvider()
    payment.app.state.payment_provider = provider
    _, headers = tokens.student()
    keyed = {**headers, "Idempotency-Key": "k"}
    body = {"course_id": str(course.course_id)}
    first = asyncio.create_task(client.post("/payments", json=body, headers=keyed))
    try:
        await asyncio.wait_for(provider.called.wait(), 10)
        # The key is taken by the request in flight: another body under it is refused at once.
        r = await client.post(
            "/payments", json={"course_id": str(other_course.course_id)}, headers=keyed
        )
        assert r.status_code == 409
        assert r.json()["code"] == "idempotency_key_reused"
        repeats = [asyncio.create_task(client.post("/payments", json=body, headers=keyed))]
        repeats += [asyncio.create_task(client.post("/payments", json=body, headers=headers))]
    finally:
        provider.gate.set()
    responses = [await first, *[await t for t in repeats]]
    assert [r.status_code for r in responses] == [201, 201, 409], [r.text for r in responses]
    assert responses[1].json() == responses[0].json()
    assert responses[2].json()["code"] == "already_paid"
    assert len(provider.asked) == 1
    assert await _counts(payment) == (1, 0, 1)


async def test_a_decline_frees_the_key_and_the_course(
    payment: Any, client: Any, tokens: Any
) -> None:
    course = await _course(payment)
    provider = GatedProvider(approve=False)
    payment.app.state.payment_provider = provider
    _, headers = tokens.student()
    keyed = {**headers, "Idempotency-Key": "declined"}
    body = {"course_id": str(course.course_id)}
    first = asyncio.create_task(client.post("/payments", json=body, headers=keyed))
    try:
        await asyncio.wait_for(provider.called.wait(), 10)
        repeat = asyncio.create_task(client.post("/payments", json=body, headers=keyed))
    finally:
        provider.gate.set()
    # The repeat did not replay the decline: it charged again, under a new payment id.
    for r in (await first, await repeat):
        assert r.status_code == 402
        assert r.json()["code"] == "payment_declined"
    assert len({asked[0] for asked in provider.asked}) == 2
    assert await _counts(payment) == (0, 0, 0)
    assert await payment.pool.fetchval("SELECT count(*) FROM idempotency_keys") == 0


@pytest.fixture
async def impatient(services: Any) -> Any:
    """Payment whose provider calls time out quickly."""
    return await services.start(
        "payment",
        create_app,
        PaymentSettings,
        MIGRATIONS,
        provider_timeout_seconds=0.2,
        pending_payment_lease_seconds=1.0,
    )


async def test_an_unanswered_charge_stays_pending_and_the_next_try_resumes_it(
    impatient: Any, tokens: Any
) -> None:
    payment = impatient
    course = await _course(payment, price_cents=4200)
    silent = GatedProvider()  # never answers
    payment.app.state.payment_provider = silent
    student_id, headers = tokens.student()
    keyed = {**headers, "Idempotency-Key": "timeout"}
    body = {"course_id": str(course.course_id)}
    r = await payment.client.post("/payments", json=body, headers=keyed)
    assert r.status_code == 503, r.text
    assert r.json()["code"] == "payment_pending"
    assert int(r.headers["Retry-After"]) >= 1
    pending = await payment.pool.fetchrow(
        "SELECT id, lease_until <= now() AS free FROM pending_payments WHERE student_id = $1",
        student_id,
    )
    assert pending is not None
    assert pending["free"], "a failed call ends its lease: the next try need not wait"
    assert await _counts(payment) == (0, 1, 0)

    # The course costs more now; the pending payment is still charged what it started at.
    async with payment.pool.acquire() as conn:
        await conn.execute("UPDATE courses SET price_cents = 9900 WHERE id = $1", course.course_id)
    answering = GatedProvider(opened=True)
    payment.app.state.payment_provider = answering
    r = await payment.client.post("/payments", json=body, headers=keyed)
    assert r.status_code == 201, r.text
    assert r.json()["id"] == str(pending["id"])
    assert r.json()["amount_cents"] == 4200
    # Asked again under the same payment id: the provider answers the first charge's outcome.
    assert silent.asked == answering.asked == [(pending["id"], 4200, "USD")]
    assert await _counts(payment) == (1, 0, 1)
    replay = await payment.client.post("/payments", json=body, headers=keyed)
    assert replay.status_code == 201
    assert replay.json() == r.json()


async def test_a_payment_left_by_a_dead_request_is_resumed_after_its_lease(
    impatient: Any, tokens: Any
) -> None:
    payment = impatient
    course = await _course(payment, price_cents=1500)
    student_id, headers = tokens.student()
    # What a request leaves when its process dies during the provider call.
    left_id = uuid.uuid4()
    await payment.pool.execute(
        "INSERT INTO pending_payments (id, course_id, student_id, amount_cents, currency,"
        " course_title, lease_until) VALUES ($1, $2, $3, 1500, 'USD', 'Distributed Systems',"
        " now() + interval '300 milliseconds')",
        left_id,
        course.course_id,
        student_id,
    )
    provider = GatedProvider(opened=True)
    payment.app.state.payment_provider = provider
    r = await payment.client.post(
        "/payments", json={"course_id": str(course.course_id)}, headers=headers
    )
    assert r.status_code == 201, r.text
    assert r.json()["id"] == str(left_id)
    assert provider.asked == [(left_id, 1500, "USD")]
    assert await _counts(payment) == (1, 0, 1)
    r = await payment.client.post(
        "/payments", json={"course_id": str(course.course_id)}, headers=headers
    )
    assert r.status_code == 409
    assert r.json()["code"] == "already_paid"


async def test_a_waiter_gives_up_when_the_charge_outlasts_the_lease(
    impatient: Any, tokens: Any
) -> None:
    payment = impatient
    course = await _course(payment)
    student_id, headers = tokens.student()
    # A lease longer than this request will wait (one lease, 1 s): it answers 503, not 201.
    await payment.pool.execute(
        "INSERT INTO pending_payments (id, course_id, student_id, amount_cents, currency,"
        " course_title, lease_until) VALUES ($1, $2, $3, 1999, 'USD', 'Distributed Systems',"
        " now() + interval '1 minute')",
        uuid.uuid4(),
        course.course_id,
        student_id,
    )
    provider = GatedProvider(opened=True)
    payment.app.state.payment_provider = provider
    r = await payment.client.post(
        "/payments", json={"course_id": str(course.course_id)}, headers=headers
    )
    assert r.status_code == 503, r.text
    assert r.json()["code"] == "payment_pending"
    assert int(r.headers["Retry-After"]) > 1
    assert provider.asked == []


def test_the_lease_must_outlast_the_provider_call() -> None:
    with pytest.raises(ValidationError, match="pending_payment_lease_seconds"):
        PaymentSettings(provider_timeout_seconds=10, pending_payment_lease_seconds=10)
