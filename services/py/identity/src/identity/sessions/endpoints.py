"""Routes for refreshing and ending sessions, and the public keys that verify tokens."""

from __future__ import annotations

from typing import Any

import asyncpg
from edu_common.db import DbConn, transaction
from edu_common.errors import error_responses
from edu_common.security.keys import jwk
from fastapi import APIRouter, Request, Response

from identity.dependencies import Sessions, Settings, Signer, ended_session_ttl
from identity.sessions import service
from identity.sessions.schemas import Jwks, RefreshIn, TokenPair

router = APIRouter(tags=["sessions"])


@router.post(
    "/refresh",
    response_model=TokenPair,
    responses=error_responses(400, 401, 422),
    summary="Exchange a refresh token for a new access and refresh token",
    description="The presented token is spent. Presenting a spent token again revokes every "
    "token from the same login: 401 `refresh_token_reused`. An unknown, revoked or expired "
    "token is a 401 `invalid_refresh_token`.",
)
async def refresh(
    body: RefreshIn, request: Request, signer: Signer, sessions: Sessions, settings: Settings
) -> Any:
    pool: asyncpg.Pool = request.app.state.db_pool
    rejected: service.RefreshRefusedError | None = None
    # A transaction of our own: a detected reuse revokes the family, and that must commit
    # even though the answer is an error.
    async with transaction(pool, timeout=settings.db_acquire_timeout) as conn:
        try:
            return await service.rotate(conn, signer, body.refresh_token, settings.refresh_ttl_days)
        except service.RefreshRefusedError as exc:
            rejected = exc
    assert rejected is not None
    if rejected.ended_session is not None:
        ttl = ended_session_ttl(settings)
        await sessions.end([str(rejected.ended_session)], ttl_seconds=ttl)
    raise rejected.error


@router.post(
    "/logout",
    status_code=204,
    response_class=Response,
    responses=error_responses(400, 422),
    summary="End a session",
    description="Revokes the token's whole family; the access tokens of that login stop "
    "working at once. An unknown token is also a 204.",
)
async def logout(body: RefreshIn, conn: DbConn, sessions: Sessions, settings: Settings) -> Response:
    ended = await service.end_session(conn, body.refresh_token)
    if ended is not None:
        await sessions.end([str(ended)], ttl_seconds=ended_session_ttl(settings))
    return Response(status_code=204)


@router.get(
    "/.well-known/jwks.json",
    response_model=Jwks,
    summary="Public keys that verify access tokens (EdDSA, Ed25519)",
)
async def jwks(request: Request) -> Any:
    keys = request.app.state.token_verifier.keys
    return {"keys": [jwk(key) for key in keys.values()]}
