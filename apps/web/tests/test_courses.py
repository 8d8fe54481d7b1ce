"""Course page: the one action that fits each visitor, buying once, reviewing, outages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from conftest import SignIn, post_form
from fakes import (
    COURSE,
    ENROLLMENT,
    PAYMENT,
    TEACHER_ID,
    course_json,
    curriculum_json,
    problem,
    progress_json,
)

# Fakes one course (with the given fields): returns the course and its outline.
CoursePage = Callable[..., tuple[dict[str, Any], dict[str, Any]]]


@pytest.fixture
def course_page(api: respx.MockRouter) -> CoursePage:
    """Fakes one course with its outline and reviews; returns the course and outline."""

    def fake(**course: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        c = course_json(**course)
        cur = curriculum_json(c["id"], preview_first=True)
        api.get(f"{COURSE}/courses/{c['id']}").respond(200, json=c)
        api.get(f"{COURSE}/courses/{c['id']}/curriculum").respond(200, json=cur)
        api.get(f"{COURSE}/reviews/course/{c['id']}").respond(
            200,
            json={
                "items": [
                    {
                        "id": str(uuid.uuid4()),
                        "course_id": c["id"],
                        "student_id": str(uuid.uuid4()),
                        "author_name": "Alex",
                        "rating": 5,
                        "comment": "<b>Great</b> course",
                        "created_at": c["created_at"],
                    }
                ],
                "next_cursor": None,
            },
        )
        return c, cur

    return fake


def not_enrolled(api: respx.MockRouter, course_id: str) -> None:
    api.get(f"{ENROLLMENT}/progress/courses/{course_id}").respond(
        403, json=problem(403, "not_enrolled")
    )


async def test_anonymous_visitor_is_offered_to_log_in_to_enroll(
    client: httpx.AsyncClient, course_page: CoursePage
) -> None:
    c, cur = course_page()
    r = await client.get(f"/courses/{c['id']}")
    assert r.status_code == 200
    assert f'href="/login?next=/courses/{c["id"]}"' in r.text
    assert "Log in to enroll" in r.text
    # The outline with lesson count and length; a free course's lessons open for anyone.
    assert "3 lessons" in r.text
    assert f'href="/lessons/{cur["modules"][0]["lessons"][1]["id"]}"' in r.text
    # Review text is escaped, never rendered as markup.
    assert "&lt;b&gt;Great&lt;/b&gt; course" in r.text


async def test_paid_course_marks_preview_lessons_and_locks_the_rest(
    client: httpx.AsyncClient, course_page: CoursePage
) -> None:
    c, cur = course_page(price_cents=1999)
    lessons = cur["modules"][0]["lessons"]
    r = await client.get(f"/courses/{c['id']}")
    assert f'href="/lessons/{lessons[0]["id"]}"' in r.text
    assert "Preview" in r.text
    assert f'href="/lessons/{lessons[1]["id"]}"' not in r.text
    assert "$19.99" in r.text


async def test_student_not_enrolled_in_a_free_course_can_enroll(
    client: httpx.AsyncClient, api: respx.MockRouter, course_page: CoursePage, sign_in: SignIn
) -> None:
    await sign_in("student")
    c, _ = course_page()
    not_enrolled(api, c["id"])
    r = await client.get(f"/courses/{c['id']}")
    assert f'action="/courses/{c["id"]}/enroll"' in r.text
    enroll = api.post(f"{ENROLLMENT}/enrollments").respond(201, json={})
    r = await post_form(
        client, f"/courses/{c['id']}/enroll", {"idempotency_key": str(uuid.uuid4())}
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/courses/{c['id']}?done=enrolled"
    sent = enroll.calls.last.request
    assert sent.headers["authorization"].startswith("Bearer access-")
    assert sent.headers["idempotency-key"]


async def test_paid_course_is_bought_once_through_a_confirmation_step(
    client: httpx.AsyncClient, api: respx.MockRouter, course_page: CoursePage, sign_in: SignIn
) -> None:
    await sign_in("student")
    c, _ = course_page(price_cents=2500)
    not_enrolled(api, c["id"])
    page = await client.get(f"/courses/{c['id']}")
    assert f'href="/courses/{c["id"]}/buy"' in page.text
    confirm = await client.get(f"/courses/{c['id']}/buy")
    assert "Confirm your purchase" in confirm.text
    assert "Pay $25.00" in confirm.text
    key = confirm.text.split('name="idempotency_key" value="')[1].split('"')[0]
    pay = api.post(f"{PAYMENT}/payments").respond(201, json={})
    enroll = api.post(f"{ENROLLMENT}/enrollments").respond(
        409, json=problem(409, "already_enrolled")
    )
    # A double click sends the same form twice: both carry the same key.
    for _ in range(2):
        r = await post_form(client, f"/courses/{c['id']}/buy", {"idempotency_key": key})
        assert r.status_code == 303
        assert r.headers["location"] == f"/courses/{c['id']}?done=bought"
    assert {call.request.headers["idempotency-key"] for call in pay.calls} == {key}
    assert enroll.called


async def test_enrolled_student_continues_with_progress(
    client: httpx.AsyncClient, api: respx.MockRouter, course_page: CoursePage, sign_in: SignIn
) -> None:
    await sign_in("student")
    c, cur = course_page()
    lessons = cur["modules"][0]["lessons"]
    api.get(f"{ENROLLMENT}/progress/courses/{c['id']}").respond(
        200, json=progress_json(c["id"], [lessons[0]["id"]], 3)
    )
    r = await client.get(f"/courses/{c['id']}")
    assert "1 of 3 lessons" in r.text
    assert 'value="33"' in r.text
    assert f'href="/courses/{c["id"]}/continue"' in r.text
    assert "/enroll" not in r.text
    go = await client.get(f"/courses/{c['id']}/continue")
    assert go.status_code == 303
    assert go.headers["location"] == f"/lessons/{lessons[1]['id']}"


async def test_completed_student_reviews_and_sees_field_errors(
    client: httpx.AsyncClient, api: respx.MockRouter, course_page: CoursePage, sign_in: SignIn
) -> None:
    await sign_in("student")
    c, cur = course_page()
    ids = [x["id"] for x in cur["modules"][0]["lessons"]]
    api.get(f"{ENROLLMENT}/progress/courses/{c['id']}").respond(
        200, json=progress_json(c["id"], ids, 3)
    )
    page = await client.get(f"/courses/{c['id']}")
    assert "You completed this course." in page.text
    assert f'action="/courses/{c["id"]}/reviews"' in page.text
    # No rating chosen: the form says so by the field and keeps the comment.
    r = await post_form(client, f"/courses/{c['id']}/reviews", {"comment": "Loved it"})
    assert r.status_code == 422
    assert 'id="e-rating"' in r.text
    assert ">Loved it</textarea>" in r.text
    api.post(f"{COURSE}/reviews").respond(
        422,
        json=problem(
            422,
            "validation_error",
            errors=[
                {
                    "loc": ["body", "comment"],
                    "msg": "String should have at most 5000 characters",
                    "type": "string_too_long",
                }
            ],
        ),
    )
    r = await post_form(client, f"/courses/{c['id']}/reviews", {"rating": "4", "comment": "x"})
    assert r.status_code == 422
    assert "String should have at most 5000 characters" in r.text
    assert 'value="4" checked' in r.text
    api.post(f"{COURSE}/reviews").respond(
        201,
        json={
            "id": str(uuid.uuid4()),
            "course_id": c["id"],
            "student_id": str(uuid.uuid4()),
            "author_name": "Sam",
            "rating": 4,
            "comment": "x",
            "created_at": c["created_at"],
        },
    )
    r = await post_form(client, f"/courses/{c['id']}/reviews", {"rating": "4", "comment": "x"})
    assert r.status_code == 303
    assert api.calls.last.request.content == (
        b'{"course_id":"' + c["id"].encode() + b'","rating":4,"comment":"x"}'
    )


async def test_teacher_sees_their_own_course_without_an_enroll_action(
    client: httpx.AsyncClient, course_page: CoursePage, sign_in: SignIn
) -> None:
    await sign_in("teacher", id=TEACHER_ID, is_verified=True)
    c, _ = course_page()
    r = await client.get(f"/courses/{c['id']}")
    assert "You teach this course." in r.text
    assert "Enroll" not in r.text
    assert "Log in to enroll" not in r.text


async def test_outline_and_reviews_down_the_course_still_shows(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    c = course_json(title="Resilient")
    api.get(f"{COURSE}/courses/{c['id']}").respond(200, json=c)
    api.get(f"{COURSE}/courses/{c['id']}/curriculum").mock(side_effect=httpx.ReadTimeout("slow"))
    api.get(f"{COURSE}/reviews/course/{c['id']}").respond(503)
    r = await client.get(f"/courses/{c['id']}")
    assert r.status_code == 200
    assert "Resilient" in r.text
    assert "The outline is not available right now." in r.text
    assert "Reviews are not available right now." in r.text


async def test_course_service_down_is_a_503_page_with_retry(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    cid = uuid.uuid4()
    for path in (f"/courses/{cid}", f"/courses/{cid}/curriculum", f"/reviews/course/{cid}"):
        api.get(f"{COURSE}{path}").mock(side_effect=httpx.ConnectError("down"))
    r = await client.get(f"/courses/{cid}")
    assert r.status_code == 503
    assert "Courses is not available right now." in r.text
    assert f'href="/courses/{cid}">Try again' in r.text
    assert r.headers["retry-after"] == "5"


async def test_unknown_course_is_a_404_page(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    cid = uuid.uuid4()
    api.get(f"{COURSE}/courses/{cid}").respond(404, json=problem(404, "not_found"))
    api.get(f"{COURSE}/courses/{cid}/curriculum").respond(404, json=problem(404, "not_found"))
    api.get(f"{COURSE}/reviews/course/{cid}").respond(200, json={"items": [], "next_cursor": None})
    r = await client.get(f"/courses/{cid}")
    assert r.status_code == 404
    assert "Page not found" in r.text


async def test_enrolling_anonymously_sends_the_visitor_to_log_in(
    client: httpx.AsyncClient,
) -> None:
    cid = uuid.uuid4()
    r = await post_form(
        client,
        f"/courses/{cid}/enroll",
        headers={"Referer": f"http://127.0.0.1:3001/courses/{cid}"},
    )
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next=/courses/{cid}"
