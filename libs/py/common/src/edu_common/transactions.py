"""Short transactions a route opens itself, for routes that call something slow (another
service, a payment provider) that must not run inside a transaction or hold a connection.

Most routes take `DbConn` (one transaction for the whole request); such a route takes
`DbTransactions` instead and opens one `begin()` per step.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from edu_common.db import transaction


@dataclass(frozen=True)
class Transactions:
    pool: asyncpg.Pool
    acquire_timeout: float

    def begin(self) -> AbstractAsyncContextManager[asyncpg.Connection]:
        return transaction(self.pool, self.acquire_timeout)


async def _transactions(request: Request) -> Transactions:
    return Transactions(request.app.state.db_pool, request.app.state.settings.db_acquire_timeout)


DbTransactions = Annotated[Transactions, Depends(_transactions)]
