"""Asking the payment service whether a student paid, for when its event is late.

One documented HTTP call, `GET /internal/payments/completed`, with the service token and a
short overall timeout. Any failure to get a clear answer (down, slow, refused, garbled) is a
503 `payment_status_unavailable`, never a 402: the student may well have paid.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from edu_common.errors import AppError
from fastapi import FastAPI
from pydantic import BaseModel, ValidationError

from enrollment.settings import EnrollmentSettings

logger = logging.getLogger("edu.enrollment.payments")

RETRY_AFTER_SECONDS = 5


def payment_status_unavailable() -> AppError:
    return AppError(
        503,
        "payment_status_unavailable",
        "your payment could not be confirmed right now; try again shortly (a completed "
        "payment enrolls you by itself)",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


class _CompletedPaymentStatus(BaseModel):
    student_id: uuid.UUID
    course_id: uuid.UUID
    completed: bool
    payment_id: uuid.UUID | None


class PaymentStatusClient:
    """The payment service's answer to "did this student pay for this course?"."""

    def __init__(self, http: httpx.AsyncClient, token: str, timeout_seconds: float) -> None:
        self.http = http
        self.token = token
        self.timeout_seconds = timeout_seconds

    @property
    def enabled(self) -> bool:
        return bool(self.token)

    async def completed_payment(
        self, student_id: uuid.UUID, course_id: uuid.UUID
    ) -> uuid.UUID | None:
        """The student's completed payment for the course, or None when there is none.

        Raises the 503 problem when the payment service gives no clear answer in time."""
        try:
            async with asyncio.timeout(self.timeout_seconds):
                response = await self.http.get(
                    "/internal/payments/completed",
                    params={"student_id": str(student_id), "course_id": str(course_id)},
                    headers={"Authorization": f"Bearer {self.token}"},
                )
        except (httpx.HTTPError, TimeoutError) as exc:
            logger.warning("payment service unreachable", extra={"error": repr(exc)})
            raise payment_status_unavailable() from None
        if response.status_code != 200:
            # 401/403 here means enrollment's service token is wrong: an operator's problem.
            logger.error(
                "payment service refused the status call",
                extra={"status": response.status_code},
            )
            raise payment_status_unavailable()
        try:
            status = _CompletedPaymentStatus.model_validate_json(response.content)
        except ValidationError:
            logger.error("payment service answered an unexpected body")
            raise payment_status_unavailable() from None
        if status.student_id != student_id or status.course_id != course_id:
            logger.error("payment service answered for another student or course")
            raise payment_status_unavailable()
        if not status.completed or status.payment_id is None:
            return None
        return status.payment_id


@asynccontextmanager
async def payment_status_client(app: FastAPI) -> AsyncIterator[None]:
    """Keeps one HTTP client to the payment service for the app's lifetime."""
    settings: EnrollmentSettings = app.state.settings
    if not settings.service_token:
        logger.warning("no service token: paid enrollments wait for payment events")
    timeout = settings.payment_timeout_seconds
    async with httpx.AsyncClient(
        base_url=settings.payment_url,
        timeout=httpx.Timeout(timeout),
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        follow_redirects=False,
    ) as http:
        app.state.payment_status = PaymentStatusClient(http, settings.service_token, timeout)
        yield
