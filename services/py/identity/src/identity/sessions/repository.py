"""SQL for refresh tokens (stored as sha256 hashes, grouped in families per login)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg


@dataclass(frozen=True)
class StoredRefreshToken:
    user_id: uuid.UUID
    family_id: uuid.UUID
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


class RefreshTokenRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(
        self,
        token_hash: str,
        user_id: uuid.UUID,
        family_id: uuid.UUID,
        ttl_days: int,
        parent_hash: str | None = None,
    ) -> None:
        await self.conn.execute(
            """
            INSERT INTO refresh_tokens (token_hash, user_id, family_id, parent_hash, expires_at)
            VALUES ($1, $2, $3, $4, now() + make_interval(days => $5))
            """,
            token_hash,
            user_id,
            family_id,
            parent_hash,
            ttl_days,
        )

    async def spend(self, token_hash: str) -> tuple[uuid.UUID, uuid.UUID] | None:
        """Marks a live token used, atomically: of two concurrent calls at most one gets
        (user_id, family_id); the other waits on the row and then finds it spent."""
        row = await self.conn.fetchrow(
            """
            UPDATE refresh_tokens SET used_at = now()
            WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL
              AND expires_at > now()
            RETURNING user_id, family_id
            """,
            token_hash,
        )
        return (row["user_id"], row["family_id"]) if row is not None else None

    async def find(self, token_hash: str) -> StoredRefreshToken | None:
        row = await self.conn.fetchrow(
            """
            SELECT user_id, family_id, expires_at, used_at, revoked_at
            FROM refresh_tokens WHERE token_hash = $1
            """,
            token_hash,
        )
        return StoredRefreshToken(**dict(row)) if row is not None else None

    async def revoke_family(self, family_id: uuid.UUID) -> None:
        await self.conn.execute(
            "UPDATE refresh_tokens SET revoked_at = now()"
            " WHERE family_id = $1 AND revoked_at IS NULL",
            family_id,
        )

    async def revoke_user(self, user_id: uuid.UUID) -> list[uuid.UUID]:
        """Revokes every live token of the user; returns the families (sessions) it ended."""
        rows = await self.conn.fetch(
            """
            WITH revoked AS (
                UPDATE refresh_tokens SET revoked_at = now()
                WHERE user_id = $1 AND revoked_at IS NULL RETURNING family_id
            )
            SELECT DISTINCT family_id FROM revoked
            """,
            user_id,
        )
        return [row["family_id"] for row in rows]
