"""Admin routes: teachers waiting for verification, and verifying them."""

from __future__ import annotations

import uuid
from typing import Any

from edu_common.auth import Admin
from edu_common.db import DbConn
from edu_common.errors import error_responses
from edu_common.pagination import Cursor, Cursors, Limit
from fastapi import APIRouter

from identity.accounts.schemas import UserOut
from identity.admin import service
from identity.admin.schemas import PendingTeachers

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get(
    "/teachers/pending",
    response_model=PendingTeachers,
    responses=error_responses(400, 401, 403, 422),
    summary="Teachers waiting for verification, oldest first",
)
async def pending_teachers(
    _: Admin, conn: DbConn, cursors: Cursors, limit: Limit = 20, cursor: Cursor = None
) -> Any:
    users, next_cursor = await service.pending_teachers(conn, cursors, limit, cursor)
    return {"items": [UserOut.model_validate(u) for u in users], "next_cursor": next_cursor}


@router.patch(
    "/users/{user_id}/verify",
    response_model=UserOut,
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Mark a teacher verified",
    description="404 for an unknown user, 409 `not_a_teacher` for other roles. Verifying a "
    "verified teacher again is a 200 with no further effect.",
)
async def verify_teacher(user_id: uuid.UUID, _: Admin, conn: DbConn) -> Any:
    user = await service.verify_teacher(conn, user_id)
    return UserOut.model_validate(user)
