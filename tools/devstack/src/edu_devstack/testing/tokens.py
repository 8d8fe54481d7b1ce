"""Access tokens for any user and role, signed with the test session's key."""

from __future__ import annotations

import uuid
from typing import Any

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
