"""What enrollment's endpoints take from the running app, as typed dependencies."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Annotated

import asyncpg
from edu_common.db import transaction
from fastapi import Depends, Request

from enrollment.payments.client import PaymentStatusClient


@dataclass(frozen=True)
class Transactions:
    """For routes that open their own short transactions, around a call to another service
    that must not run inside one."""

    pool: asyncpg.Pool
    acquire_timeout: float

    def begin(self) -> AbstractAsyncContextManager[asyncpg.Connection]:
        return transaction(self.pool, self.acquire_timeout)


def _transactions(request: Request) -> Transactions:
    return Transactions(request.app.state.db_pool, request.app.state.settings.db_acquire_timeout)


def _payment_client(request: Request) -> PaymentStatusClient:
    client: PaymentStatusClient = request.app.state.payment_status
    return client


DbTransactions = Annotated[Transactions, Depends(_transactions)]
PaymentClient = Annotated[PaymentStatusClient, Depends(_payment_client)]
