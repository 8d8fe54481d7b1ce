"""SQL for the recipients projection (user id -> mail address and name)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class Recipient:
    user_id: uuid.UUID
    email: str
    name: str


class RecipientRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def upsert(self, user_id: uuid.UUID, email: str, name: str) -> None:
        await self.conn.execute(
            """
            INSERT INTO recipients (user_id, email, name) VALUES ($1, $2, $3)
            ON CONFLICT (user_id) DO UPDATE
                SET email = EXCLUDED.email, name = EXCLUDED.name, updated_at = now()
            """,
            user_id,
            email,
            name,
        )

    async def get(self, user_id: uuid.UUID) -> Recipient | None:
        row = await self.conn.fetchrow(
            "SELECT user_id, email, name FROM recipients WHERE user_id = $1", user_id
        )
        return Recipient(**dict(row)) if row is not None else None
