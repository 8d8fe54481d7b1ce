"""Web page benchmark: how long the web app itself takes to render its busiest pages, and
how much a first visit downloads.

    python tools/bench/web_pages.py              # 300 requests per page
    python tools/bench/web_pages.py --runs 1000

The services are answered in-process at the HTTP boundary (respx) with realistic payloads
(12 catalog cards, an outline of 4 modules of 5 lessons, a 6 KB lesson), so the figures are
the web app's own work per request: routing, clients, parsing, templates, middleware, gzip;
what a page adds on top of the services' own latency (see docs/performance/ for theirs). Each
figure is the `app` entry of the page's Server-Timing header.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import re
import statistics
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import respx
from web.app import create_app
from web.settings import WebSettings

NAMES = ("identity", "course", "enrollment", "payment", "notification")
SERVICES = {name: f"http://{name}.bench" for name in NAMES}
PARAGRAPH = (
    "<p>pandas reads <code>csv</code> files.</p>"
    "<pre><code>import pandas as pd\ndf = pd.read_csv('data.csv')</code></pre>"
)
NOW = datetime.now(UTC).isoformat()
TIMING = re.compile(r"app;dur=([0-9.]+)")


def course(n: int) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()), "title": f"Practical data analysis, part {n}",
        "description": "Clean, explore and present data with pandas. " * 6,
        "teacher_id": str(uuid.uuid4()), "teacher_name": "Maria Ivanova",
        "category_id": None, "level": "intermediate", "price_cents": 1999 * (n % 2),
        "currency": "USD", "is_free": n % 2 == 0, "duration_minutes": 240,
        "avg_rating": 4.3, "review_count": 87, "enrollment_count": 1200,
        "status": "published", "created_at": NOW,
    }  # fmt: skip


def fake_services(router: respx.MockRouter) -> tuple[str, str]:
    courses = [course(n) for n in range(12)]
    first = courses[0]
    modules = [
        {
            "id": str(uuid.uuid4()), "title": f"Module {m}", "position": m,
            "lessons": [
                {"id": str(uuid.uuid4()), "title": f"Lesson {m}.{n}", "position": n,
                 "duration_minutes": 12, "is_preview": n == 1}
                for n in range(1, 6)
            ],
        }
        for m in range(1, 5)
    ]  # fmt: skip
    lessons = [x for m in modules for x in m["lessons"]]
    lesson = {
        "id": lessons[3]["id"], "module_id": modules[0]["id"], "course_id": first["id"],
        "title": lessons[3]["title"], "content": "...",
        "content_html": "<h2>Reading a CSV</h2>" + PARAGRAPH * 40,
        "video_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "duration_minutes": 12,
        "position": 4, "is_preview": False,
        "prev_lesson_id": lessons[2]["id"], "next_lesson_id": lessons[4]["id"],
    }  # fmt: skip
    reviews = [
        {"id": str(uuid.uuid4()), "course_id": first["id"], "student_id": str(uuid.uuid4()),
         "author_name": f"Student {n}", "rating": 4, "comment": "Clear and useful. " * 5,
         "created_at": NOW}
        for n in range(5)
    ]  # fmt: skip
    c = SERVICES["course"]
    router.get(f"{c}/courses").respond(200, json={"items": courses, "next_cursor": "next"})
    router.get(f"{c}/categories").respond(
        200,
        json=[
            {"id": str(uuid.uuid4()), "slug": f"c{n}", "name": f"Category {n}", "course_count": 40}
            for n in range(8)
        ],
    )
    router.get(f"{c}/courses/{first['id']}").respond(200, json=first)
    router.get(f"{c}/courses/{first['id']}/curriculum").respond(
        200, json={"course_id": first["id"], "modules": modules, "total_lessons": len(lessons)}
    )
    router.get(f"{c}/reviews/course/{first['id']}").respond(
        200, json={"items": reviews, "next_cursor": "more"}
    )
    router.get(f"{c}/lessons/{lesson['id']}").respond(200, json=lesson)
    return f"/courses/{first['id']}", f"/lessons/{lesson['id']}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(runs: int) -> None:
    settings = WebSettings(access_log=False, **{f"{k}_url": v for k, v in SERVICES.items()})
    app = create_app(settings)
    with respx.mock(assert_all_called=False) as router:
        course_path, lesson_path = fake_services(router)
        pages = {"catalog": "/?q=data&sort=rating", "course": course_path, "lesson": lesson_path}
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                print(f"{'page':<8} {'runs':>5} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
                for name, path in pages.items():
                    for _ in range(20):  # warm-up: template compilation, connection pools
                        await client.get(path)
                    times: list[float] = []
                    for _ in range(runs):
                        r = await client.get(path)
                        assert r.status_code == 200, (path, r.status_code)
                        match = TIMING.search(r.headers["server-timing"])
                        assert match
                        times.append(float(match.group(1)))
                    print(
                        f"{name:<8} {runs:>5} {statistics.median(times):>7.2f} "
                        f"{percentile(times, 0.95):>7.2f} {max(times):>7.2f}"
                    )
                print()
                print("first visit, gzip-compressed bytes:")
                for name, path in pages.items():
                    html = (await client.get(path)).content
                    assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)
                    sizes = {"html": len(gzip.compress(html))}
                    for asset in assets:
                        body = (await client.get(asset.decode())).content
                        sizes[asset.decode().split("/")[-1]] = len(gzip.compress(body))
                    total = sum(sizes.values())
                    parts = ", ".join(f"{k} {v / 1024:.1f} KB" for k, v in sizes.items())
                    print(f"  {name:<8} {total / 1024:6.1f} KB  ({parts})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=300)
    asyncio.run(main(parser.parse_args().runs))
