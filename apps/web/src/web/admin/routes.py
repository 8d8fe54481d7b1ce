"""Admin: teachers waiting for verification, verified with one click."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.responses import Response

from web.clients import clients_of
from web.navigation import redirect
from web.templating import pages_of
from web.visitor import signed_in_token

router = APIRouter(prefix="/admin")


async def _admin(request: Request) -> str | Response:
    return await signed_in_token(request, lambda u: u.is_admin, "admins_only")


@router.get("/teachers", name="pending_teachers")
async def pending_teachers(request: Request) -> Response:
    token = await _admin(request)
    if isinstance(token, Response):
        return token
    page = await clients_of(request).identity.pending_teachers(
        token, request.query_params.get("cursor") or None
    )
    verified = request.query_params.get("verified", "")[:100]
    return await pages_of(request).render(
        request, "admin/teachers.html", {"page": page, "verified": verified}
    )


@router.post("/teachers/{user_id}/verify", name="verify_teacher")
async def verify_teacher(request: Request, user_id: uuid.UUID) -> Response:
    token = await _admin(request)
    if isinstance(token, Response):
        return token
    await clients_of(request).identity.verify_teacher(token, user_id)
    return redirect(request, "/admin/teachers?verified=1")
