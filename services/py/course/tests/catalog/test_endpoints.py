from __future__ import annotations

import uuid
from typing import Any

import httpx
from edu_devstack.testing import assert_problem


async def test_create_course_as_verified_teacher(
    client: httpx.AsyncClient, teacher: Any, course_service: Any
) -> None:
    r = await client.post(
        "/courses",
        json={
            "title": "<b>Go</b> basics<script>alert(1)</script>",
            "description": "<img src=x onerror=alert(1)>Learn Go",
            "level": "beginner",
            "price_cents": 1500,
            "teacher_id": str(uuid.uuid4()),
        },
        headers=teacher[1],
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["title"] == "Go basics"
    assert body["description"] == "Learn Go"
    assert body["teacher_id"] == str(teacher[0])
    assert body["teacher_name"] == "Ada Teacher"
    assert body["status"] == "published"
    assert body["is_free"] is False
    assert body["currency"] == "USD"
    assert body["avg_rating"] is None
    outbox = await course_service.pool.fetch("SELECT subject, payload FROM outbox")
    assert [o["subject"] for o in outbox] == ["course.course_created.v1"]
    assert outbox[0]["payload"]["revision"] == 1


async def test_create_course_refused(client: httpx.AsyncClient, tokens: Any) -> None:
    body = {"title": "T", "level": "beginner", "price_cents": 0}
    assert (await client.post("/courses", json=body)).status_code == 401
    _, unverified = tokens.teacher(is_verified=False)
    r = await client.post("/courses", json=body, headers=unverified)
    assert r.status_code == 403
    assert r.json()["code"] == "teacher_not_verified"
    _, student = tokens.student()
    assert (await client.post("/courses", json=body, headers=student)).status_code == 403


async def test_create_course_bad_input(client: httpx.AsyncClient, teacher: Any) -> None:
    base = {"title": "T", "level": "beginner", "price_cents": 0}
    for bad in (
        {"price_cents": -1},
        {"level": "expert"},
        {"title": ""},
        {"title": "x" * 201},
        {"currency": "dollars"},
        {"category_id": "not-a-uuid"},
        {"category_id": str(uuid.uuid4())},
        # A new course is published or a draft; never archived.
        {"status": "archived"},
        {"status": "Published"},
    ):
        r = await client.post("/courses", json={**base, **bad}, headers=teacher[1])
        assert r.status_code == 422, (bad, r.text)
    r = await client.post(
        "/courses",
        content=b"{",
        headers={**teacher[1], "content-type": "application/json"},
    )
    assert r.status_code == 400


async def test_get_course(client: httpx.AsyncClient, make_course: Any) -> None:
    course = await make_course()
    r = await client.get(f"/courses/{course['id']}")
    assert r.status_code == 200
    assert r.json()["title"] == course["title"]
    assert (await client.get(f"/courses/{uuid.uuid4()}")).status_code == 404
    assert (await client.get("/courses/nope")).status_code == 422


async def test_update_course_by_owner_admin_and_others(
    client: httpx.AsyncClient, make_course: Any, tokens: Any, teacher: Any
) -> None:
    course = await make_course()
    cid = course["id"]
    await client.get(f"/courses/{cid}")  # warms the cache
    r = await client.put(f"/courses/{cid}", json={"price_cents": 900}, headers=teacher[1])
    assert r.status_code == 200, r.text
    assert r.json()["price_cents"] == 900
    assert r.json()["title"] == course["title"]
    assert (await client.get(f"/courses/{cid}")).json()["price_cents"] == 900
    _, admin = tokens.admin()
    r = await client.put(f"/courses/{cid}", json={"title": "Renamed"}, headers=admin)
    assert r.status_code == 200
    assert (await client.get(f"/courses/{cid}")).json()["title"] == "Renamed"
    _, other = tokens.teacher(is_verified=True)
    assert (await client.put(f"/courses/{cid}", json={}, headers=other)).status_code == 403
    _, student = tokens.student()
    assert (await client.put(f"/courses/{cid}", json={}, headers=student)).status_code == 403
    assert (await client.put(f"/courses/{cid}", json={})).status_code == 401
    r = await client.put(f"/courses/{uuid.uuid4()}", json={}, headers=teacher[1])
    assert r.status_code == 404
    r = await client.put(f"/courses/{cid}", json={"price_cents": -5}, headers=teacher[1])
    assert r.status_code == 422
    r = await client.put(f"/courses/{cid}", json={"title": None}, headers=teacher[1])
    assert r.status_code == 422


async def test_a_change_only_course_keeps_is_announced_to_nobody(
    client: httpx.AsyncClient, make_course: Any, teacher: Any, course_service: Any
) -> None:
    """Other services keep a course's title, price, currency, teacher and status: a new
    description or level is no news to them, a new price is, with a revision past the edits."""
    cid = (await make_course())["id"]
    announced = "SELECT subject, payload FROM outbox WHERE payload->>'course_id' = $1 ORDER BY seq"
    before = await course_service.pool.fetch(announced, cid)
    for own in ({"description": "A new outline."}, {"level": "advanced"}, {"duration_minutes": 90}):
        r = await client.put(f"/courses/{cid}", json=own, headers=teacher[1])
        assert r.status_code == 200, r.text
    assert await course_service.pool.fetch(announced, cid) == before
    r = await client.put(f"/courses/{cid}", json={"price_cents": 4200}, headers=teacher[1])
    assert r.status_code == 200, r.text
    after = await course_service.pool.fetch(announced, cid)
    assert [o["subject"] for o in after[len(before) :]] == ["course.course_updated.v1"]
    assert after[-1]["payload"]["price_cents"] == 4200
    assert after[-1]["payload"]["revision"] == before[-1]["payload"]["revision"] + 4


async def test_delete_course(
    client: httpx.AsyncClient, make_course: Any, tokens: Any, teacher: Any, course_service: Any
) -> None:
    course = await make_course()
    cid = course["id"]
    _, other = tokens.teacher(is_verified=True)
    assert (await client.delete(f"/courses/{cid}", headers=other)).status_code == 403
    assert (await client.delete(f"/courses/{cid}", headers=teacher[1])).status_code == 204
    assert (await client.get(f"/courses/{cid}")).status_code == 404

    kept = await make_course()
    await course_service.pool.execute(
        "INSERT INTO enrollments (course_id, student_id, enrollment_id, status)"
        " VALUES ($1, $2, $3, 'active')",
        uuid.UUID(kept["id"]),
        uuid.uuid4(),
        uuid.uuid4(),
    )
    _, admin = tokens.admin()
    assert (await client.delete(f"/courses/{kept['id']}", headers=admin)).status_code == 204
    r = await client.get(f"/courses/{kept['id']}")
    assert r.json()["status"] == "archived"
    listed = (await client.get("/courses")).json()["items"]
    assert kept["id"] not in [c["id"] for c in listed]


async def test_my_courses(
    client: httpx.AsyncClient, make_course: Any, tokens: Any, teacher: Any
) -> None:
    for i in range(3):
        await make_course(title=f"Mine {i}")
    _, other = tokens.teacher(is_verified=True)
    await make_course(headers=other, title="Not mine")
    r = await client.get("/courses/my?limit=2", headers=teacher[1])
    assert r.status_code == 200
    page = r.json()
    assert len(page["items"]) == 2
    r = await client.get(f"/courses/my?cursor={page['next_cursor']}", headers=teacher[1])
    titles = {c["title"] for c in page["items"] + r.json()["items"]}
    assert titles == {"Mine 0", "Mine 1", "Mine 2"}
    _, student = tokens.student()
    assert (await client.get("/courses/my", headers=student)).status_code == 403
    assert (await client.get("/courses/my")).status_code == 401


async def test_categories(client: httpx.AsyncClient, make_course: Any) -> None:
    cats = (await client.get("/categories")).json()
    assert len(cats) >= 8
    first = cats[0]
    await make_course(category_id=first["id"])
    cats = (await client.get("/categories")).json()
    counted = {c["id"]: c["course_count"] for c in cats}
    assert counted[first["id"]] == 1


async def test_rule_errors_list_the_field_like_schema_errors(
    client: httpx.AsyncClient, make_course: Any, teacher: Any
) -> None:
    course = await make_course()
    schema = assert_problem(
        await client.put(f"/courses/{course['id']}", json={"price_cents": -5}, headers=teacher[1]),
        422,
        "validation_error",
    )
    assert [e["loc"] for e in schema["errors"]] == [["body", "price_cents"]]
    for field in ("title", "level", "price_cents", "currency", "duration_minutes"):
        r = await client.put(f"/courses/{course['id']}", json={field: None}, headers=teacher[1])
        body = assert_problem(r, 422, "validation_error")
        assert body["errors"] == [
            {"loc": ["body", field], "msg": f"{field} cannot be null", "type": "null_not_allowed"}
        ]
    unknown = {"category_id": str(uuid.uuid4())}
    for r in (
        await client.put(f"/courses/{course['id']}", json=unknown, headers=teacher[1]),
        await client.post(
            "/courses",
            json={"title": "T", "level": "beginner", "price_cents": 0, **unknown},
            headers=teacher[1],
        ),
    ):
        body = assert_problem(r, 422, "unknown_category")
        assert body["errors"] == [
            {"loc": ["body", "category_id"], "msg": "no such category", "type": "unknown_category"}
        ]
    # Nothing was changed by the refused updates.
    again = (await client.get(f"/courses/{course['id']}")).json()
    assert (again["title"], again["price_cents"]) == (course["title"], course["price_cents"])


async def test_currency_is_an_iso_4217_code_in_circulation(
    client: httpx.AsyncClient, make_course: Any, teacher: Any, tokens: Any
) -> None:
    base = {"title": "Priced", "level": "beginner", "price_cents": 500}
    for code in ("EUR", "JPY", "RUB", "KWD", "XOF", "CHF"):
        r = await client.post("/courses", json={**base, "currency": code}, headers=teacher[1])
        assert r.status_code == 201, (code, r.text)
        assert r.json()["currency"] == code
    course = await make_course(currency="GBP")
    # Three capitals that are no currency, a metal, a test code, a withdrawn one.
    for code in ("ZZZ", "ABC", "XAU", "XTS", "XXX", "HRK"):
        r = await client.post("/courses", json={**base, "currency": code}, headers=teacher[1])
        body = assert_problem(r, 422, "validation_error")
        assert [e["loc"] for e in body["errors"]] == [["body", "currency"]], code
        r = await client.put(
            f"/courses/{course['id']}", json={"currency": code}, headers=teacher[1]
        )
        assert_problem(r, 422, "validation_error")
    r = await client.put(f"/courses/{course['id']}", json={"currency": "EUR"}, headers=teacher[1])
    assert r.status_code == 200, r.text
    assert r.json()["currency"] == "EUR"
    # Someone else's course is refused whatever the currency.
    _, other = tokens.teacher(is_verified=True)
    r = await client.put(f"/courses/{course['id']}", json={"currency": "USD"}, headers=other)
    assert_problem(r, 403, "not_course_owner")
    assert (await client.get(f"/courses/{course['id']}")).json()["currency"] == "EUR"
