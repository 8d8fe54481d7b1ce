"""What the ended-session check costs each authenticated request, with Valkey up and down.

    python tools/bench/ended_sessions.py              # 3,000 checks against embedded Valkey
    python tools/bench/ended_sessions.py --checks 10000

It starts its own embedded Valkey and times `EndedSessions.has_ended`, the call every service
makes after verifying an access token's signature; then the same call against a closed port,
where it fails open.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import statistics
import time
import uuid

from edu_common.cache import create_redis
from edu_common.security.sessions import EndedSessions
from edu_common.security.tokens import Principal, Role
from edu_common.settings import ServiceSettings
from edu_devstack.testing import TestServers


async def _time_checks(redis_url: str, checks: int) -> list[float]:
    redis = create_redis(ServiceSettings(redis_url=redis_url))
    ended = EndedSessions(redis)
    principal = Principal(uuid.uuid4(), Role.STUDENT, True, "jti", session_id=uuid.uuid4().hex)
    try:
        for _ in range(min(200, checks)):
            await ended.has_ended(principal)
        samples = []
        for _ in range(checks):
            started = time.perf_counter()
            await ended.has_ended(principal)
            samples.append((time.perf_counter() - started) * 1e6)
    finally:
        await redis.aclose()
    return sorted(samples)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _report(label: str, samples: list[float]) -> None:
    p99 = samples[int(len(samples) * 0.99)]
    print(f"{label}: median {statistics.median(samples):.0f} us, p99 {p99:.0f} us")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=3000)
    args = parser.parse_args()
    servers = TestServers.start()
    try:
        _report("Valkey up", asyncio.run(_time_checks(servers.valkey.url(), args.checks)))
    finally:
        servers.stop()
    # Every failed check logs an error; the timing is what matters here.
    logging.disable(logging.CRITICAL)
    down = f"redis://127.0.0.1:{_closed_port()}/0"
    _report("Valkey down (fails open)", asyncio.run(_time_checks(down, min(args.checks, 300))))


if __name__ == "__main__":
    main()
