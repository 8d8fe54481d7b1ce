"""Paying for a course without a transaction or a connection held across the provider call.

1. Start, in one short transaction with the purchase (student, course) locked: claim the
   Idempotency-Key or replay its response; check the course and that it is not paid yet
   (409 `already_paid`); record a pending payment leased to this request. When another
   request's pending payment is still leased, wait for it: poll in short transactions,
   holding nothing in between, and start again once it has finished (then the repeat is a
   replay, a 409 `already_paid`, or, after a decline, a fresh try).
2. Charge: the provider is called with nothing held, within `provider_timeout_seconds`, the
   pending payment's id as its idempotency key.
3. Finish, in one short transaction with the purchase locked again: the pending payment
   leaves; approved, the completed payment, its event and the key's response are written
   together (201); declined, the key is freed and the answer is 402 `payment_declined`.

When the outcome is unknown the student is neither charged twice nor blocked for good:
- The provider fails or times out: the lease ends at once and the answer is 503
  `payment_pending` with `Retry-After`. The next try (with or without the key) resumes the
  same pending payment and charges it again under the same payment id and amount, which the
  provider answers with the first charge's outcome.
- The request dies between the steps (a crash, a restart): the pending payment keeps its lease
  for `pending_payment_lease_seconds`, during which a new try waits; then the next try takes it
  over as above.
- A student who never tries again leaves the pending payment in place: it stops no one but a
  second charge of the same course, and is visible to operators in `pending_payments`.
- `already_paid` and one completed payment per student and course still hold: there is at
  most one pending payment per student and course, so at most one payment id, and the
  completed payment is written once (a unique index backs both).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from edu_common.idempotency import Idempotency
from edu_common.transactions import Transactions
from fastapi.responses import JSONResponse

from payment.payments import service
from payment.payments.provider import Charge, PaymentProvider
from payment.payments.repository import Payment, PendingPayment
from payment.payments.schemas import PaymentIn, PaymentOut
from payment.settings import PaymentSettings

logger = logging.getLogger("edu.payment.checkout")

# Waiting for another request's charge: the first look soon (the mock provider answers at
# once), then less often.
_FIRST_POLL_SECONDS = 0.02
_MAX_POLL_SECONDS = 0.25


class _InFlightError(Exception):
    """Rolls back a start that found another request's payment in flight."""

    def __init__(self, lease_left: float) -> None:
        self.lease_left = lease_left


def payment_out(payment: Payment) -> dict[str, Any]:
    return PaymentOut.model_validate(payment, from_attributes=True).model_dump(mode="json")


async def pay_for_course(
    transactions: Transactions,
    provider: PaymentProvider,
    settings: PaymentSettings,
    idempotency: Idempotency,
    student_id: uuid.UUID,
    body: PaymentIn,
) -> JSONResponse:
    """Charges the course's price and answers 201 with the completed payment (see above)."""
    started = await _start(transactions, settings, idempotency, student_id, body)
    if isinstance(started, JSONResponse):
        return started
    charge = await _charge(transactions, provider, settings, started)
    async with transactions.begin() as conn:
        await service.lock_purchase(conn, student_id, body.course_id)
        payment = await service.finish_payment(conn, started, charge)
        if payment is not None:
            return await idempotency.respond(conn, payment_out(payment), 201)
        await idempotency.release(conn)
    # Raised once the decline is committed: the pending payment is gone, the key free.
    raise service.PaymentDeclinedError


async def _start(
    transactions: Transactions,
    settings: PaymentSettings,
    idempotency: Idempotency,
    student_id: uuid.UUID,
    body: PaymentIn,
) -> PendingPayment | JSONResponse:
    """The pending payment to charge, or the response to replay; waits while another request
    charges the same purchase, for at most one lease."""
    loop = asyncio.get_running_loop()
    give_up_at = loop.time() + settings.pending_payment_lease_seconds
    pause = _FIRST_POLL_SECONDS
    while True:
        try:
            async with transactions.begin() as conn:
                # The lock first: what the key and the purchase look like is then settled.
                await service.lock_purchase(conn, student_id, body.course_id)
                replay = await idempotency.claim(conn, body)
                if replay is not None:
                    return replay
                started = await service.start_payment(
                    conn, student_id, body.course_id, settings.pending_payment_lease_seconds
                )
                if isinstance(started, service.PaymentInFlight):
                    raise _InFlightError(started.lease_left)
                return started
        except _InFlightError as in_flight:
            now = loop.time()
            if now >= give_up_at:
                raise service.PaymentPendingError(in_flight.lease_left) from None
            # Past the lease the next start takes the payment over: no need to wait longer.
            await asyncio.sleep(min(pause, in_flight.lease_left + 0.01, give_up_at - now))
            pause = min(pause * 2, _MAX_POLL_SECONDS)


async def _charge(
    transactions: Transactions,
    provider: PaymentProvider,
    settings: PaymentSettings,
    pending: PendingPayment,
) -> Charge:
    try:
        async with asyncio.timeout(settings.provider_timeout_seconds):
            return await provider.charge(
                payment_id=pending.id,
                student_id=pending.student_id,
                amount_cents=pending.amount_cents,
                currency=pending.currency,
            )
    except Exception as exc:
        # Whatever went wrong, the provider may have charged: keep the payment pending.
        logger.warning(
            "payment provider gave no answer",
            extra={"payment_id": str(pending.id), "error": repr(exc)},
        )
        async with transactions.begin() as conn:
            await service.leave_pending(conn, pending)
        raise service.PaymentPendingError(1) from None
