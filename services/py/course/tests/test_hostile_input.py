"""Hostile input on the course routes: invisible titles, hidden characters, methods a path does
not take, lax booleans, and what OpenAPI promises about them."""

from __future__ import annotations

from typing import Any

import httpx
from edu_devstack.testing import assert_problem

COURSE = {"level": "beginner", "price_cents": 0}


async def test_a_title_with_nothing_visible_is_blank(
    client: httpx.AsyncClient, teacher: Any, make_course: Any, add_module: Any
) -> None:
    for title in ("", "\u200b\u200b\u200b", "\u200d\ufeff\u2060", "\u202e", "<b></b>\u200b"):
        r = await client.post("/courses", json={"title": title, **COURSE}, headers=teacher[1])
        body = assert_problem(r, 422, "validation_error")
        assert "title" in body["detail"], title
    course = await make_course()
    r = await client.put(
        f"/courses/{course['id']}", json={"title": "\u200b \u200b"}, headers=teacher[1]
    )
    assert_problem(r, 422, "validation_error")
    module = await add_module(course["id"])
    r = await client.post(
        f"/modules/{module['id']}/lessons", json={"title": "\u2060"}, headers=teacher[1]
    )
    assert_problem(r, 422, "validation_error")


async def test_text_is_stored_without_hidden_characters(
    make_course: Any, client: httpx.AsyncClient
) -> None:
    course = await make_course(
        title="\u202eCafe\u0301\ufffe \x1b[2JGuide\uffff",
        description="Line one\u202e\r\n\tindented\x07 line two\u200f",
    )
    assert course["title"] == "Caf\u00e9 [2JGuide"
    assert course["description"] == "Line one\n\tindented line two"
    stored = (await client.get(f"/courses/{course['id']}")).json()
    assert (stored["title"], stored["description"]) == (course["title"], course["description"])


async def test_max_length_counts_the_title_as_sent(client: httpx.AsyncClient, teacher: Any) -> None:
    r = await client.post(
        "/courses", json={"title": " " * 5 + "t" * 200, **COURSE}, headers=teacher[1]
    )
    assert_problem(r, 422, "validation_error")


async def test_a_fixed_path_answers_405_for_a_method_it_does_not_take(
    client: httpx.AsyncClient, teacher: Any
) -> None:
    for method in ("PUT", "DELETE"):
        r = await client.request(method, "/courses/my", json={}, headers=teacher[1])
        assert_problem(r, 405, "method_not_allowed")
        assert r.headers["allow"] == "GET"
    r = await client.patch("/courses", json={}, headers=teacher[1])
    assert_problem(r, 405, "method_not_allowed")
    assert set(r.headers["allow"].split(", ")) == {"GET", "POST"}
    # A course id that is not a UUID stays a validation error.
    r = await client.put("/courses/nope", json={}, headers=teacher[1])
    assert_problem(r, 422, "validation_error")


async def test_is_preview_is_a_strict_boolean(
    client: httpx.AsyncClient, teacher: Any, make_course: Any, add_module: Any, add_lesson: Any
) -> None:
    module = await add_module((await make_course())["id"])
    for value in ("yes", "true", 1, 0, "false"):
        r = await client.post(
            f"/modules/{module['id']}/lessons",
            json={"title": "L", "is_preview": value},
            headers=teacher[1],
        )
        assert_problem(r, 422, "validation_error")
    lesson = await add_lesson(module["id"], is_preview=True)
    r = await client.put(f"/lessons/{lesson['id']}", json={"is_preview": "no"}, headers=teacher[1])
    assert_problem(r, 422, "validation_error")


async def test_an_integral_number_is_an_integer_as_the_schema_says(
    client: httpx.AsyncClient, teacher: Any, make_course: Any, add_module: Any
) -> None:
    # JSON Schema's `integer` holds 2500.0; schemathesis sent such values and got a 422.
    r = await client.post(
        "/courses",
        json={"title": "T", **COURSE, "price_cents": 2500.0, "duration_minutes": 90.0},
        headers=teacher[1],
    )
    assert r.status_code == 201, r.text
    assert (r.json()["price_cents"], r.json()["duration_minutes"]) == (2500, 90)
    module = await add_module((await make_course())["id"])
    r = await client.put(f"/modules/{module['id']}", json={"position": 1.0}, headers=teacher[1])
    assert r.status_code == 200, r.text
    assert r.json()["position"] == 1
    # Fractions, numeric strings and booleans are still a client's mistake.
    for value in (2500.5, "2500", True, float("1e300")):
        r = await client.post(
            "/courses", json={"title": "T", **COURSE, "price_cents": value}, headers=teacher[1]
        )
        assert_problem(r, 422, "validation_error")


async def test_openapi_tells_the_truth(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    for operation in (
        spec["paths"]["/courses"]["post"],
        spec["paths"]["/courses/{course_id}"]["put"],
    ):
        assert "413" in operation["responses"]
    update = schemas["CourseUpdate"]["properties"]
    # null is refused for these, so the schema does not offer it...
    for field in ("title", "level", "price_cents", "currency", "duration_minutes"):
        assert "null" not in str(update[field]), field
    # ...while a category can be removed with null.
    assert {"type": "null"} in update["category_id"]["anyOf"]
    assert schemas["CourseCreate"]["properties"]["title"]["maxLength"] == 200
    assert schemas["LessonCreate"]["properties"]["is_preview"]["type"] == "boolean"
    # The bounds of a partial update are JSON Schema's (`minimum`), not pydantic's (`ge`).
    position = schemas["ModuleUpdate"]["properties"]["position"]
    assert (position["minimum"], position["maximum"]) == (1, 10_000)
    assert "ge" not in position
    assert update["duration_minutes"]["minimum"] == 0
    assert update["price_cents"]["maximum"] == 100_000_000
    # The currencies accepted are listed, so `ZZZ` is refused by the schema as by the server.
    currencies = schemas["CourseCreate"]["properties"]["currency"]["enum"]
    assert {"USD", "EUR", "RUB"} <= set(currencies)
    assert "ZZZ" not in currencies
    assert "XTS" not in currencies
