"""Idempotency-Key for POST routes (table `idempotency_keys` of the common migrations): the
first successful response is stored and replayed.

The key is claimed with an insert inside the request transaction, so a concurrent repeat waits
on the row until the first request commits (then replays its response) or rolls back (then
claims the key itself). A 4xx rolls the claim back with everything else, so the client may fix
its request and retry with the same key. Keys expire after 24 hours.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Annotated, Any

import asyncpg
from fastapi import Header
from pydantic import BaseModel

from edu_common.errors import AppError

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Repeats with the same key and body replay the first response (24 hours)",
    ),
]

_TTL = "24 hours"


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: Any


def request_hash(body: BaseModel) -> str:
    # The validated body: unknown fields (ignored by the route) do not change it.
    return hashlib.sha256(body.model_dump_json().encode()).hexdigest()


def key_reused() -> AppError:
    return AppError(
        409, "idempotency_key_reused", "this Idempotency-Key was used with a different request"
    )


class IdempotencyRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def claim(self, scope: str, key: str, digest: str) -> StoredResponse | None:
        """Claims the key for this request, or returns the response stored for it."""
        await self.conn.execute(
            "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2"
            f" AND created_at < now() - interval '{_TTL}'",
            scope,
            key,
        )
        claimed = await self.conn.fetchval(
            "INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3)"
            " ON CONFLICT DO NOTHING RETURNING true",
            scope,
            key,
            digest,
        )
        if claimed:
            return None
        row = await self.conn.fetchrow(
            "SELECT request_hash, status, body FROM idempotency_keys WHERE scope = $1 AND key = $2",
            scope,
            key,
        )
        if row is None or row["request_hash"] != digest or row["status"] is None:
            raise key_reused()
        return StoredResponse(row["status"], row["body"])

    async def store(self, scope: str, key: str, status: int, body: Any) -> None:
        await self.conn.execute(
            "UPDATE idempotency_keys SET status = $3, body = $4 WHERE scope = $1 AND key = $2",
            scope,
            key,
            status,
            body,
        )
