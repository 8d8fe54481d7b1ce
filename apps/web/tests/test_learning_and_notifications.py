"""My learning, and notifications: the count in the header, the list, marking read."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import respx
from conftest import SignIn, post_form
from fakes import ENROLLMENT, NOTIFICATION, NOW, progress_json


def notification(title: str, is_read: bool = False, **data: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": "enrollment_confirmed",
        "title": title,
        "body": "You are enrolled.",
        "is_read": is_read,
        "created_at": NOW,
        "data": data,
    }


async def test_my_learning_lists_courses_with_lessons_done_and_a_continue_link(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    await sign_in("student")
    course_id = str(uuid.uuid4())
    api.get(f"{ENROLLMENT}/enrollments/me").respond(
        200,
        json={
            "items": [
                {
                    "id": str(uuid.uuid4()),
                    "course_id": course_id,
                    "course_title": "Go basics",
                    "status": "active",
                    "progress_percent": 50,
                    "created_at": NOW,
                    "completed_at": None,
                }
            ],
            "next_cursor": None,
        },
    )
    api.get(f"{ENROLLMENT}/progress/courses/{course_id}").respond(
        200, json=progress_json(course_id, [str(uuid.uuid4())], 2)
    )
    r = await client.get("/learning")
    assert r.status_code == 200
    assert "Go basics" in r.text
    assert "1 of 2 lessons" in r.text
    assert f'href="/courses/{course_id}/continue"' in r.text


async def test_my_learning_when_empty_points_to_the_catalog(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    await sign_in("student")
    api.get(f"{ENROLLMENT}/enrollments/me").respond(200, json={"items": [], "next_cursor": None})
    r = await client.get("/learning")
    assert "You are not enrolled in any course yet." in r.text


async def test_my_learning_asks_an_anonymous_visitor_to_log_in(client: httpx.AsyncClient) -> None:
    r = await client.get("/learning")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/learning"


async def test_enrollment_down_my_learning_is_a_503_page(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    await sign_in("student")
    api.get(f"{ENROLLMENT}/enrollments/me").mock(side_effect=httpx.ReadTimeout("slow"))
    r = await client.get("/learning")
    assert r.status_code == 503
    assert "did not answer in time" in r.text


async def test_the_header_shows_the_unread_count_on_every_page(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    await sign_in("student")
    api.get(f"{NOTIFICATION}/notifications/me").respond(
        200, json={"items": [], "next_cursor": None, "unread_count": 4}
    )
    r = await client.get("/login")
    assert '<span class="badge">4<span class="visually-hidden"> unread' in r.text


async def test_notifications_down_the_page_still_renders_without_the_count(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    await sign_in("student")
    api.get(f"{NOTIFICATION}/notifications/me").mock(side_effect=httpx.ConnectError("down"))
    r = await client.get("/login")
    assert r.status_code == 200
    assert 'class="badge"' not in r.text


async def test_notifications_list_and_mark_one_and_all_read(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    await sign_in("student")
    course_id = str(uuid.uuid4())
    first = notification("Welcome", course_id=course_id)
    api.get(f"{NOTIFICATION}/notifications/me").respond(
        200,
        json={"items": [first, notification("Old", True)], "next_cursor": None, "unread_count": 1},
    )
    r = await client.get("/notifications")
    assert "Welcome" in r.text
    assert "1 unread" in r.text
    assert f'href="/courses/{course_id}"' in r.text
    one = api.patch(f"{NOTIFICATION}/notifications/{first['id']}/read").respond(200, json=first)
    r = await post_form(client, f"/notifications/{first['id']}/read")
    assert r.status_code == 303
    assert one.called
    every = api.post(f"{NOTIFICATION}/notifications/read-all").respond(204)
    r = await post_form(client, "/notifications/read-all")
    assert r.status_code == 303
    assert every.called


async def test_notifications_read_in_the_reader_s_language(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    await sign_in("student")
    completed = {
        **notification("Course completed", course_title="<b>Go</b> basics"),
        "type": "course_completed",
        "body": 'Congratulations, you completed "<b>Go</b> basics".',
    }
    paid = {
        **notification("Payment received", course_title="Go", amount_cents=1999, currency="USD"),
        "type": "payment_receipt",
    }
    unknown = {**notification("Something new"), "type": "brand_new_kind", "body": "As sent."}
    api.get(f"{NOTIFICATION}/notifications/me").respond(
        200,
        json={"items": [completed, paid, unknown], "next_cursor": None, "unread_count": 3},
    )
    r = await client.get("/notifications", headers={"Accept-Language": "ru"})
    assert "Курс пройден" in r.text  # noqa: RUF001 - Russian on purpose
    assert "Поздравляем, вы прошли курс «&lt;b&gt;Go&lt;/b&gt; basics»." in r.text
    assert "<b>Go</b>" not in r.text
    assert "Мы получили вашу оплату 19,99\xa0$ за курс «Go»." in r.text
    assert "Something new" in r.text
    assert "As sent." in r.text
    r = await client.get("/notifications", headers={"Accept-Language": "en"})
    assert "Congratulations, you completed &#34;&lt;b&gt;Go&lt;/b&gt; basics&#34;." in r.text
