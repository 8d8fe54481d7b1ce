"""Access tokens: identity signs them with EdDSA, every service verifies them on its own."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt
from cachetools import LRUCache
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from edu_common.errors import AppError, unauthorized
from edu_common.security.keys import SigningKey

ALGORITHM = "EdDSA"
# Tokens a verifier remembers as checked. A session presents the same access token on each of
# its requests for up to 15 minutes, and checking its EdDSA signature again costs about 0.4 ms
# of CPU every time (a third of a cached course read).
VERIFIED_TOKENS_KEPT = 4096


class Role(StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"
    ADMIN = "admin"
    SERVICE = "service"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, as the access token says."""

    user_id: uuid.UUID
    role: Role
    is_verified: bool
    token_id: str
    name: str | None = None
    # The login this token belongs to (its refresh-token family); None for service tokens.
    session_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


class TokenSigner:
    def __init__(
        self, key: SigningKey, *, issuer: str, audience: str, access_ttl_seconds: int
    ) -> None:
        self.key = key
        self.issuer = issuer
        self.audience = audience
        self.access_ttl_seconds = access_ttl_seconds
        self._kid = key.kid

    def sign_access(
        self,
        user_id: uuid.UUID | str,
        role: Role | str,
        is_verified: bool,
        *,
        name: str | None = None,
        ttl_seconds: int | None = None,
        session_id: uuid.UUID | str | None = None,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": str(user_id),
            "role": str(role),
            "is_verified": is_verified,
            "iat": now,
            "nbf": now,
            "exp": now + (ttl_seconds or self.access_ttl_seconds),
            "jti": uuid.uuid4().hex,
            "iss": self.issuer,
            "aud": self.audience,
        }
        if name is not None:
            claims["name"] = name
        if session_id is not None:
            claims["sid"] = str(session_id)
        return jwt.encode(
            claims, self.key.private_key, algorithm=ALGORITHM, headers={"kid": self._kid}
        )


class TokenVerifier:
    def __init__(
        self,
        keys: dict[str, Ed25519PublicKey],
        *,
        issuer: str,
        audience: str,
        leeway_seconds: int = 10,
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway_seconds
        # Token text -> (its principal, its `exp`), the least recently used made room for a
        # new one. Only a token that passed every check is kept, under its whole text
        # (signature included): a forged or altered token is another string, and is checked
        # in full. Its expiry is checked on every use.
        self._verified: LRUCache[str, tuple[Principal, float]] = LRUCache(VERIFIED_TOKENS_KEPT)

    def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None:
            principal, expires = known
            # PyJWT's own rule: expired once `exp` is at or before now minus the leeway.
            if expires > time.time() - self.leeway:
                return principal
            del self._verified[token]
            raise unauthorized("token expired", "token_expired")
        principal, expires = self._check(token)
        self._verified[token] = (principal, expires)
        return principal

    def _check(self, token: str) -> tuple[Principal, float]:
        """The token's principal and its `exp`, after every check of its header, signature
        and claims."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise unauthorized("malformed token", "invalid_token") from None
        # Only EdDSA is accepted: `none`, HS256 signed with a public key and the like are refused.
        if header.get("alg") != ALGORITHM:
            raise unauthorized("token algorithm not accepted", "invalid_token")
        # Identity names its key in every token; one without a `kid` was not made by it.
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise unauthorized("token names no signing key", "invalid_token")
        key = self.keys.get(kid)
        if key is None:
            raise unauthorized("token signed by an unknown key", "invalid_token")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "sub", "jti"]},
            )
        except jwt.ExpiredSignatureError:
            raise unauthorized("token expired", "token_expired") from None
        except jwt.ImmatureSignatureError:
            raise unauthorized("token not yet valid", "invalid_token") from None
        except jwt.PyJWTError:
            raise unauthorized("invalid token", "invalid_token") from None
        try:
            principal = Principal(
                user_id=uuid.UUID(str(claims["sub"])),
                role=Role(str(claims.get("role"))),
                is_verified=bool(claims.get("is_verified", False)),
                token_id=str(claims["jti"]),
                name=claims.get("name"),
                session_id=_optional_str(claims.get("sid")),
            )
            # PyJWT has checked that `exp` is a number.
            return principal, float(claims["exp"])
        except (ValueError, TypeError):
            raise AppError(401, "invalid_token", "token claims are malformed") from None


def _optional_str(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ValueError("a claim that must be a string is not")
    return value
