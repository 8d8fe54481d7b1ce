"""Every course route for the right and the wrong callers, and the input each refuses."""

from __future__ import annotations

import uuid
from typing import Any

import httpx


async def test_create_course_by_role(client: httpx.AsyncClient, tokens: Any) -> None:
    body = {"title": "Rust", "level": "advanced", "price_cents": 100}
    assert (await client.post("/courses", json=body)).status_code == 401
    bad = {"Authorization": "Bearer x.y.z"}
    assert (await client.post("/courses", json=body, headers=bad)).status_code == 401
    assert (
        await client.post("/courses", json=body, headers={"Authorization": "x"})
    ).status_code == 401
    _, student = tokens.student(is_verified=True)
    r = await client.post("/courses", json=body, headers=student)
    assert r.status_code == 403
    assert r.json()["code"] != "teacher_not_verified"
    _, service = tokens.service()
    assert (await client.post("/courses", json=body, headers=service)).status_code == 403
    _, unverified = tokens.teacher(is_verified=False)
    r = await client.post("/courses", json=body, headers=unverified)
    assert r.status_code == 403
    assert r.json()["code"] == "teacher_not_verified"
    assert r.headers["content-type"].startswith("application/problem+json")
    teacher_id, teacher = tokens.teacher(is_verified=True, name="Linus")
    r = await client.post("/courses", json=body, headers=teacher)
    assert r.status_code == 201
    assert r.json()["teacher_id"] == str(teacher_id)
    assert r.json()["teacher_name"] == "Linus"
    listed = (await client.get("/courses")).json()["items"]
    assert [c["title"] for c in listed] == ["Rust"]


async def test_expired_token_is_refused(client: httpx.AsyncClient, tokens: Any) -> None:
    _, expired = tokens.teacher(is_verified=True, ttl_seconds=-120)
    body = {"title": "Late", "level": "beginner", "price_cents": 0}
    assert (await client.post("/courses", json=body, headers=expired)).status_code == 401


async def test_create_course_bad_input(client: httpx.AsyncClient, teacher: Any) -> None:
    base = {"title": "T", "level": "beginner", "price_cents": 0}
    for bad in (
        {"price_cents": -100},
        {"price_cents": 1.5},
        {"price_cents": "free"},
        {"price_cents": "100"},
        {"price_cents": True},
        {"price_cents": 10**12},
        {"level": "Beginner"},
        {"level": None},
        {"title": None},
        {"title": "   "},
        {"title": "<script>x</script>"},
        {"description": "d" * 10_001},
        {"currency": "usd"},
        {"duration_minutes": -1},
        {"category_id": 7},
    ):
        r = await client.post("/courses", json={**base, **bad}, headers=teacher[1])
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["code"]
    for missing in ("title", "level", "price_cents"):
        body = {k: v for k, v in base.items() if k != missing}
        assert (await client.post("/courses", json=body, headers=teacher[1])).status_code == 422
    r = await client.post("/courses", json=[base], headers=teacher[1])
    assert r.status_code == 422
    assert (await client.get("/courses")).json()["items"] == []


async def test_update_course_routes(
    client: httpx.AsyncClient, make_course: Any, tokens: Any, teacher: Any
) -> None:
    course = await make_course(price_cents=500)
    cid = course["id"]
    _, unverified_owner_view = tokens.teacher(is_verified=False)
    r = await client.put(f"/courses/{cid}", json={"title": "x"}, headers=unverified_owner_view)
    assert r.status_code == 403
    _, service = tokens.service()
    assert (
        await client.put(f"/courses/{cid}", json={"title": "x"}, headers=service)
    ).status_code == 403
    for bad in (
        {"level": "expert"},
        {"price_cents": -1},
        {"title": ""},
        {"title": "t" * 201},
        {"description": "d" * 10_001},
        {"currency": "EURO"},
        {"duration_minutes": -5},
        {"duration_minutes": True},
        {"price_cents": False},
        {"category_id": str(uuid.uuid4())},
        {"level": None},
        {"price_cents": None},
    ):
        r = await client.put(f"/courses/{cid}", json=bad, headers=teacher[1])
        assert r.status_code == 422, (bad, r.text)
    assert (await client.put("/courses/nope", json={}, headers=teacher[1])).status_code == 422
    r = await client.put(
        f"/courses/{cid}", content=b"{", headers={**teacher[1], "content-type": "application/json"}
    )
    assert r.status_code == 400
    assert r.json()["code"] == "malformed_json"

    # Server-owned fields are ignored, whoever sends them.
    r = await client.put(
        f"/courses/{cid}",
        json={
            "title": "Kept",
            "teacher_id": str(uuid.uuid4()),
            "status": "archived",
            "avg_rating": 5,
            "review_count": 99,
            "enrollment_count": 1000,
            "id": str(uuid.uuid4()),
        },
        headers=teacher[1],
    )
    assert r.status_code == 200, r.text
    found = (await client.get(f"/courses/{cid}")).json()
    assert found["id"] == cid
    assert found["title"] == "Kept"
    assert found["teacher_id"] == str(teacher[0])
    assert found["status"] == "published"
    assert (found["avg_rating"], found["review_count"], found["enrollment_count"]) == (None, 0, 0)
    assert found["price_cents"] == 500

    cats = (await client.get("/categories")).json()
    r = await client.put(f"/courses/{cid}", json={"category_id": cats[0]["id"]}, headers=teacher[1])
    assert r.status_code == 200
    assert r.json()["category_id"] == cats[0]["id"]
    r = await client.put(f"/courses/{cid}", json={"category_id": None}, headers=teacher[1])
    assert r.status_code == 200
    assert r.json()["category_id"] is None
    r = await client.put(f"/courses/{cid}", json={"price_cents": 0}, headers=teacher[1])
    assert r.json()["is_free"] is True


