"""Module and lesson routes for the wrong callers, unknown ids and bad input."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import httpx


async def test_admin_and_unverified_teachers_do_not_shape_a_curriculum(
    client: httpx.AsyncClient,
    make_course: Any,
    add_module: Any,
    add_lesson: Any,
    tokens: Any,
) -> None:
    course = await make_course()
    module = await add_module(course["id"], title="Kept")
    lesson = await add_lesson(module["id"], title="Kept")
    _, admin = tokens.admin()
    _, unverified = tokens.teacher(is_verified=False)
    _, service = tokens.service()
    for headers in (admin, unverified, service):
        calls = [
            client.post(f"/courses/{course['id']}/modules", json={"title": "x"}, headers=headers),
            client.put(f"/modules/{module['id']}", json={"title": "x"}, headers=headers),
            client.delete(f"/modules/{module['id']}", headers=headers),
            client.post(f"/modules/{module['id']}/lessons", json={"title": "x"}, headers=headers),
            client.put(f"/lessons/{lesson['id']}", json={"title": "x"}, headers=headers),
            client.delete(f"/lessons/{lesson['id']}", headers=headers),
        ]
        for call in calls:
            r = await call
            assert r.status_code == 403, r.text
            assert r.json()["code"] == "not_course_owner"
    cur = (await client.get(f"/courses/{course['id']}/curriculum")).json()
    assert [(m["title"], [x["title"] for x in m["lessons"]]) for m in cur["modules"]] == [
        ("Kept", ["Kept"])
    ]


async def test_unknown_and_malformed_ids(client: httpx.AsyncClient, teacher: Any) -> None:
    h = teacher[1]
    missing = uuid.uuid4()
    calls = [
        client.post(f"/courses/{missing}/modules", json={"title": "x"}, headers=h),
        client.put(f"/modules/{missing}", json={"title": "x"}, headers=h),
        client.delete(f"/modules/{missing}", headers=h),
        client.post(f"/modules/{missing}/lessons", json={"title": "x"}, headers=h),
        client.put(f"/lessons/{missing}", json={"title": "x"}, headers=h),
        client.delete(f"/lessons/{missing}", headers=h),
        client.get(f"/lessons/{missing}", headers=h),
        client.get(f"/courses/{missing}/curriculum"),
    ]
    for call in calls:
        r = await call
        assert r.status_code == 404, r.text
        assert r.json()["code"] == "not_found"
    calls = [
        client.post("/courses/1/modules", json={"title": "x"}, headers=h),
        client.put("/modules/1", json={"title": "x"}, headers=h),
        client.delete("/modules/1", headers=h),
        client.post("/modules/1/lessons", json={"title": "x"}, headers=h),
        client.put("/lessons/1", json={"title": "x"}, headers=h),
        client.delete("/lessons/1", headers=h),
        client.get("/courses/1/curriculum"),
    ]
    for call in calls:
        assert (await call).status_code == 422


async def test_module_and_lesson_bad_input(
    client: httpx.AsyncClient,
    make_course: Any,
    add_module: Any,
    add_lesson: Any,
    teacher: Any,
) -> None:
    h = teacher[1]
    course = await make_course()
    module = await add_module(course["id"])
    lesson = await add_lesson(module["id"], content="original")
    bad: Mapping[str, object]
    for bad in (
        {},
        {"title": ""},
        {"title": None},
        {"title": "m" * 201},
        {"title": "ok", "position": 0},
        {"title": "ok", "position": -1},
        {"title": "ok", "position": 10_001},
        {"title": "ok", "position": "first"},
        {"title": "ok", "position": True},
        {"title": "ok", "position": "2"},
    ):
        r = await client.post(f"/courses/{course['id']}/modules", json=bad, headers=h)
        assert r.status_code == 422, (bad, r.text)
    for bad in ({"title": ""}, {"position": 0}, {"title": "m" * 201}):
        r = await client.put(f"/modules/{module['id']}", json=bad, headers=h)
        assert r.status_code == 422, (bad, r.text)
    for bad in (
        {},
        {"title": ""},
        {"title": "l" * 201},
        {"title": "ok", "content": "c" * 100_001},
        {"title": "ok", "content": None},
        {"title": "ok", "duration_minutes": -1},
        {"title": "ok", "duration_minutes": 100_001},
        {"title": "ok", "duration_minutes": True},
        {"title": "ok", "position": 0},
        {"title": "ok", "is_preview": "maybe"},
        {"title": "ok", "video_url": "https://youtu.be/" + "v" * 500},
        {"title": "ok", "video_url": 42},
        {"title": "ok", "video_url": "https://youtu.be/a\u0000"},
        {"title": "ok", "video_url": "https://youtu.be/a b"},
        {"title": "ok", "content": "NUL \u0000 inside"},
    ):
        r = await client.post(f"/modules/{module['id']}/lessons", json=bad, headers=h)
        assert r.status_code == 422, (bad, r.text)
    for bad in (
        {"title": None},
        {"content": None},
        {"duration_minutes": None},
        {"is_preview": None},
        {"duration_minutes": -3},
        {"video_url": "ftp://youtube.com/x"},
    ):
        r = await client.put(f"/lessons/{lesson['id']}", json=bad, headers=h)
        assert r.status_code == 422, (bad, r.text)
    r = await client.post(
        f"/modules/{module['id']}/lessons",
        content=b"{'title': 1}",
        headers={**h, "content-type": "application/json"},
    )
    assert r.status_code == 400
    # The lesson and the curriculum are as they were.
    r = await client.get(f"/lessons/{lesson['id']}", headers=h)
    assert r.json()["content"] == "original"
    assert (await client.get(f"/courses/{course['id']}/curriculum")).json()["total_lessons"] == 1


async def test_lesson_update_by_owner(
    client: httpx.AsyncClient, make_course: Any, add_module: Any, add_lesson: Any, teacher: Any
) -> None:
    course = await make_course(price_cents=300)
    module = await add_module(course["id"])
    lesson = await add_lesson(module["id"], title="Draft", content="old")
    r = await client.put(
        f"/lessons/{lesson['id']}",
        json={
            "title": "Final",
            "content": "## New",
            "video_url": "https://www.youtube.com/watch?v=abcdefghijk",
            "duration_minutes": 12,
            "is_preview": True,
            "course_id": str(uuid.uuid4()),
            "module_id": str(uuid.uuid4()),
        },
        headers=teacher[1],
    )
    assert r.status_code == 200, r.text
    updated = r.json()
    assert updated["title"] == "Final"
    assert updated["content_html"].strip() == "<h2>New</h2>"
    assert updated["course_id"] == course["id"]
    assert updated["module_id"] == module["id"]
    # Now a preview: anyone may read it.
    r = await client.get(f"/lessons/{lesson['id']}")
    assert r.status_code == 200
    assert r.json()["video_url"] == "https://www.youtube.com/embed/abcdefghijk"
    r = await client.put(f"/lessons/{lesson['id']}", json={"video_url": None}, headers=teacher[1])
    assert r.status_code == 200
    assert r.json()["video_url"] is None
