"""A service killed between commit and publish: writes committed while it could not reach
NATS wait in its outbox; the service is SIGKILLed, started again, and each event arrives in
the stream exactly once. (A kill after publishing but before the outbox row is marked is
`libs/py/common/tests/test_relay_crash.py`.)"""

from __future__ import annotations

import collections
import uuid
from typing import TYPE_CHECKING

import asyncpg
import httpx
from edu_common.events import EventBus
from edu_common.security.keys import SigningKey
from edu_devstack.processes import free_port
from edu_devstack.testing import Tokens, eventually, service_process

if TYPE_CHECKING:
    from edu_devstack.testing import TestServers

COURSES = 5


async def test_events_committed_before_a_kill_arrive_once_after_the_restart(
    edu_servers: TestServers, signing_key: SigningKey, tokens: Tokens
) -> None:
    namespace = f"r{uuid.uuid4().hex[:8]}"
    unreachable = {"nats_url": f"nats://127.0.0.1:{free_port()}"}
    async with service_process(
        edu_servers, signing_key, "course", settings=unreachable, namespace=namespace
    ) as course:
        _, teacher = tokens.teacher(is_verified=True, name="Grace")
        async with httpx.AsyncClient(base_url=course.url, timeout=30) as http:
            ready = (await http.get("/health/ready")).json()
            assert ready["degraded"] == ["event_bus"], ready
            for i in range(COURSES):
                body = {"title": f"Course {i}", "level": "beginner", "price_cents": 0}
                r = await http.post("/courses", json=body, headers=teacher)
                assert r.status_code == 201, r.text
        db = await asyncpg.connect(edu_servers.postgres.url(course.database))
        try:
            rows = await db.fetch("SELECT event_id, published_at FROM outbox")
            committed = {str(row["event_id"]) for row in rows}
            assert len(committed) >= COURSES
            assert all(row["published_at"] is None for row in rows)

            await course.stop()  # SIGKILL, the whole process group
            course.env["EDU_COURSE_NATS_URL"] = edu_servers.nats.url()
            await course.start()

            async def drained() -> bool:
                waiting = await db.fetchval(
                    "SELECT count(*) FROM outbox WHERE published_at IS NULL"
                )
                return bool(waiting == 0)

            await eventually(drained, timeout=60, interval=0.2)
        finally:
            await db.close()

        bus = EventBus(edu_servers.nats.url(), stream=namespace.upper(), prefix=namespace)
        await bus.connect()
        try:
            info = await bus.js.stream_info(bus.stream)
            seen: collections.Counter[str] = collections.Counter()
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                msg = await bus.js.get_msg(bus.stream, seq)
                seen[(msg.headers or {}).get("Nats-Msg-Id", "")] += 1
            assert set(seen) == committed
            assert set(seen.values()) == {1}, seen
        finally:
            await bus.js.delete_stream(bus.stream)
            await bus.close()
