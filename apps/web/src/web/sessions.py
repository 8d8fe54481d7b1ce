"""Sessions: the cookie holds only a random id; the tokens live in Valkey under it.

A visitor gets an id the first time a page needs one (every form carries a token derived
from it); nothing is stored for them until they sign in. Signing in stores the tokens under
a new id, so an id seen before sign-in never carries a signed-in session.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import LockError, RedisError

from web.clients.errors import ServiceError, ServiceUnavailable
from web.clients.identity import IdentityClient, TokenPair

logger = logging.getLogger("edu.web.sessions")

# Refresh the access token this long before it expires, so a call in flight does not land
# on the service with a token that has just died.
REFRESH_MARGIN_SECONDS = 30


@dataclass
class SignedIn:
    user_id: str
    name: str
    email: str
    role: str
    is_verified: bool
    email_verified: bool
    access_token: str
    refresh_token: str
    access_expires_at: float

    @classmethod
    def from_tokens(cls, tokens: TokenPair) -> SignedIn:
        user = tokens.user
        return cls(
            user_id=str(user.id),
            name=user.name,
            email=user.email,
            role=user.role,
            is_verified=user.is_verified,
            email_verified=user.email_verified,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            access_expires_at=time.time() + tokens.expires_in,
        )

    @property
    def is_student(self) -> bool:
        return self.role == "student"

    @property
    def is_teacher(self) -> bool:
        return self.role == "teacher"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def valid_session_id(value: str | None) -> bool:
    return bool(value) and 20 <= len(value or "") <= 64 and (value or "").isascii()


class SessionStore:
    def __init__(self, redis: Redis, identity: IdentityClient, ttl_seconds: int) -> None:
        self.redis = redis
        self.identity = identity
        self.ttl_seconds = ttl_seconds

    @staticmethod
    def _key(session_id: str) -> str:
        digest = hashlib.sha256(session_id.encode()).hexdigest()
        return f"web:session:{digest}"

    async def load(self, session_id: str) -> SignedIn | None:
        try:
            raw = await self.redis.get(self._key(session_id))
        except RedisError:
            logger.warning("session store unreachable; treating the visitor as signed out")
            return None
        if raw is None:
            return None
        data: dict[str, Any] = json.loads(raw)
        return SignedIn(**data)

    async def save(self, session_id: str, signed_in: SignedIn) -> None:
        await self.redis.set(
            self._key(session_id), json.dumps(asdict(signed_in)), ex=self.ttl_seconds
        )

    async def delete(self, session_id: str) -> None:
        try:
            await self.redis.delete(self._key(session_id))
        except RedisError:
            logger.warning("session store unreachable; session not deleted")

    async def fresh_access_token(
        self, session_id: str, signed_in: SignedIn, *, force: bool = False
    ) -> SignedIn | None:
        """The session with a usable access token, refreshed at identity if it is about to
        expire; None when the refresh token is no longer good (the session has ended).

        Two requests of one session may need a refresh at once; a refresh token is single use
        (presenting it twice revokes the family), so one refreshes under a lock and the other
        reads the result. `force` refreshes a token that is still valid (its claims are old)."""
        if not force and signed_in.access_expires_at - REFRESH_MARGIN_SECONDS > time.time():
            return signed_in
        lock = self.redis.lock(self._key(session_id) + ":refresh", timeout=10, blocking_timeout=10)
        try:
            async with lock:
                current = await self.load(session_id)
                if current is None:
                    return None
                if force and current.access_token != signed_in.access_token:
                    return current  # another request of this session has just refreshed
                if not force and current.access_expires_at - REFRESH_MARGIN_SECONDS > time.time():
                    return current
                try:
                    tokens = await self.identity.refresh(current.refresh_token)
                except ServiceUnavailable:
                    raise
                except ServiceError:
                    await self.delete(session_id)
                    return None
                refreshed = SignedIn.from_tokens(tokens)
                await self.save(session_id, refreshed)
                return refreshed
        except (LockError, RedisError):
            logger.warning("could not refresh the session's token")
            return None


def form_token(secret_key: str, session_id: str) -> str:
    """The CSRF token of a session: bound to its id, so it is worthless with any other."""
    return hmac.new(secret_key.encode(), session_id.encode(), hashlib.sha256).hexdigest()


def form_token_valid(secret_key: str, session_id: str | None, token: str | None) -> bool:
    if not session_id or not token:
        return False
    return hmac.compare_digest(form_token(secret_key, session_id), token)
