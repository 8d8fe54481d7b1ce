"""Teacher pages (verified and not), admin verification, and who may open them."""

from __future__ import annotations

import json
import uuid

import httpx
import respx
from conftest import SignIn, post_form
from fakes import (
    COURSE,
    IDENTITY,
    TEACHER_ID,
    course_json,
    curriculum_json,
    lesson_json,
    problem,
    tokens_json,
    user_json,
)


async def test_students_cannot_open_the_teacher_pages(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    await sign_in("student")
    r = await client.get("/teach")
    assert r.status_code == 403
    assert 'href="/"' in r.text


async def test_an_unverified_teacher_sees_a_banner(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    await sign_in("teacher", is_verified=False)
    api.get(f"{COURSE}/courses/my").respond(
        200, json={"items": [course_json(title="Mine", status="draft")], "next_cursor": None}
    )
    r = await client.get("/teach")
    assert "has not verified your teacher account yet" in r.text
    assert "Mine" in r.text
    assert ">Draft<" in r.text
    r = await client.get("/teach", headers={"Accept-Language": "ru"})
    assert ">Черновик<" in r.text


async def test_creating_a_course_sends_a_draft_and_shows_price_errors_by_the_field(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    await sign_in("teacher", id=TEACHER_ID, is_verified=True)
    api.get(f"{COURSE}/categories").respond(200, json=[])
    r = await post_form(
        client, "/teach/courses", {"title": "Rust", "level": "beginner", "price": "abc"}
    )
    assert r.status_code == 422
    assert "Enter a price such as 19.99" in r.text
    assert 'value="Rust"' in r.text
    created = course_json(title="Rust", price_cents=1999)
    create = api.post(f"{COURSE}/courses").respond(201, json=created)
    r = await post_form(
        client,
        "/teach/courses",
        {"title": "Rust", "level": "beginner", "price": "19.99", "duration_minutes": "90"},
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/teach/courses/{created['id']}?done=created"
    sent = json.loads(create.calls.last.request.content)
    assert sent["status"] == "draft"
    assert sent["price_cents"] == 1999
    assert sent["duration_minutes"] == 90


async def test_a_teacher_verified_since_login_creates_with_a_refreshed_token(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    first = await sign_in("teacher", is_verified=False)
    fresh = tokens_json("teacher", id=first["user"]["id"], is_verified=True)
    refresh = api.post(f"{IDENTITY}/refresh").respond(200, json=fresh)
    created = course_json()
    create = api.post(f"{COURSE}/courses")
    create.side_effect = [
        httpx.Response(403, json=problem(403, "teacher_not_verified")),
        httpx.Response(201, json=created),
    ]
    r = await post_form(client, "/teach/courses", {"title": "Go", "level": "beginner"})
    assert r.status_code == 303
    assert refresh.call_count == 1
    last = create.calls.last.request.headers["authorization"]
    assert last == f"Bearer {fresh['access_token']}"


async def test_publishing_a_course_without_lessons_says_what_is_missing(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    await sign_in("teacher", id=TEACHER_ID, is_verified=True)
    c = course_json(status="draft")
    api.get(f"{COURSE}/courses/{c['id']}").respond(200, json=c)
    api.get(f"{COURSE}/courses/{c['id']}/curriculum").respond(
        200, json={"course_id": c["id"], "modules": [], "total_lessons": 0}
    )
    api.get(f"{COURSE}/categories").respond(200, json=[])
    api.post(f"{COURSE}/courses/{c['id']}/publish").respond(
        409, json=problem(409, "course_has_no_lessons")
    )
    r = await post_form(client, f"/teach/courses/{c['id']}/publish")
    assert r.status_code == 409
    assert "Add at least one lesson before publishing." in r.text


async def test_the_outline_editor_moves_a_lesson_up_by_keyboard_usable_buttons(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    await sign_in("teacher", id=TEACHER_ID, is_verified=True)
    c = course_json()
    cur = curriculum_json(c["id"])
    api.get(f"{COURSE}/courses/{c['id']}").respond(200, json=c)
    api.get(f"{COURSE}/courses/{c['id']}/curriculum").respond(200, json=cur)
    api.get(f"{COURSE}/categories").respond(200, json=[])
    page = await client.get(f"/teach/courses/{c['id']}")
    assert 'aria-label="Move up: Lesson 2"' in page.text
    second = cur["modules"][0]["lessons"][1]
    api.get(f"{COURSE}/lessons/{second['id']}").respond(200, json=lesson_json(c["id"], cur, 1))
    move = api.put(f"{COURSE}/lessons/{second['id']}").respond(200, json={})
    r = await post_form(client, f"/teach/lessons/{second['id']}", {"action": "up"})
    assert r.status_code == 303
    assert json.loads(move.calls.last.request.content) == {"position": 1}


async def test_a_dropped_lesson_or_module_moves_to_its_new_place(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    await sign_in("teacher", id=TEACHER_ID, is_verified=True)
    c = course_json()
    cur = curriculum_json(c["id"])
    api.get(f"{COURSE}/courses/{c['id']}").respond(200, json=c)
    api.get(f"{COURSE}/courses/{c['id']}/curriculum").respond(200, json=cur)
    api.get(f"{COURSE}/categories").respond(200, json=[])
    page = await client.get(f"/teach/courses/{c['id']}")
    # The editor's items carry the routes the drag-and-drop script posts to.
    first = cur["modules"][0]
    assert f'data-reorder-url="/teach/modules/{first["id"]}"' in page.text
    assert f'data-reorder-url="/teach/lessons/{first["lessons"][0]["id"]}"' in page.text
    assert "/static/reorder." in page.text

    lesson = first["lessons"][0]
    api.get(f"{COURSE}/lessons/{lesson['id']}").respond(200, json=lesson_json(c["id"], cur, 0))
    move = api.put(f"{COURSE}/lessons/{lesson['id']}").respond(200, json={})
    r = await post_form(client, f"/teach/lessons/{lesson['id']}", {"action": "move", "to": "2"})
    assert r.status_code == 303
    assert json.loads(move.calls.last.request.content) == {"position": 2}

    moved = api.put(f"{COURSE}/modules/{first['id']}").respond(200, json={})
    r = await post_form(
        client,
        f"/teach/modules/{first['id']}",
        {"action": "move", "to": "3", "course_id": c["id"]},
    )
    assert r.status_code == 303
    assert json.loads(moved.calls.last.request.content) == {"position": 3}

    calls = move.call_count
    r = await post_form(client, f"/teach/lessons/{lesson['id']}", {"action": "move", "to": "x"})
    assert r.status_code == 422
    assert move.call_count == calls


async def test_admin_verifies_a_pending_teacher(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    await sign_in("admin")
    teacher = user_json("teacher", name="Nina", email="nina@example.com", is_verified=False)
    api.get(f"{IDENTITY}/admin/teachers/pending").respond(
        200, json={"items": [teacher], "next_cursor": None}
    )
    page = await client.get("/admin/teachers")
    assert "nina@example.com" in page.text
    verify = api.patch(f"{IDENTITY}/admin/users/{teacher['id']}/verify").respond(
        200, json=teacher | {"is_verified": True}
    )
    r = await post_form(client, f"/admin/teachers/{teacher['id']}/verify")
    assert r.status_code == 303
    assert verify.called


async def test_only_admins_open_the_admin_pages(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    await sign_in("teacher")
    assert (await client.get("/admin/teachers")).status_code == 403
    client.cookies.clear()
    r = await client.get("/admin/teachers")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/admin/teachers"


async def test_unknown_module_id_in_a_form_is_a_404_not_a_crash(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    await sign_in("teacher", is_verified=True)
    r = await post_form(client, f"/teach/modules/{uuid.uuid4()}", {"course_id": "x"})
    assert r.status_code == 404
    assert "Page not found" in r.text


async def test_the_live_preview_renders_markdown_sanitized_like_the_course_service(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    await sign_in("teacher", is_verified=True)
    from conftest import csrf_token

    token = await csrf_token(client)
    r = await client.post(
        "/teach/preview",
        data={"content": "# Title\n\n**bold** <script>alert(1)</script>"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert r.status_code == 200
    assert "<h1>Title</h1>" in r.text
    assert "<strong>bold</strong>" in r.text
    assert "<script>" not in r.text


async def test_preview_without_javascript_keeps_what_was_typed(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    await sign_in("teacher", id=TEACHER_ID, is_verified=True)
    c = course_json()
    cur = curriculum_json(c["id"])
    lesson = lesson_json(c["id"], cur, 0)
    api.get(f"{COURSE}/lessons/{lesson['id']}").respond(200, json=lesson)
    r = await post_form(
        client,
        f"/teach/lessons/{lesson['id']}",
        {"action": "preview", "title": "Draft title", "content": "*typed*"},
    )
    assert r.status_code == 200
    assert "<em>typed</em>" in r.text
    assert 'value="Draft title"' in r.text
    assert "data-warn-unsaved" in r.text
