"""What identity's endpoints take from the running app, as typed dependencies."""

from __future__ import annotations

from typing import Annotated

from edu_common.ratelimit import RateLimiter
from edu_common.security.passwords import PasswordHasher
from edu_common.security.sessions import EndedSessions
from edu_common.security.tokens import TokenSigner
from fastapi import Depends, Request

from identity.settings import IdentitySettings


async def _settings(request: Request) -> IdentitySettings:
    settings: IdentitySettings = request.app.state.settings
    return settings


async def _signer(request: Request) -> TokenSigner:
    signer: TokenSigner = request.app.state.token_signer
    return signer


async def _hasher(request: Request) -> PasswordHasher:
    hasher: PasswordHasher = request.app.state.password_hasher
    return hasher


async def _limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


async def _ended_sessions(request: Request) -> EndedSessions:
    return EndedSessions(request.app.state.redis)


async def _client_ip(request: Request) -> str:
    # The socket peer only: X-Forwarded-For is client-controlled and never trusted here.
    return request.client.host if request.client else "unknown"


Settings = Annotated[IdentitySettings, Depends(_settings)]
Signer = Annotated[TokenSigner, Depends(_signer)]
Hasher = Annotated[PasswordHasher, Depends(_hasher)]
Limiter = Annotated[RateLimiter, Depends(_limiter)]
ClientIp = Annotated[str, Depends(_client_ip)]
Sessions = Annotated[EndedSessions, Depends(_ended_sessions)]


def ended_session_ttl(settings: IdentitySettings) -> int:
    """How long an ended session is remembered: the longest any of its access tokens lives,
    with the verifiers' leeway for clock skew."""
    return settings.access_ttl_seconds + settings.jwt_leeway_seconds
