"""Payment routes: paying for a course, and reading one's payments."""

from __future__ import annotations

import uuid
from typing import Any

from edu_common.auth import CurrentUser, Student
from edu_common.db import DbConn
from edu_common.errors import error_responses
from edu_common.idempotency import IdempotencyKey, IdempotencyRepository, request_hash
from edu_common.pagination import Cursor, Cursors, Limit
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from payment.dependencies import Provider
from payment.payments import service
from payment.payments.schemas import PaymentIn, PaymentOut, PaymentPage

router = APIRouter(tags=["payments"])


def _out(payment: Any) -> dict[str, Any]:
    return PaymentOut.model_validate(payment, from_attributes=True).model_dump(mode="json")


@router.post(
    "/payments",
    status_code=201,
    response_model=PaymentOut,
    responses=error_responses(400, 401, 402, 403, 404, 409, 422),
    summary="Pay for a course",
    description="The amount is the course's price as the server knows it. 404 for an unknown "
    "course, 400 `course_is_free`, 409 `already_paid`, 402 `payment_declined`. With an "
    "`Idempotency-Key`, a repeat with the same body replays the first 201; a different body "
    "is a 409 `idempotency_key_reused`.",
)
async def create_payment(
    body: PaymentIn,
    student: Student,
    conn: DbConn,
    provider: Provider,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    keys = IdempotencyRepository(conn)
    scope = f"POST /payments:{student.user_id}"
    if idempotency_key is not None:
        stored = await keys.claim(scope, idempotency_key, request_hash(body))
        if stored is not None:
            return JSONResponse(stored.body, status_code=stored.status)
    payment = await service.pay_for_course(conn, provider, student.user_id, body.course_id)
    out = _out(payment)
    if idempotency_key is not None:
        await keys.store(scope, idempotency_key, 201, out)
    return JSONResponse(out, status_code=201)


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
