"""Idempotency-Key for POST routes (table `idempotency_keys` of the common migrations): the
first successful response is stored and replayed.

A route takes `Idempotent` (the key of this request, scoped to the route and the caller), then
in its transaction `claim`s the key (a response to replay, or None to go ahead) and answers
through `respond`, which stores what it returns. The key is claimed with an insert inside that
transaction, so a concurrent repeat waits on the row until the first request commits (then
replays its response) or rolls back (then claims the key itself). A 4xx rolls the claim back
with everything else, so the client may fix its request and retry with the same key. Keys
expire after 24 hours.

A route whose work spans several transactions (payment's, around the provider call) commits
the claim before it has a response: a repeat with the same body then finds the key claimed
but unanswered and goes ahead (the route's own rule keeps the two from doing the work twice),
and a route that ends without a response `release`s the key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from edu_common.auth import CurrentUser
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
        """Claims the key for this request, or returns the response stored for it. A key
        claimed for the same request and committed without a response (by a route of several
        transactions that has not finished) is this request's to answer too."""
        await self.conn.execute(
            "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2"  # noqa: S608 - the interval is a module constant
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
        if row is None or row["request_hash"] != digest:
            raise key_reused()
        if row["status"] is None:
            return None
        return StoredResponse(row["status"], row["body"])

    async def store(self, scope: str, key: str, status: int, body: Any) -> None:
        await self.conn.execute(
            "UPDATE idempotency_keys SET status = $3, body = $4 WHERE scope = $1 AND key = $2",
            scope,
            key,
            status,
            body,
        )

    async def release(self, scope: str, key: str) -> None:
        """Gives up a claim that has no response, so the key may be claimed again."""
        await self.conn.execute(
            "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status IS NULL",
            scope,
            key,
        )


@dataclass(frozen=True)
class Idempotency:
    """The Idempotency-Key of one request (None when the client sent none), with its scope:
    the route and the caller, so another user may send the same string."""

    key: str | None
    scope: str

    async def claim(self, conn: asyncpg.Connection, body: BaseModel) -> JSONResponse | None:
        """The stored response to replay, or None: go ahead (the key, if any, is claimed in
        `conn`'s transaction). A different body under the same key is a 409."""
        if self.key is None:
            return None
        stored = await IdempotencyRepository(conn).claim(self.scope, self.key, request_hash(body))
        if stored is None:
            return None
        return JSONResponse(stored.body, status_code=stored.status)

    async def respond(
        self, conn: asyncpg.Connection, content: Any, status_code: int = 201
    ) -> JSONResponse:
        """The response, stored for the key in `conn`'s transaction so repeats replay it."""
        if self.key is not None:
            await IdempotencyRepository(conn).store(self.scope, self.key, status_code, content)
        return JSONResponse(content, status_code=status_code)

    async def release(self, conn: asyncpg.Connection) -> None:
        """Frees a claim committed earlier when the request ends without a response."""
        if self.key is not None:
            await IdempotencyRepository(conn).release(self.scope, self.key)


async def _idempotency(
    request: Request, caller: CurrentUser, key: IdempotencyKey = None
) -> Idempotency:
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    return Idempotency(key, f"{request.method} {path}:{caller.user_id}")


Idempotent = Annotated[Idempotency, Depends(_idempotency)]
