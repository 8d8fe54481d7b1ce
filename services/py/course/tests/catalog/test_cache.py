"""Cached course and curriculum reads: fresh after every write, and optional."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from course.app import MIGRATIONS, create_app
from course.settings import CourseSettings
from edu_common.events.contracts import EnrollmentCreated
from edu_devstack.testing import metric_value


def _counter(metrics: str, cache: str, result: str) -> float:
    return metric_value(metrics, "cache_requests_total", cache=cache, result=result)


async def test_course_writes_show_at_once(
    client: httpx.AsyncClient, make_course: Any, teacher: Any, tokens: Any, course_service: Any
) -> None:
    course = await make_course(description="Before")
    cid = course["id"]
    before = (await client.get("/metrics")).text
    for _ in range(3):
        assert (await client.get(f"/courses/{cid}")).json()["description"] == "Before"
    after = (await client.get("/metrics")).text
    assert _counter(after, "course:course", "miss") - _counter(before, "course:course", "miss") == 1
    assert _counter(after, "course:course", "hit") - _counter(before, "course:course", "hit") == 2

    r = await client.put(
        f"/courses/{cid}",
        json={"description": "After", "level": "advanced", "price_cents": 700},
        headers=teacher[1],
    )
    assert r.status_code == 200
    found = (await client.get(f"/courses/{cid}")).json()
    assert (found["description"], found["level"], found["price_cents"], found["is_free"]) == (
        "After",
        "advanced",
        700,
        False,
    )
    assert found["updated_at"] == r.json()["updated_at"]
    _, admin = tokens.admin()
    await client.put(f"/courses/{cid}", json={"title": "By admin"}, headers=admin)
    assert (await client.get(f"/courses/{cid}")).json()["title"] == "By admin"
    # A refused write leaves the cached course as it is: it is dropped only after a commit.
    _, other = tokens.teacher(is_verified=True)
    caches = course_service.app.state.caches
    assert (await client.get(f"/courses/{cid}")).json()["title"] == "By admin"
    for refused in (
        await client.put(f"/courses/{cid}", json={"title": "Hijacked"}, headers=other),
        await client.put(f"/courses/{cid}", json={"title": None}, headers=teacher[1]),
        await client.delete(f"/courses/{cid}", headers=other),
    ):
        assert refused.status_code in (403, 422), refused.text
        cached = await caches.courses.get(cid)
        assert cached is not None
        assert cached["title"] == "By admin"
    assert (await client.get(f"/courses/{cid}")).json()["title"] == "By admin"
    assert (await client.delete(f"/courses/{cid}", headers=teacher[1])).status_code == 204
    assert (await client.get(f"/courses/{cid}")).status_code == 404


async def test_curriculum_writes_show_at_once(
    client: httpx.AsyncClient,
    make_course: Any,
    add_module: Any,
    add_lesson: Any,
    teacher: Any,
    course_service: Any,
) -> None:
    h = teacher[1]
    caches = course_service.app.state.caches
    course = await make_course()
    path = f"/courses/{course['id']}/curriculum"

    async def outline() -> list[tuple[str, list[str]]]:
        # Read twice so the second answer comes from the cache.
        await client.get(path)
        cur = (await client.get(path)).json()
        return [(m["title"], [x["title"] for x in m["lessons"]]) for m in cur["modules"]]

    before = (await client.get("/metrics")).text
    assert await outline() == []
    after = (await client.get("/metrics")).text
    assert _counter(after, "course:curriculum", "hit") > _counter(
        before, "course:curriculum", "hit"
    )
    one = await add_module(course["id"], title="One")
    assert await outline() == [("One", [])]
    two = await add_module(course["id"], title="Two")
    assert await outline() == [("One", []), ("Two", [])]
    await client.put(f"/modules/{two['id']}", json={"position": 1, "title": "Deux"}, headers=h)
    assert await outline() == [("Deux", []), ("One", [])]
    a = await add_lesson(one["id"], title="A")
    assert await outline() == [("Deux", []), ("One", ["A"])]
    b = await add_lesson(one["id"], title="B", position=1)
    assert await outline() == [("Deux", []), ("One", ["B", "A"])]
    await client.put(f"/lessons/{a['id']}", json={"title": "A2", "position": 1}, headers=h)
    assert await outline() == [("Deux", []), ("One", ["A2", "B"])]
    await client.delete(f"/lessons/{b['id']}", headers=h)
    assert await outline() == [("Deux", []), ("One", ["A2"])]
    await client.delete(f"/modules/{two['id']}", headers=h)
    assert await outline() == [("One", ["A2"])]
    # A refused change leaves the cached curriculum in place.
    refused = await client.put(f"/lessons/{a['id']}", json={"title": None}, headers=h)
    assert refused.status_code == 422
    assert await caches.curricula.get(course["id"]) is not None
    cur = (await client.get(path)).json()
    assert cur["total_lessons"] == 1
    assert cur["modules"][0]["position"] == 1


async def test_service_works_without_valkey(services: Any, tokens: Any, eventually: Any) -> None:
    course_service = await services.start(
        "course", create_app, CourseSettings, MIGRATIONS, redis_url="redis://127.0.0.1:1/0"
    )
    client: httpx.AsyncClient = course_service.client
    _, teacher = tokens.teacher(is_verified=True, name="Offline")
    r = await client.post(
        "/courses",
        json={"title": "No cache", "level": "beginner", "price_cents": 0},
        headers=teacher,
    )
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    before = (await client.get("/metrics")).text
    for _ in range(2):
        assert (await client.get(f"/courses/{cid}")).json()["title"] == "No cache"
    after = (await client.get("/metrics")).text
    assert (
        _counter(after, "course:course", "error") - _counter(before, "course:course", "error") == 2
    )
    r = await client.put(f"/courses/{cid}", json={"title": "Still works"}, headers=teacher)
    assert r.status_code == 200
    assert (await client.get(f"/courses/{cid}")).json()["title"] == "Still works"
    r = await client.post(f"/courses/{cid}/modules", json={"title": "M"}, headers=teacher)
    assert r.status_code == 201
    r = await client.post(
        f"/modules/{r.json()['id']}/lessons", json={"title": "L", "content": "x"}, headers=teacher
    )
    assert r.status_code == 201
    cur = (await client.get(f"/courses/{cid}/curriculum")).json()
    assert cur["total_lessons"] == 1
    assert (await client.get(f"/lessons/{r.json()['id']}")).status_code == 200
    assert (await client.get("/courses")).status_code == 200
    # The enrollment consumer and reviews carry on too.
    student_id, student = tokens.student(name="Reader")
    event = EnrollmentCreated(
        enrollment_id=uuid.uuid4(),
        course_id=uuid.UUID(cid),
        student_id=student_id,
        course_title="Still works",
    )
    bus = course_service.app.state.event_bus
    await bus.publish(event.subject, event.model_dump_json().encode(), msg_id=str(event.event_id))

    async def enrolled() -> bool:
        return bool((await client.get(f"/courses/{cid}")).json()["enrollment_count"] == 1)

    await eventually(enrolled)
    r = await client.post("/reviews", json={"course_id": cid, "rating": 3}, headers=student)
    assert r.status_code == 201, r.text
    assert (await client.get(f"/courses/{cid}")).json()["avg_rating"] == 3.0
    assert len((await client.get(f"/reviews/course/{cid}")).json()["items"]) == 1
    r = await client.get("/health/ready")
    assert r.status_code == 200, r.text
    assert r.json()["degraded"] == ["cache"]
    assert r.json()["checks"]["cache"] == "unavailable"
    assert r.json()["checks"]["database"] == "ok"
    assert (await client.get("/health/live")).status_code == 200
