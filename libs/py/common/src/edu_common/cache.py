"""Valkey (Redis protocol) client and a cache-aside helper that degrades to misses."""

from __future__ import annotations

import json
import logging
from typing import Any, cast

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from edu_common.metrics import CACHE_REQUESTS
from edu_common.settings import ServiceSettings

logger = logging.getLogger("edu.cache")


def create_redis(settings: ServiceSettings) -> Redis:
    return Redis.from_url(
        settings.redis_url,
        socket_timeout=settings.redis_timeout,
        socket_connect_timeout=settings.redis_timeout,
        decode_responses=False,
        health_check_interval=30,
        # One immediate retry covers a connection dropped by a Valkey restart. The client's
        # default (ten retries with growing delays) would hold every cached read and rate-limit
        # check for seconds while Valkey is down, instead of degrading at once.
        retry=Retry(NoBackoff(), 1),
    )


class JsonCache:
    """Cache-aside for JSON values. When Valkey is unreachable every read is a miss and every
    write a no-op, so the service keeps answering from the database, only slower."""

    def __init__(self, redis: Redis, name: str, ttl_seconds: int = 300) -> None:
        self.redis = redis
        self.name = name
        self.ttl = ttl_seconds

    def key(self, ident: object) -> str:
        return f"{self.name}:{ident}"

    async def get(self, ident: object) -> Any | None:
        raw = await self.get_bytes(ident)
        return None if raw is None else json.loads(raw)

    async def get_bytes(self, ident: object) -> bytes | None:
        """The cached JSON document as stored, for a route that answers with it unchanged
        (no parsing, validating and encoding again of what was encoded once)."""
        try:
            # decode_responses=False (create_redis): values come back as bytes.
            raw = cast(bytes | None, await self.redis.get(self.key(ident)))
        except (RedisError, OSError) as exc:
            CACHE_REQUESTS.labels(self.name, "error").inc()
            logger.warning("cache read failed", extra={"cache": self.name, "error": str(exc)})
            return None
        CACHE_REQUESTS.labels(self.name, "hit" if raw is not None else "miss").inc()
        return raw

    async def set(self, ident: object, value: Any) -> None:
        await self.set_bytes(ident, json.dumps(value, default=str).encode())

    async def set_bytes(self, ident: object, document: bytes) -> None:
        """Stores an encoded JSON document (a response model's `model_dump_json()`)."""
        try:
            await self.redis.set(self.key(ident), document, ex=self.ttl)
        except (RedisError, OSError) as exc:
            logger.warning("cache write failed", extra={"cache": self.name, "error": str(exc)})

    async def delete(self, *idents: object) -> None:
        if not idents:
            return
        try:
            await self.redis.delete(*(self.key(i) for i in idents))
        except (RedisError, OSError) as exc:
            logger.warning("cache delete failed", extra={"cache": self.name, "error": str(exc)})
