"""Access tokens for any user and role, signed with the test session's key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from edu_common.security.keys import SigningKey
from edu_common.security.tokens import Role, TokenSigner


class Tokens:
    """Access tokens signed with the session's key, for any user and role."""

    def __init__(self, signer: TokenSigner) -> None:
        self.signer = signer

    def make(
        self,
        role: Role | str,
        *,
        user_id: uuid.UUID | None = None,
        is_verified: bool = True,
        name: str | None = None,
        ttl_seconds: int | None = None,
    ) -> tuple[uuid.UUID, dict[str, str]]:
        uid = user_id or uuid.uuid4()
        token = self.signer.sign_access(uid, role, is_verified, name=name, ttl_seconds=ttl_seconds)
        return uid, {"Authorization": f"Bearer {token}"}

    def student(self, **kw: Any) -> tuple[uuid.UUID, dict[str, str]]:
        return self.make(Role.STUDENT, **kw)

    def teacher(self, **kw: Any) -> tuple[uuid.UUID, dict[str, str]]:
        return self.make(Role.TEACHER, **kw)

    def admin(self, **kw: Any) -> tuple[uuid.UUID, dict[str, str]]:
        return self.make(Role.ADMIN, **kw)

    def service(self, **kw: Any) -> tuple[uuid.UUID, dict[str, str]]:
        return self.make(Role.SERVICE, **kw)


@dataclass(frozen=True)
class HostileTokens:
    # A student's token every service accepts, made as each attack below is made.
    valid: str
    # By the attack each stands for: every authenticated route must answer 401.
    attacks: dict[str, str]


def hostile_tokens(signer: TokenSigner, refresh_token: str) -> HostileTokens:
    """Tokens every authenticated route must refuse with a 401, each a valid student's token
    but for the one thing its name says; `refresh_token` is a real refresh token, presented as
    an access token."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": str(uuid.uuid4()),
        "role": "student",
        "is_verified": True,
        "iat": now,
        "nbf": now,
        "exp": now + 900,
        "jti": uuid.uuid4().hex,
        "iss": signer.issuer,
        "aud": signer.audience,
    }
    key = signer.key
    kid = {"kid": key.kid}

    def signed(body: dict[str, Any], headers: dict[str, Any] | None = None) -> str:
        return jwt.encode(
            body, key.private_key, algorithm="EdDSA", headers=kid if headers is None else headers
        )

    valid = signed(claims)
    head, payload, signature = valid.split(".")
    raised = json.loads(_unb64(payload)) | {"role": "admin"}
    other = SigningKey.generate()
    public_pem = key.public_pem().encode()
    return HostileTokens(
        valid,
        {
            "forged signature (another key, same kid)": jwt.encode(
                claims, other.private_key, algorithm="EdDSA", headers=kid
            ),
            "expired": signed(claims | {"iat": now - 7200, "nbf": now - 7200, "exp": now - 3600}),
            "tampered payload (role raised to admin)": ".".join(
                [head, _b64(json.dumps(raised).encode()), signature]
            ),
            "alg none": ".".join(
                [_b64(b'{"alg":"none","typ":"JWT","kid":"' + key.kid.encode() + b'"}'), payload, ""]
            ),
            "HS256 signed with the public key": ".".join(
                _hs256(
                    {"alg": "HS256", "typ": "JWT", "kid": key.kid},
                    claims | {"role": "admin"},
                    public_pem,
                )
            ),
            "wrong audience": signed(claims | {"aud": "another-platform"}),
            "wrong issuer": signed(claims | {"iss": "https://issuer.example"}),
            "refresh token as access": refresh_token,
            "no kid": signed(claims, {}),
            "unknown kid": signed(claims, {"kid": other.kid}),
        },
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hs256(header: dict[str, Any], body: dict[str, Any], secret: bytes) -> list[str]:
    # PyJWT refuses to use a PEM as an HMAC secret, as a careless verifier would not.
    signing_input = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(body).encode())
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return [*signing_input.split("."), _b64(mac)]
