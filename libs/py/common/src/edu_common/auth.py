"""Typed FastAPI dependencies for who is calling and what they may do."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from edu_common.errors import forbidden, unauthorized
from edu_common.security.sessions import EndedSessions
from edu_common.security.tokens import Principal, Role, TokenVerifier

_bearer = HTTPBearer(auto_error=False, description="Access token from identity")


def _verifier(request: Request) -> TokenVerifier:
    verifier: TokenVerifier = request.app.state.token_verifier
    return verifier


async def optional_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    if credentials is None:
        if request.headers.get("authorization"):
            raise unauthorized("authorization header must be 'Bearer <token>'", "invalid_token")
        return None
    principal = _verifier(request).verify(credentials.credentials)
    if await EndedSessions(request.app.state.redis).has_ended(principal):
        raise unauthorized("the session of this token has ended", "invalid_token")
    return principal


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise unauthorized()
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]
OptionalUser = Annotated[Principal | None, Depends(optional_principal)]


def require_role(*roles: Role | str) -> Callable[[Principal], Awaitable[Principal]]:
    allowed = {Role(r) for r in roles}

    async def check(principal: CurrentUser) -> Principal:
        if principal.role not in allowed:
            raise forbidden(f"this action requires the role {' or '.join(sorted(allowed))}")
        return principal

    return check


async def _verified_teacher(principal: CurrentUser) -> Principal:
    if principal.role is Role.ADMIN:
        return principal
    if principal.role is not Role.TEACHER:
        raise forbidden("only teachers can do this")
    if not principal.is_verified:
        raise forbidden("your teacher account is not verified yet", "teacher_not_verified")
    return principal


Student = Annotated[Principal, Depends(require_role(Role.STUDENT))]
Teacher = Annotated[Principal, Depends(require_role(Role.TEACHER, Role.ADMIN))]
VerifiedTeacher = Annotated[Principal, Depends(_verified_teacher)]
Admin = Annotated[Principal, Depends(require_role(Role.ADMIN))]
AdminOrService = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.SERVICE))]
