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

    async def add(
        self,
        payment_id: uuid.UUID,
        course_id: uuid.UUID,
        student_id: uuid.UUID,
        amount_cents: int,
        currency: str,
        reference: str,
    ) -> Payment:
        row = await self.conn.fetchrow(
            "INSERT INTO payments (id, course_id, student_id, amount_cents, currency, status,"
            " provider_reference) VALUES ($1, $2, $3, $4, $5, 'completed', $6)"
            f" RETURNING {_COLUMNS}",
            payment_id,
            course_id,
            student_id,
            amount_cents,
            currency,
            reference,
        )
        return Payment(**dict(row))

    async def get(self, payment_id: uuid.UUID) -> Payment | None:
        row = await self.conn.fetchrow(f"SELECT {_COLUMNS} FROM payments WHERE id = $1", payment_id)
        return Payment(**dict(row)) if row else None

    async def of_student(
        self, student_id: uuid.UUID, page: PageRequest
    ) -> tuple[list[Payment], str | None]:
        """The student's payments, newest first, and the next page's cursor."""
        rows, next_cursor = await paginate(
            self.conn,
            f"SELECT {_COLUMNS} FROM payments WHERE student_id = $1",
            [student_id],
            NEWEST_FIRST,
            page,
        )
        return [Payment(**dict(r)) for r in rows], next_cursor
