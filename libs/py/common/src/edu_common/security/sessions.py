"""Sessions ended early (logout, a password reset, a reused refresh token), remembered in
Valkey until the last access token issued for them has expired.

An access token names its session (`sid`, the refresh-token family of the login). Identity
writes the session here when it ends; every service looks the session up when it verifies an
access token, so a token dies with its session instead of living out its 15 minutes.

The check fails OPEN: when Valkey cannot answer, a token with a valid signature is accepted.
Valkey is a cache here, not the source of truth (identity's refresh tokens are, and they are
revoked in PostgreSQL whatever Valkey does); failing closed would turn a cache outage into
every user of every service being signed out. What an outage costs is what the platform had
before the deny-list: a stolen token works until it expires, at most `access_ttl` later. The
outage is logged as an error and counted, so it is seen.
"""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from edu_common.metrics import CACHE_REQUESTS
from edu_common.security.tokens import Principal

logger = logging.getLogger("edu.sessions")

_PREFIX = "edu:ended-session:"


class EndedSessions:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def end(self, session_ids: list[str], *, ttl_seconds: int) -> None:
        """Refuses the sessions' access tokens for `ttl_seconds` (the longest an access token
        lives, plus the verifiers' leeway)."""
        if not session_ids:
            return
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for session_id in session_ids:
                    pipe.set(_PREFIX + session_id, b"1", ex=ttl_seconds)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            logger.error(
                "ended sessions not recorded: their access tokens live until they expire",
                extra={"sessions": len(session_ids), "error": str(exc)},
            )

    async def has_ended(self, principal: Principal) -> bool:
        if principal.session_id is None:
            return False
        try:
            found = await self.redis.exists(_PREFIX + principal.session_id)
        except (RedisError, OSError) as exc:
            # Fail open (see the module docstring).
            CACHE_REQUESTS.labels("ended_sessions", "error").inc()
            logger.error("ended-session check unavailable", extra={"error": str(exc)})
            return False
        return bool(found)
