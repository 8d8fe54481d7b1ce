"""SQL for users and the single-use tokens sent to them by mail."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import asyncpg
from edu_common.pagination import PageRequest, oldest_first, paginate

Purpose = Literal["verify_email", "reset_password"]

_USER_COLUMNS = "id, email, password_hash, name, role, is_verified, email_verified, created_at"
# Served by users_pending_teachers (created_at, id) WHERE role = 'teacher' AND NOT is_verified.
OLDEST_FIRST = oldest_first()


@dataclass(frozen=True)
class User:
    id: uuid.UUID
    email: str
    password_hash: str
    name: str
    role: str
    is_verified: bool
    email_verified: bool
    created_at: datetime

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> User:
        return cls(**dict(row))


def _user(row: asyncpg.Record | None) -> User | None:
    return User.from_row(row) if row is not None else None


class UserRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def create(
        self,
        *,
        email: str,
        password_hash: str,
        name: str,
        role: str,
        is_verified: bool = False,
        email_verified: bool = False,
        user_id: uuid.UUID | None = None,
    ) -> User | None:
        """The new user, or None when the email (in any case) or the given id is taken."""
        row = await self.conn.fetchrow(
            f"""
            INSERT INTO users (id, email, password_hash, name, role, is_verified, email_verified)
            VALUES (coalesce($7::uuid, gen_random_uuid()), lower($1), $2, $3, $4, $5, $6)
            ON CONFLICT DO NOTHING
            RETURNING {_USER_COLUMNS}
            """,  # noqa: S608 - columns are constants; values are bound
            email,
            password_hash,
            name,
            role,
            is_verified,
            email_verified,
            user_id,
        )
        return _user(row)

    async def get(self, user_id: uuid.UUID, *, for_update: bool = False) -> User | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(
            f"SELECT {_USER_COLUMNS} FROM users WHERE id = $1{lock}",  # noqa: S608 - columns, lock clause are constants
            user_id,
        )
        return _user(row)

    async def get_by_email(self, email: str, *, for_update: bool = False) -> User | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(
            f"SELECT {_USER_COLUMNS} FROM users WHERE lower(email) = lower($1){lock}",  # noqa: S608 - columns, lock clause are constants
            email,
        )
        return _user(row)

    async def set_password_hash(self, user_id: uuid.UUID, password_hash: str) -> None:
        await self.conn.execute(
            "UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1",
            user_id,
            password_hash,
        )

    async def mark_email_verified(self, user_id: uuid.UUID) -> User | None:
        row = await self.conn.fetchrow(
            f"""
            UPDATE users SET email_verified = true, updated_at = now() WHERE id = $1
            RETURNING {_USER_COLUMNS}
            """,  # noqa: S608 - columns are constants; values are bound
            user_id,
        )
        return _user(row)

    async def mark_teacher_verified(self, user_id: uuid.UUID) -> User | None:
        row = await self.conn.fetchrow(
            f"""
            UPDATE users SET is_verified = true, updated_at = now() WHERE id = $1
            RETURNING {_USER_COLUMNS}
            """,  # noqa: S608 - columns are constants; values are bound
            user_id,
        )
        return _user(row)

    async def pending_teachers(self, page: PageRequest) -> tuple[list[User], str | None]:
        """Unverified teachers, oldest first, and the next page's cursor."""
        rows, next_cursor = await paginate(
            self.conn,
            f"SELECT {_USER_COLUMNS} FROM users WHERE role = 'teacher' AND NOT is_verified",  # noqa: S608 - columns are constants; values are bound
            [],
            OLDEST_FIRST,
            page,
        )
        return [User.from_row(r) for r in rows], next_cursor


class MailTokenRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(
        self, user_id: uuid.UUID, purpose: Purpose, token_hash: str, ttl_seconds: int
    ) -> None:
        await self.conn.execute(
            """
            INSERT INTO mail_tokens (token_hash, user_id, purpose, expires_at)
            VALUES ($1, $2, $3, now() + make_interval(secs => $4))
            """,
            token_hash,
            user_id,
            purpose,
            float(ttl_seconds),
        )

    async def count_recent(self, user_id: uuid.UUID, purpose: Purpose, seconds: int) -> int:
        count: int = await self.conn.fetchval(
            """
            SELECT count(*) FROM mail_tokens
            WHERE user_id = $1 AND purpose = $2
              AND created_at > now() - make_interval(secs => $3)
            """,
            user_id,
            purpose,
            float(seconds),
        )
        return count

    async def consume(self, token_hash: str, purpose: Purpose) -> uuid.UUID | None:
        """Spends a live token; the user it belongs to, or None if unknown, used or expired."""
        user_id: uuid.UUID | None = await self.conn.fetchval(
            """
            UPDATE mail_tokens SET used_at = now()
            WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
            RETURNING user_id
            """,
            token_hash,
            purpose,
        )
        return user_id

    async def spend_all(self, user_id: uuid.UUID, purpose: Purpose) -> None:
        await self.conn.execute(
            "UPDATE mail_tokens SET used_at = now()"
            " WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
            user_id,
            purpose,
        )
