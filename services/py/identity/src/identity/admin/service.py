"""Admin rules: reviewing and verifying teachers."""

from __future__ import annotations

import uuid

import asyncpg
from edu_common.errors import AppError, not_found
from edu_common.events import enqueue
from edu_common.events.contracts import TeacherVerified
from edu_common.pagination import CursorCodec, PageRequest

from identity.accounts.repository import User, UserRepository

PENDING_TEACHERS = "pending_teachers"


async def pending_teachers(
    conn: asyncpg.Connection, cursors: CursorCodec, limit: int, cursor: str | None
) -> tuple[list[User], str | None]:
    page = PageRequest.decode(cursors, PENDING_TEACHERS, limit, cursor)
    return await UserRepository(conn).pending_teachers(page)


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
