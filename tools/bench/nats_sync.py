"""What JetStream's `sync_interval: always` costs the outbox relay's publishing.

    python tools/bench/nats_sync.py                  # 2,000 publishes per server, 3 rounds
    python tools/bench/nats_sync.py --messages 5000 --rounds 5

It starts two embedded NATS servers side by side, one with `sync_interval: always` (what
`edu up` and the tests run) and one with NATS's default (flush to disk every 2 minutes), and
publishes to each as the relay does: one event at a time, each waiting for JetStream's
acknowledgement, with its message id. Rounds alternate between the servers, so both see the
same machine load; it prints the publish rate of each and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from edu_common.events import EventBus
from edu_devstack.infra import EmbeddedNats
from edu_devstack.processes import free_port


async def _rate(url: str, messages: int) -> float:
    tag = uuid.uuid4().hex[:8]
    bus = EventBus(url, stream=f"B{tag.upper()}", prefix=f"b{tag}")
    await bus.connect()
    payload = b'{"event":"bench","padding":"' + b"x" * 400 + b'"}'
    try:
        await bus.publish("warm.up", payload, msg_id=uuid.uuid4().hex)
        started = time.perf_counter()
        for _ in range(messages):
            await bus.publish("bench.event", payload, msg_id=uuid.uuid4().hex)
        return messages / (time.perf_counter() - started)
    finally:
        await bus.js.delete_stream(bus.stream)
        await bus.close()


async def main(messages: int, rounds: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="edu-bench-nats-"))
    servers = {
        "sync_interval: always": EmbeddedNats(root / "always", free_port()),
        "default (2 min)": EmbeddedNats(root / "default", free_port(), sync_always=False),
    }
    try:
        for server in servers.values():
            server.start()
        rates: dict[str, list[float]] = {name: [] for name in servers}
        for _ in range(rounds):
            for name, server in servers.items():
                rates[name].append(await _rate(server.url(), messages))
        print(f"{messages} acknowledged publishes, one at a time, {rounds} rounds (median):")
        medians = {name: statistics.median(values) for name, values in rates.items()}
        for name, median in medians.items():
            print(f"  {name:<22} {median:8.0f} msg/s   rounds: {[round(r) for r in rates[name]]}")
        always, default = medians.values()
        print(f"  always / default: {always / default:.2f}")
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.messages, args.rounds))
