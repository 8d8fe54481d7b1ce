"""Admin rules: reviewing and verifying teachers."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
from edu_common.errors import AppError, not_found
from edu_common.events import enqueue
from edu_common.events.contracts import TeacherVerified
from edu_common.pagination import CursorCodec, invalid_cursor

from identity.accounts.repository import User, UserRepository

PENDING_TEACHERS = "pending_teachers"


async def pending_teachers(
    conn: asyncpg.Connection, cursors: CursorCodec, limit: int, cursor: str | None
) -> tuple[list[User], str | None]:
    after: tuple[datetime, uuid.UUID] | None = None
    if cursor is not None:
        values = cursors.decode(PENDING_TEACHERS, cursor)
        try:
            created_at, user_id = values
            after = (datetime.fromisoformat(str(created_at)), uuid.UUID(str(user_id)))
        except (ValueError, TypeError):
            raise invalid_cursor() from None
    users = await UserRepository(conn).pending_teachers(limit + 1, after)
    page, more = users[:limit], len(users) > limit
    next_cursor = None
    if more:
        last = page[-1]
        next_cursor = cursors.encode(PENDING_TEACHERS, [last.created_at.isoformat(), last.id])
    return page, next_cursor


async def verify_teacher(conn: asyncpg.Connection, user_id: uuid.UUID) -> User:
    """Marks a teacher verified and announces it; verifying again changes nothing."""
    users = UserRepository(conn)
    user = await users.get(user_id, for_update=True)
    if user is None:
        raise not_found("user")
    if user.role != "teacher":
        raise AppError(409, "not_a_teacher", "only teacher accounts can be verified")
    if user.is_verified:
        return user
    verified = await users.mark_teacher_verified(user_id)
    assert verified is not None  # the row is locked above
    await enqueue(
        conn, TeacherVerified(user_id=verified.id, email=verified.email, name=verified.name)
    )
    return verified
