"""Sessions: a login starts a refresh-token family; each refresh spends one token and hands
out its successor; a spent token presented again revokes the family."""

from __future__ import annotations

import hashlib
import secrets
import uuid

import asyncpg
from edu_common.errors import AppError
from edu_common.security.tokens import TokenSigner

from identity.accounts.repository import User, UserRepository
from identity.accounts.schemas import UserOut
from identity.sessions.repository import RefreshTokenRepository
from identity.sessions.schemas import TokenPair


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def invalid_refresh_token() -> AppError:
    return AppError(401, "invalid_refresh_token", "the refresh token is invalid or expired")


def refresh_token_reused() -> AppError:
    return AppError(
        401,
        "refresh_token_reused",
        "this refresh token was already used; every session from that login is revoked",
    )


def access_token_for(signer: TokenSigner, user: User, family_id: uuid.UUID) -> str:
    # The family is the session: ending it early ends this token too (EndedSessions).
    return signer.sign_access(
        user.id, user.role, user.is_verified, name=user.name, session_id=family_id
    )


async def _issue(
    conn: asyncpg.Connection,
    signer: TokenSigner,
    user: User,
    ttl_days: int,
    family_id: uuid.UUID,
    parent_hash: str | None,
) -> TokenPair:
    raw = secrets.token_urlsafe(32)
    await RefreshTokenRepository(conn).add(
        hash_token(raw), user.id, family_id, ttl_days, parent_hash
    )
    return TokenPair(
        access_token=access_token_for(signer, user, family_id),
        refresh_token=raw,
        expires_in=signer.access_ttl_seconds,
        user=UserOut.model_validate(user),
    )


async def start_session(
    conn: asyncpg.Connection, signer: TokenSigner, user: User, ttl_days: int
) -> TokenPair:
    return await _issue(conn, signer, user, ttl_days, uuid.uuid4(), None)


class RefreshRefusedError(Exception):
    """The refresh failed; its effects (a revoked family) must still be committed, and the
    session that family was ended."""

    def __init__(self, error: AppError, ended_session: uuid.UUID | None = None) -> None:
        super().__init__(error.detail)
        self.error = error
        self.ended_session = ended_session


async def rotate(
    conn: asyncpg.Connection, signer: TokenSigner, raw: str, ttl_days: int
) -> TokenPair:
    """Spends `raw` and issues its successor, with the user's current role and verification.

    Raises RefreshRefusedError (not AppError) so the caller can commit a family revocation
    before answering 401.
    """
    tokens = RefreshTokenRepository(conn)
    token_hash = hash_token(raw)
    spent = await tokens.spend(token_hash)
    if spent is None:
        stored = await tokens.find(token_hash)
        if stored is not None and stored.used_at is not None and stored.revoked_at is None:
            await tokens.revoke_family(stored.family_id)
            raise RefreshRefusedError(refresh_token_reused(), stored.family_id)
        if stored is not None and stored.used_at is not None:
            raise RefreshRefusedError(refresh_token_reused())
        raise RefreshRefusedError(invalid_refresh_token())
    user_id, family_id = spent
    user = await UserRepository(conn).get(user_id)
    if user is None:
        raise RefreshRefusedError(invalid_refresh_token())
    return await _issue(conn, signer, user, ttl_days, family_id, token_hash)


async def end_session(conn: asyncpg.Connection, raw: str) -> uuid.UUID | None:
    """Revokes the token's family; returns it (the session ended), None for an unknown token."""
    tokens = RefreshTokenRepository(conn)
    stored = await tokens.find(hash_token(raw))
    if stored is None:
        return None
    await tokens.revoke_family(stored.family_id)
    return stored.family_id