async def test_delete_course_routes(
    client: httpx.AsyncClient, make_course: Any, tokens: Any, teacher: Any
) -> None:
    course = await make_course()
    cid = course["id"]
    assert (await client.delete(f"/courses/{cid}")).status_code == 401
    _, student = tokens.student()
    assert (await client.delete(f"/courses/{cid}", headers=student)).status_code == 403
    _, unverified = tokens.teacher(is_verified=False)
    assert (await client.delete(f"/courses/{cid}", headers=unverified)).status_code == 403
    _, service = tokens.service()
    assert (await client.delete(f"/courses/{cid}", headers=service)).status_code == 403
    assert (await client.get(f"/courses/{cid}")).status_code == 200
    r = await client.delete(f"/courses/{uuid.uuid4()}", headers=teacher[1])
    assert r.status_code == 404
    assert (await client.delete("/courses/nope", headers=teacher[1])).status_code == 422
    _, admin = tokens.admin()
    assert (await client.delete(f"/courses/{cid}", headers=admin)).status_code == 204
    assert (await client.get(f"/courses/{cid}")).status_code == 404


async def test_my_courses_routes(
    client: httpx.AsyncClient, make_course: Any, tokens: Any, teacher: Any
) -> None:
    for i in range(3):
        await make_course(title=f"Mine {i}")
    archived = await make_course(title="Old")
    await client.delete(f"/courses/{archived['id']}", headers=teacher[1])
    _, unverified = tokens.teacher(is_verified=False)
    r = await client.get("/courses/my", headers=unverified)
    assert r.status_code == 200
    assert r.json()["items"] == []
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 1}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/courses/my", params=params, headers=teacher[1])).json()
        seen += [c["title"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["Mine 2", "Mine 1", "Mine 0"]
    for limit in (0, 101):
        r = await client.get("/courses/my", params={"limit": limit}, headers=teacher[1])
        assert r.status_code == 422
    for bad in ("zzz", "eyJ4IjoxfQ"):
        r = await client.get("/courses/my", params={"cursor": bad}, headers=teacher[1])
        assert r.status_code == 400
        assert r.json()["code"] == "invalid_cursor"
    # A catalog cursor is not a cursor of this list.
    catalog = (await client.get("/courses", params={"limit": 1})).json()
    assert catalog["next_cursor"]
    r = await client.get(
        "/courses/my", params={"cursor": catalog["next_cursor"]}, headers=teacher[1]
    )
    assert r.status_code == 400


async def test_catalog_refuses_bad_queries(client: httpx.AsyncClient, make_course: Any) -> None:
    await make_course()
    await make_course(title="Second")
    for params in (
        {"limit": 0},
        {"limit": 101},
        {"limit": "ten"},
        {"level": "expert"},
        {"sort": "cheapest"},
        {"is_free": "maybe"},
        {"category_id": "x"},
        {"teacher_id": "x"},
        {"q": "q" * 201},
    ):
        r = await client.get("/courses", params=params)
        assert r.status_code == 422, (params, r.text)
    for cursor in ("garbage", "AAAA", "x" * 40):
        r = await client.get("/courses", params={"cursor": cursor})
        assert r.status_code == 400, cursor
        assert r.json()["code"] == "invalid_cursor"
    r = await client.get("/courses", params={"q": "\u0000"})
    assert r.status_code == 200
    assert len(r.json()["items"]) == 2
    r = await client.get("/courses", params={"q": "Second\u0000"})
    assert r.status_code == 200
    first = (await client.get("/courses", params={"limit": 1})).json()
    r = await client.get("/courses", params={"cursor": first["next_cursor"], "sort": "price_asc"})
    assert r.status_code == 400
    r = await client.get("/courses", params={"cursor": first["next_cursor"]})
    assert r.status_code == 200
    assert len(r.json()["items"]) == 1


async def test_public_reads_need_no_token(
    client: httpx.AsyncClient, make_course: Any, tokens: Any
) -> None:
    course = await make_course()
    _, student = tokens.student()
    headers: dict[str, str]
    for headers in ({}, student):
        assert (await client.get("/courses", headers=headers)).status_code == 200
        assert (await client.get(f"/courses/{course['id']}", headers=headers)).status_code == 200
        assert (await client.get("/categories", headers=headers)).status_code == 200
        r = await client.get(f"/courses/{course['id']}/curriculum", headers=headers)
        assert r.status_code == 200
        r = await client.get(f"/reviews/course/{course['id']}", headers=headers)
        assert r.status_code == 200
    # A teacher's own list needs a valid token.
    r = await client.get("/courses/my", headers={"Authorization": "Bearer broken"})
    assert r.status_code == 401
