"""CPU per request: how much processor time the course service spends on each of its hot
reads, beside the same server answering `GET /health/live` in the same run.

    python tools/bench/request_cost.py                  # the stack from `edu up`, 600 each
    python tools/bench/request_cost.py --requests 2000
    python tools/bench/request_cost.py --signed-in   # as a seeded student, as the mix reads

Latency on a shared machine says how busy the machine is; the CPU time the service's process
was charged while it served a known number of requests says what each request costs it,
however many other processes compete (within a few percent). Each route runs with 8 requests
in flight; the figure is the process's user + system time over the requests served, read
with psutil from the pid `edu up` recorded, its worker processes included. Ids come from the
running catalog (a seeded one: `edu seed`), so every read finds a course. `--signed-in` sends
every request with a seeded student's access token, so the figures include checking it (the
signature, and whether its session was ended).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import time
import uuid
from collections.abc import Callable

import httpx
import psutil
from edu_devstack.settings import StackSettings
from edu_seed.scale import SEED_PASSWORD, student_email

CONCURRENCY = 8


async def _ids(client: httpx.AsyncClient) -> tuple[list[str], list[str]]:
    """Published courses, and lessons of free ones (open to anyone)."""
    courses = (await client.get("/courses?limit=100&is_free=true")).json()["items"]
    course_ids = [c["id"] for c in courses]
    lessons: list[str] = []
    for course_id in course_ids[:20]:
        outline = (await client.get(f"/courses/{course_id}/curriculum")).json()
        lessons += [lesson["id"] for m in outline["modules"] for lesson in m["lessons"]]
    return course_ids, lessons


async def _measure(
    client: httpx.AsyncClient, proc: psutil.Process, path: Callable[[], str], requests: int
) -> tuple[float, float, int]:
    """(CPU ms per request, wall-clock requests per second, non-200 answers)."""
    counter = itertools.count()
    failed = 0

    async def worker() -> None:
        nonlocal failed
        while next(counter) < requests:
            r = await client.get(path())
            failed += r.status_code != 200

    before = _cpu_seconds(proc)
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    cpu = _cpu_seconds(proc) - before
    return cpu * 1000 / requests, requests / elapsed, failed


def _cpu_seconds(proc: psutil.Process) -> float:
    """User and system time of the service: its process and its workers (`--workers`)."""
    total = 0.0
    for each in [proc, *proc.children(recursive=True)]:
        try:
            times = each.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


async def _access_token(identity_url: str) -> str:
    """A seeded student's, as the mix logs in."""
    async with httpx.AsyncClient(base_url=identity_url, timeout=30) as client:
        r = await client.post("/login", json={"email": student_email(1), "password": SEED_PASSWORD})
        r.raise_for_status()
        token: str = r.json()["access_token"]
        return token


async def main(requests: int, signed_in: bool) -> None:
    stack = StackSettings.from_env()
    stack.load_state()
    course = next(s for s in stack.installed_services() if s.name == "course")
    pid = course.process().pid()
    if pid is None:
        raise SystemExit("the course service is not running (`edu up --detach`)")
    proc = psutil.Process(pid)
    words = ["python", "data", "design", "history", "pyhton", "machine learning"]
    headers = {}
    if signed_in:
        identity = next(s for s in stack.installed_services() if s.name == "identity")
        headers["Authorization"] = f"Bearer {await _access_token(identity.url)}"
    async with httpx.AsyncClient(base_url=course.url, timeout=30, headers=headers) as client:
        course_ids, lessons = await _ids(client)
        routes: dict[str, Callable[[], str]] = {
            "GET /health/live (floor)": lambda: "/health/live",
            "GET /courses/{id} (cached)": lambda: f"/courses/{random.choice(course_ids[:20])}",
            "GET /courses/{id}/curriculum (cached)": lambda: (
                f"/courses/{random.choice(course_ids[:20])}/curriculum"
            ),
            "GET /lessons/{id}": lambda: f"/lessons/{random.choice(lessons)}",
            "GET /courses?limit=20": lambda: "/courses?limit=20",
            "GET /courses?q=...": lambda: f"/courses?q={random.choice(words)}&limit=20",
            # A query no page was cached for: read from the database, then cached.
            "GET /courses?q=... (new query)": lambda: (
                f"/courses?q={random.choice(words)} or {uuid.uuid4().hex[:10]}&limit=20"
            ),
            "GET /categories": lambda: "/categories",
        }
        # Warm the caches and the statement caches first.
        for path in routes.values():
            await _measure(client, proc, path, 50)
        who = "a signed-in student" if signed_in else "anonymous"
        print(f"course, pid {pid}: {requests} requests per route, {CONCURRENCY} in flight, {who}")
        print("| route | CPU ms / request | x floor | req/s (wall) | non-200 |")
        print("|---|---:|---:|---:|---:|")
        floor = None
        for name, path in routes.items():
            ms, rps, failed = await _measure(client, proc, path, requests)
            floor = floor or ms
            print(f"| {name} | {ms:.2f} | {ms / floor:.1f} | {rps:.0f} | {failed} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--signed-in", action="store_true", help="as a seeded student")
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.signed_in))
