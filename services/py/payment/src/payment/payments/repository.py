"""Payments as stored."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from edu_common.pagination import PageRequest, newest_first, paginate

_COLUMNS = "id, course_id, student_id, amount_cents, currency, status, created_at"
# Served by payments_by_student (student_id, created_at DESC, id DESC).
NEWEST_FIRST = newest_first()


@dataclass(frozen=True)
class Payment:
    id: uuid.UUID
    course_id: uuid.UUID
    student_id: uuid.UUID
    amount_cents: int
    currency: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class PendingPayment:
    """A payment started and not yet answered by the provider."""

    id: uuid.UUID
    course_id: uuid.UUID
    student_id: uuid.UUID
    amount_cents: int
    currency: str
    course_title: str


_PENDING_COLUMNS = "id, course_id, student_id, amount_cents, currency, course_title"


class PendingPaymentRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def start(
        self,
        student_id: uuid.UUID,
        course_id: uuid.UUID,
        amount_cents: int,
        currency: str,
        course_title: str,
        lease_seconds: float,
    ) -> PendingPayment | None:
        """A new pending payment leased to the caller; None when one is already pending."""
        row = await self.conn.fetchrow(
            "INSERT INTO pending_payments (id, course_id, student_id, amount_cents, currency,"  # noqa: S608 - columns are constants; values are bound
            " course_title, lease_until)"
            " VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))"
            f" ON CONFLICT (student_id, course_id) DO NOTHING RETURNING {_PENDING_COLUMNS}",
            uuid.uuid4(),
            course_id,
            student_id,
            amount_cents,
            currency,
            course_title,
            lease_seconds,
        )
        return PendingPayment(**dict(row)) if row else None

    async def take_over(
        self, student_id: uuid.UUID, course_id: uuid.UUID, lease_seconds: float
    ) -> PendingPayment | None:
        """The pending payment whose lease has run out, leased to the caller now; None when
        there is none or its lease still runs."""
        row = await self.conn.fetchrow(
            "UPDATE pending_payments SET lease_until = now() + make_interval(secs => $3),"  # noqa: S608 - columns are constants; values are bound
            " attempts = attempts + 1"
            " WHERE student_id = $1 AND course_id = $2 AND lease_until <= now()"
            f" RETURNING {_PENDING_COLUMNS}",
            student_id,
            course_id,
            lease_seconds,
        )
        return PendingPayment(**dict(row)) if row else None

    async def lease_left(self, student_id: uuid.UUID, course_id: uuid.UUID) -> float | None:
        """Seconds until the pending payment's lease runs out; None when none is pending."""
        left: float | None = await self.conn.fetchval(
            "SELECT greatest(0, extract(epoch FROM lease_until - now()))::float8"
            " FROM pending_payments WHERE student_id = $1 AND course_id = $2",
            student_id,
            course_id,
        )
        return left

    async def end_lease(self, payment_id: uuid.UUID) -> None:
        """Lets the next try resume the payment at once."""
        await self.conn.execute(
            "UPDATE pending_payments SET lease_until = now() WHERE id = $1", payment_id
        )

    async def remove(self, payment_id: uuid.UUID) -> None:
        await self.conn.execute("DELETE FROM pending_payments WHERE id = $1", payment_id)


class PaymentRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def lock_purchase(self, student_id: uuid.UUID, course_id: uuid.UUID) -> None:
        """Serializes purchases of one course by one student until the transaction ends."""
        await self.conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            f"payment:{student_id}:{course_id}",
        )

    async def completed_for(self, student_id: uuid.UUID, course_id: uuid.UUID) -> bool:
        found = await self.conn.fetchval(
            "SELECT true FROM payments"
            " WHERE student_id = $1 AND course_id = $2 AND status = 'completed'",
            student_id,
            course_id,
        )
        return bool(found)

    async def completed_id(self, student_id: uuid.UUID, course_id: uuid.UUID) -> uuid.UUID | None:
        payment_id: uuid.UUID | None = await self.conn.fetchval(
            "SELECT id FROM payments"
            " WHERE student_id = $1 AND course_id = $2 AND status = 'completed'",
            student_id,
            course_id,
        )
        return payment_id

    async def complete(self, pending: PendingPayment, reference: str) -> tuple[Payment, bool]:
        """Records the pending payment as completed; False when it already was (the request
        that resumed it got there first)."""
        row = await self.conn.fetchrow(
            "INSERT INTO payments (id, course_id, student_id, amount_cents, currency, status,"  # noqa: S608 - columns are constants; values are bound
            " provider_reference) VALUES ($1, $2, $3, $4, $5, 'completed', $6)"
            f" ON CONFLICT (id) DO NOTHING RETURNING {_COLUMNS}",
            pending.id,
            pending.course_id,
            pending.student_id,
            pending.amount_cents,
            pending.currency,
            reference,
        )
        if row is not None:
            return Payment(**dict(row)), True
        existing = await self.get(pending.id)
        if existing is None:
            raise LookupError(f"payment {pending.id} neither inserted nor found")
        return existing, False

    async def get(self, payment_id: uuid.UUID) -> Payment | None:
        row = await self.conn.fetchrow(f"SELECT {_COLUMNS} FROM payments WHERE id = $1", payment_id)  # noqa: S608 - columns are constants; values are bound
        return Payment(**dict(row)) if row else None

    async def of_student(
        self, student_id: uuid.UUID, page: PageRequest
    ) -> tuple[list[Payment], str | None]:
        """The student's payments, newest first, and the next page's cursor."""
        rows, next_cursor = await paginate(
            self.conn,
            f"SELECT {_COLUMNS} FROM payments WHERE student_id = $1",  # noqa: S608 - columns are constants; values are bound
            [student_id],
            NEWEST_FIRST,
            page,
        )
        return [Payment(**dict(r)) for r in rows], next_cursor
