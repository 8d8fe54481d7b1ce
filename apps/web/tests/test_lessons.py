"""Lesson page: content, video, outline with the current lesson and ticks, previous/next,
mark complete in place, the completion message, who may open it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx
from conftest import SignIn, csrf_token, post_form
from fakes import (
    COURSE,
    ENROLLMENT,
    course_json,
    curriculum_json,
    lesson_json,
    problem,
    progress_json,
)


@pytest.fixture
def lesson_page(api: respx.MockRouter) -> Any:
    def fake(index: int = 1, **lesson: Any) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
        c = course_json(title="Python from scratch")
        cur = curriculum_json(c["id"])
        ids = [x["id"] for x in cur["modules"][0]["lessons"]]
        for i, lid in enumerate(ids):
            extra = lesson if i == index else {}
            api.get(f"{COURSE}/lessons/{lid}").respond(
                200, json=lesson_json(c["id"], cur, i, **extra)
            )
        api.get(f"{COURSE}/courses/{c['id']}").respond(200, json=c)
        api.get(f"{COURSE}/courses/{c['id']}/curriculum").respond(200, json=cur)
        return c, cur, ids

    return fake


async def test_lesson_shows_content_outline_breadcrumbs_and_titled_prev_next(
    client: httpx.AsyncClient, lesson_page: Any
) -> None:
    c, _, ids = lesson_page(1)
    r = await client.get(f"/lessons/{ids[1]}")
    assert r.status_code == 200
    html = r.text
    assert "<h1>Hi</h1><p>Welcome to the lesson.</p>" in html  # the service's sanitized HTML
    assert f'<a href="/lessons/{ids[1]}" aria-current="page">Lesson 2' in html
    assert f'href="/courses/{c["id"]}">Python from scratch</a>' in html
    assert f'<a rel="prev" href="/lessons/{ids[0]}">' in html
    assert "Previous: Lesson 1" in html
    assert f'<a rel="next" href="/lessons/{ids[2]}">' in html
    assert "Next: Lesson 3" in html
    assert 'id="outline-toggle"' in html  # the drawer below 768 px, without script


async def test_video_is_embedded_only_from_allowed_hosts(
    client: httpx.AsyncClient, lesson_page: Any
) -> None:
    _, _, ids = lesson_page(0, video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    r = await client.get(f"/lessons/{ids[0]}")
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in r.text
    assert "https://www.youtube-nocookie.com" in r.headers["content-security-policy"]


async def test_a_video_from_another_host_is_not_embedded(
    client: httpx.AsyncClient, lesson_page: Any
) -> None:
    _, _, ids = lesson_page(0, video_url="https://evil.example/watch?v=dQw4w9WgXcQ")
    r = await client.get(f"/lessons/{ids[0]}")
    assert "<iframe" not in r.text


async def test_enrolled_student_sees_ticks_and_marks_complete_in_place(
    client: httpx.AsyncClient, api: respx.MockRouter, lesson_page: Any, sign_in: SignIn
) -> None:
    await sign_in("student")
    c, _, ids = lesson_page(1)
    api.get(f"{ENROLLMENT}/progress/courses/{c['id']}").respond(
        200, json=progress_json(c["id"], [ids[0]], 3)
    )
    page = await client.get(f"/lessons/{ids[1]}")
    assert f'<li id="outline-{ids[0]}"  class="done">' in page.text
    assert "Mark as complete" in page.text
    complete = api.post(f"{ENROLLMENT}/progress/lessons/{ids[1]}/complete").respond(
        200, json=progress_json(c["id"], [ids[0], ids[1]], 3)
    )
    token = await csrf_token(client)
    r = await client.post(
        f"/lessons/{ids[1]}/complete", headers={"HX-Request": "true", "X-CSRF-Token": token}
    )
    assert r.status_code == 200
    assert complete.called
    assert "<html" not in r.text
    assert "2 of 3 lessons" in r.text
    assert "Lesson completed" in r.text
    assert f'href="/lessons/{ids[2]}">Go to the next lesson: Lesson 3' in r.text
    assert f'id="outline-{ids[1]}" hx-swap-oob="true"' in r.text  # the tick, in place


async def test_mark_complete_without_javascript_returns_to_the_lesson(
    client: httpx.AsyncClient, api: respx.MockRouter, lesson_page: Any, sign_in: SignIn
) -> None:
    await sign_in("student")
    c, _, ids = lesson_page(0)
    api.post(f"{ENROLLMENT}/progress/lessons/{ids[0]}/complete").respond(
        200, json=progress_json(c["id"], [ids[0]], 3)
    )
    r = await post_form(client, f"/lessons/{ids[0]}/complete")
    assert r.status_code == 303
    assert r.headers["location"].startswith(f"/lessons/{ids[0]}")


async def test_the_last_lesson_completes_the_course_with_a_message(
    client: httpx.AsyncClient, api: respx.MockRouter, lesson_page: Any, sign_in: SignIn
) -> None:
    await sign_in("student")
    c, _, ids = lesson_page(2)
    api.get(f"{ENROLLMENT}/progress/courses/{c['id']}").respond(
        200, json=progress_json(c["id"], ids, 3)
    )
    r = await client.get(f"/lessons/{ids[2]}")
    assert "Congratulations! You completed the course." in r.text
    assert f'href="/courses/{c["id"]}#reviews"' in r.text


async def test_a_paid_lesson_is_refused_to_a_student_who_is_not_enrolled(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    await sign_in("student")
    import uuid

    lid = uuid.uuid4()
    api.get(f"{COURSE}/lessons/{lid}").respond(403, json=problem(403, "not_enrolled"))
    r = await client.get(f"/lessons/{lid}")
    assert r.status_code == 403
    assert "Enroll in the course to open this lesson." in r.text


async def test_a_paid_lesson_sends_an_anonymous_visitor_to_log_in(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    import uuid

    lid = uuid.uuid4()
    api.get(f"{COURSE}/lessons/{lid}").respond(401, json=problem(401, "unauthorized"))
    r = await client.get(f"/lessons/{lid}")
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next=/lessons/{lid}"


async def test_progress_down_the_lesson_still_reads(
    client: httpx.AsyncClient, api: respx.MockRouter, lesson_page: Any, sign_in: SignIn
) -> None:
    await sign_in("student")
    c, _, ids = lesson_page(0)
    api.get(f"{ENROLLMENT}/progress/courses/{c['id']}").mock(side_effect=httpx.ConnectError("x"))
    r = await client.get(f"/lessons/{ids[0]}")
    assert r.status_code == 200
    assert "Welcome to the lesson." in r.text
    assert "Your progress is not available right now." in r.text
