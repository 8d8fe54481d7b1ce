"""The payment provider behind a small interface; the mock one settles at once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Charge:
    approved: bool
    reference: str


class PaymentProvider(Protocol):
    """`payment_id` is the provider's idempotency key: charging the same payment id again
    (after a timeout, or from the request that resumes a pending payment) returns the first
    charge's outcome and never charges twice. Real providers offer this (an idempotency key
    per charge); an adapter must pass the payment id as that key."""

    async def charge(
        self, *, payment_id: uuid.UUID, student_id: uuid.UUID, amount_cents: int, currency: str
    ) -> Charge: ...


class MockPaymentProvider:
    """Approves every charge at once, or declines every one when told to; the same payment id
    always gets the same reference, so a repeated charge is the same charge."""

    def __init__(self, *, declines: bool = False) -> None:
        self.declines = declines

    async def charge(
        self, *, payment_id: uuid.UUID, student_id: uuid.UUID, amount_cents: int, currency: str
    ) -> Charge:
        return Charge(approved=not self.declines, reference=f"mock_{payment_id.hex}")
