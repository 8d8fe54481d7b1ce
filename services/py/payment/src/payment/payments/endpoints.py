"""Payment routes: paying for a course, and reading one's payments."""

from __future__ import annotations

import uuid
from typing import Any

from edu_common.auth import CurrentUser, Student
from edu_common.db import DbConn
from edu_common.errors import error_responses
from edu_common.idempotency import Idempotent
from edu_common.pagination import Cursor, Cursors, Limit
from edu_common.transactions import DbTransactions
from fastapi import APIRouter

from payment.dependencies import Provider, Settings
from payment.payments import checkout, service
from payment.payments.schemas import PaymentIn, PaymentOut, PaymentPage

router = APIRouter(tags=["payments"])

_out = checkout.payment_out


@router.post(
    "/payments",
    status_code=201,
    response_model=PaymentOut,
    responses=error_responses(400, 401, 402, 403, 404, 409, 422, 503),
    summary="Pay for a course",
    description="The amount is the course's price as the server knows it. 404 for an unknown "
    "course, 400 `course_is_free`, 409 `already_paid`, 402 `payment_declined`. With an "
    "`Idempotency-Key`, a repeat with the same body replays the first 201; a different body "
    "is a 409 `idempotency_key_reused`. A request that finds the same purchase being charged "
    "by another waits for it. When the provider's answer is unknown (it failed or timed out), "
    "503 `payment_pending` with `Retry-After`: trying again resumes the same payment, which "
    "is never charged twice.",
)
async def create_payment(
    body: PaymentIn,
    student: Student,
    transactions: DbTransactions,
    provider: Provider,
    settings: Settings,
    idempotency: Idempotent,
) -> Any:
    # Short transactions of its own: no connection is held while the provider answers.
    return await checkout.pay_for_course(
        transactions, provider, settings, idempotency, student.user_id, body
    )


@router.get(
    "/payments/me",
    response_model=PaymentPage,
    responses=error_responses(400, 401, 403, 422),
    summary="The caller's payments, newest first",
)
async def my_payments(
    student: Student, conn: DbConn, cursors: Cursors, limit: Limit = 20, cursor: Cursor = None
) -> Any:
    payments, next_cursor = await service.my_payments(conn, cursors, student.user_id, limit, cursor)
    return {"items": [_out(p) for p in payments], "next_cursor": next_cursor}


@router.get(
    "/payments/{payment_id}",
    response_model=PaymentOut,
    responses=error_responses(401, 404, 422),
    summary="One payment, for its owner or an admin",
    description="Anyone else gets a 404.",
)
async def get_payment(payment_id: uuid.UUID, caller: CurrentUser, conn: DbConn) -> Any:
    return _out(await service.get_payment(conn, caller, payment_id))
