"""What enrollment's endpoints take from the running app, as typed dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from enrollment.payments.client import PaymentStatusClient


async def _payment_client(request: Request) -> PaymentStatusClient:
    client: PaymentStatusClient = request.app.state.payment_status
    return client


PaymentClient = Annotated[PaymentStatusClient, Depends(_payment_client)]
