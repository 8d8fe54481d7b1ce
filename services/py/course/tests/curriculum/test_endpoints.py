from __future__ import annotations

import uuid
from typing import Any

import httpx
from edu_devstack.testing import assert_problem


async def _module(client: httpx.AsyncClient, course_id: str, headers: Any, **body: Any) -> Any:
    r = await client.post(
        f"/courses/{course_id}/modules", json={"title": "M", **body}, headers=headers
    )
    assert r.status_code == 201, r.text
    return r.json()


async def _lesson(client: httpx.AsyncClient, module_id: str, headers: Any, **body: Any) -> Any:
    r = await client.post(
        f"/modules/{module_id}/lessons",
        json={"title": "L", "content": "# Hi", **body},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    return r.json()


async def test_curriculum_positions_stay_dense(
    client: httpx.AsyncClient, make_course: Any, teacher: Any, course_service: Any
) -> None:
    h = teacher[1]
    course = await make_course()
    cid = course["id"]
    assert (await client.get(f"/courses/{cid}/curriculum")).json()["total_lessons"] == 0
    m1 = await _module(client, cid, h, title="One")
    m2 = await _module(client, cid, h, title="Two")
    m0 = await _module(client, cid, h, title="Zero", position=1)
    assert [m0["position"], m1["position"], m2["position"]] == [1, 1, 2]
    a = await _lesson(client, m1["id"], h, title="A")
    b = await _lesson(client, m1["id"], h, title="B")
    c = await _lesson(client, m1["id"], h, title="C", position=99)
    r = await client.put(f"/lessons/{c['id']}", json={"position": 1}, headers=h)
    assert r.status_code == 200, r.text
    cur = (await client.get(f"/courses/{cid}/curriculum")).json()
    assert [m["title"] for m in cur["modules"]] == ["Zero", "One", "Two"]
    lessons = cur["modules"][1]["lessons"]
    assert [(x["title"], x["position"]) for x in lessons] == [("C", 1), ("A", 2), ("B", 3)]
    assert cur["total_lessons"] == 3
    assert "content" not in lessons[0]

    assert (await client.delete(f"/lessons/{a['id']}", headers=h)).status_code == 204
    r = await client.put(f"/modules/{m2['id']}", json={"position": 1, "title": "2"}, headers=h)
    assert r.status_code == 200
    assert (await client.delete(f"/modules/{m0['id']}", headers=h)).status_code == 204
    cur = (await client.get(f"/courses/{cid}/curriculum")).json()
    assert [(m["title"], m["position"]) for m in cur["modules"]] == [("2", 1), ("One", 2)]
    assert [(x["title"], x["position"]) for x in cur["modules"][1]["lessons"]] == [
        ("C", 1),
        ("B", 2),
    ]
    subjects = [r["subject"] for r in await course_service.pool.fetch("SELECT subject FROM outbox")]
    assert subjects.count("course.lesson_created.v1") == 3
    assert subjects.count("course.lesson_deleted.v1") == 1
    last = await course_service.pool.fetchrow(
        "SELECT payload FROM outbox ORDER BY seq DESC LIMIT 1"
    )
    assert sorted(last["payload"]["lesson_ids"]) == sorted([b["id"], c["id"]])
    assert (await client.get(f"/courses/{uuid.uuid4()}/curriculum")).status_code == 404


async def test_only_owner_shapes_curriculum(
    client: httpx.AsyncClient, make_course: Any, teacher: Any, tokens: Any
) -> None:
    course = await make_course()
    module = await _module(client, course["id"], teacher[1])
    lesson = await _lesson(client, module["id"], teacher[1])
    _, other = tokens.teacher(is_verified=True)
    _, student = tokens.student()
    for headers, status in ((other, 403), (student, 403), ({}, 401)):
        calls = [
            client.post(f"/courses/{course['id']}/modules", json={"title": "x"}, headers=headers),
            client.put(f"/modules/{module['id']}", json={"title": "x"}, headers=headers),
            client.delete(f"/modules/{module['id']}", headers=headers),
            client.post(f"/modules/{module['id']}/lessons", json={"title": "x"}, headers=headers),
            client.put(f"/lessons/{lesson['id']}", json={"title": "x"}, headers=headers),
            client.delete(f"/lessons/{lesson['id']}", headers=headers),
        ]
        for call in calls:
            assert (await call).status_code == status
    missing = uuid.uuid4()
    r = await client.put(f"/modules/{missing}", json={"title": "x"}, headers=teacher[1])
    assert r.status_code == 404
    assert (await client.delete(f"/lessons/{missing}", headers=teacher[1])).status_code == 404
    r = await client.post(f"/modules/{missing}/lessons", json={"title": "x"}, headers=teacher[1])
    assert r.status_code == 404


async def test_lesson_content_is_safe(
    client: httpx.AsyncClient, make_course: Any, teacher: Any
) -> None:
    course = await make_course()
    module = await _module(client, course["id"], teacher[1])
    content = (
        "# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) **bold**"
        '\n\n```\nprint("a line too long for a phone")\n```\n\n<pre tabindex="-1">raw</pre>'
    )
    lesson = await _lesson(client, module["id"], teacher[1], content=content)
    assert lesson["content"] == content
    html = lesson["content_html"]
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert "<script" not in html
    assert 'href="javascript' not in html
    # A code block is in the tab order, so a keyboard can scroll it; raw HTML stays text.
    assert '<pre tabindex="0"><code>print("a line' in html
    assert html.count("<pre") == 1
    for url in ("https://evil.com/v", "javascript:alert(1)", "https://youtube.com.evil.com/x"):
        r = await client.post(
            f"/modules/{module['id']}/lessons",
            json={"title": "v", "video_url": url},
            headers=teacher[1],
        )
        assert r.status_code == 422, url
    ok = await _lesson(client, module["id"], teacher[1], video_url="https://youtu.be/abcdefghijk")
    assert ok["video_url"] == "https://www.youtube.com/embed/abcdefghijk"


async def test_lesson_access(
    client: httpx.AsyncClient, make_course: Any, teacher: Any, tokens: Any, course_service: Any
) -> None:
    paid = await make_course(price_cents=1000)
    module = await _module(client, paid["id"], teacher[1])
    first = await _lesson(client, module["id"], teacher[1], title="Preview", is_preview=True)
    second = await _lesson(client, module["id"], teacher[1], title="Locked")
    r = await client.get(f"/lessons/{first['id']}")
    assert r.status_code == 200
    assert r.json()["next_lesson_id"] == second["id"]
    assert r.json()["prev_lesson_id"] is None
    assert (await client.get(f"/lessons/{second['id']}")).status_code == 401
    student_id, student = tokens.student()
    r = await client.get(f"/lessons/{second['id']}", headers=student)
    assert r.status_code == 403
    assert r.json()["code"] == "not_enrolled"
    _, other = tokens.teacher(is_verified=True)
    assert (await client.get(f"/lessons/{second['id']}", headers=other)).status_code == 403
    assert (await client.get(f"/lessons/{second['id']}", headers=teacher[1])).status_code == 200
    _, admin = tokens.admin()
    assert (await client.get(f"/lessons/{second['id']}", headers=admin)).status_code == 200
    await course_service.pool.execute(
        "INSERT INTO enrollments (course_id, student_id, enrollment_id, status)"
        " VALUES ($1, $2, $3, 'completed')",
        uuid.UUID(paid["id"]),
        student_id,
        uuid.uuid4(),
    )
    r = await client.get(f"/lessons/{second['id']}", headers=student)
    assert r.status_code == 200
    assert r.json()["prev_lesson_id"] == first["id"]

    free = await make_course(price_cents=0)
    free_module = await _module(client, free["id"], teacher[1])
    open_lesson = await _lesson(client, free_module["id"], teacher[1])
    assert (await client.get(f"/lessons/{open_lesson['id']}")).status_code == 200
    assert (await client.get(f"/lessons/{uuid.uuid4()}")).status_code == 404
    assert (await client.get("/lessons/bad")).status_code == 422


async def test_a_lesson_links_to_its_neighbours_in_reading_order_across_modules(
    client: httpx.AsyncClient, make_course: Any, teacher: Any
) -> None:
    course = await make_course(price_cents=0)
    later = await _module(client, course["id"], teacher[1], title="Later")
    first = await _module(client, course["id"], teacher[1], title="First", position=1)
    b1 = await _lesson(client, later["id"], teacher[1], title="b1")
    a2 = await _lesson(client, first["id"], teacher[1], title="a2")
    a1 = await _lesson(client, first["id"], teacher[1], title="a1", position=1)
    other = await make_course(price_cents=0)
    await _lesson(client, (await _module(client, other["id"], teacher[1]))["id"], teacher[1])
    expected = {
        a1["id"]: (None, a2["id"]),
        a2["id"]: (a1["id"], b1["id"]),
        b1["id"]: (a2["id"], None),
    }
    for lesson_id, (prev_id, next_id) in expected.items():
        r = await client.get(f"/lessons/{lesson_id}")
        assert r.status_code == 200, r.text
        assert (r.json()["prev_lesson_id"], r.json()["next_lesson_id"]) == (prev_id, next_id)


async def test_curriculum_cache_is_invalidated(
    client: httpx.AsyncClient, make_course: Any, teacher: Any
) -> None:
    course = await make_course()
    module = await _module(client, course["id"], teacher[1])
    assert (await client.get(f"/courses/{course['id']}/curriculum")).json()["total_lessons"] == 0
    await _lesson(client, module["id"], teacher[1])
    assert (await client.get(f"/courses/{course['id']}/curriculum")).json()["total_lessons"] == 1
    await client.put(f"/modules/{module['id']}", json={"title": "Renamed"}, headers=teacher[1])
    cur = (await client.get(f"/courses/{course['id']}/curriculum")).json()
    assert cur["modules"][0]["title"] == "Renamed"


async def test_null_lesson_fields_are_listed_errors(
    client: httpx.AsyncClient, make_course: Any, teacher: Any
) -> None:
    course = await make_course()
    module = await _module(client, course["id"], teacher[1])
    lesson = await _lesson(client, module["id"], teacher[1], content="Kept")
    for field in ("title", "content", "duration_minutes", "is_preview"):
        r = await client.put(f"/lessons/{lesson['id']}", json={field: None}, headers=teacher[1])
        body = assert_problem(r, 422, "validation_error")
        assert body["errors"] == [
            {"loc": ["body", field], "msg": f"{field} cannot be null", "type": "null_not_allowed"}
        ]
    kept = (await client.get(f"/lessons/{lesson['id']}")).json()
    assert (kept["title"], kept["content"]) == ("L", "Kept")
