"""Drafts: seen by their teacher and admins only, announced to nobody, until published."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from edu_devstack.testing import assert_problem


async def _draft(make_course: Any, **fields: Any) -> dict[str, Any]:
    draft: dict[str, Any] = await make_course(status="draft", **fields)
    assert draft["status"] == "draft"
    return draft


async def _subjects(course_service: Any) -> list[str]:
    rows = await course_service.pool.fetch("SELECT subject FROM outbox ORDER BY seq")
    return [r["subject"] for r in rows]


async def test_new_courses_are_published_unless_drafted(
    client: httpx.AsyncClient, make_course: Any, course_service: Any
) -> None:
    published = await make_course(title="Published by default")
    assert published["status"] == "published"
    explicit = await make_course(title="Published on purpose", status="published")
    assert explicit["status"] == "published"
    await _draft(make_course, title="Drafted")
    # The draft is announced to no other service.
    assert await _subjects(course_service) == ["course.course_created.v1"] * 2


async def test_a_draft_is_in_no_catalog_search_or_count(
    client: httpx.AsyncClient, make_course: Any
) -> None:
    category = (await client.get("/categories")).json()[0]
    public = await make_course(title="Haskell in public", category_id=category["id"])
    await _draft(make_course, title="Haskell in private", category_id=category["id"])
    for query in (
        "/courses",
        "/courses?q=haskell",
        "/courses?q=private",
        "/courses?q=haskel",
        "/courses?q=haskell in private",
        f"/courses?category_id={category['id']}",
        f"/courses?teacher_id={public['teacher_id']}",
        "/courses?sort=rating",
        "/courses?sort=price_asc",
        "/courses?sort=price_desc",
    ):
        r = await client.get(query)
        assert r.status_code == 200, r.text
        assert [c["id"] for c in r.json()["items"]] in ([public["id"]], []), query
        assert "Haskell in private" not in r.text, query
    counts = {c["id"]: c["course_count"] for c in (await client.get("/categories")).json()}
    assert counts[category["id"]] == 1


async def test_a_draft_is_404_to_all_but_its_teacher_and_admins(
    client: httpx.AsyncClient,
    make_course: Any,
    add_module: Any,
    add_lesson: Any,
    teacher: Any,
    tokens: Any,
) -> None:
    draft = await _draft(make_course, price_cents=0)
    module = await add_module(draft["id"])
    lesson = await add_lesson(module["id"], is_preview=True)
    reads = (
        f"/courses/{draft['id']}",
        f"/courses/{draft['id']}/curriculum",
        f"/lessons/{lesson['id']}",
        f"/reviews/course/{draft['id']}",
    )
    _, student = tokens.student()
    _, other_teacher = tokens.teacher(is_verified=True)
    headers: dict[str, str]
    for headers in ({}, student, other_teacher):
        for path in reads:
            # Twice: the owner's reads below must not have left a copy for anyone else.
            for _ in range(2):
                assert_problem(await client.get(path, headers=headers), 404, "not_found")
        r = await client.put(f"/courses/{draft['id']}", json={"title": "Mine"}, headers=headers)
        assert r.status_code == (401 if not headers else 404), r.text
    _, admin = tokens.admin()
    for headers in (teacher[1], admin):
        for _ in range(2):  # the second read would be a cache hit, were drafts cached
            r = await client.get(f"/courses/{draft['id']}", headers=headers)
            assert r.status_code == 200, r.text
            assert (r.json()["id"], r.json()["status"]) == (draft["id"], "draft")
            r = await client.get(f"/courses/{draft['id']}/curriculum", headers=headers)
            assert r.status_code == 200, r.text
            assert r.json()["total_lessons"] == 1
            r = await client.get(f"/lessons/{lesson['id']}", headers=headers)
            assert r.status_code == 200, r.text
            assert r.json()["id"] == lesson["id"]
    for headers in ({}, student, other_teacher):
        for path in reads:
            assert_problem(await client.get(path, headers=headers), 404, "not_found")
    # A student cannot review a course that does not exist for them.
    r = await client.post("/reviews", json={"course_id": draft["id"], "rating": 5}, headers=student)
    assert_problem(r, 404, "not_found")


async def test_the_owner_sees_drafts_in_my_courses(
    client: httpx.AsyncClient, make_course: Any, teacher: Any, tokens: Any
) -> None:
    published = await make_course(title="Out")
    draft = await _draft(make_course, title="In the works")
    r = await client.get("/courses/my", headers=teacher[1])
    assert r.status_code == 200, r.text
    assert [(c["id"], c["status"]) for c in r.json()["items"]] == [
        (draft["id"], "draft"),
        (published["id"], "published"),
    ]
    _, other = tokens.teacher(is_verified=True)
    assert (await client.get("/courses/my", headers=other)).json()["items"] == []


async def test_publish_a_draft(
    client: httpx.AsyncClient,
    make_course: Any,
    add_module: Any,
    add_lesson: Any,
    teacher: Any,
    tokens: Any,
    course_service: Any,
) -> None:
    draft = await _draft(make_course, title="Erlang soon", price_cents=1200)
    publish = f"/courses/{draft['id']}/publish"
    r = await client.post(publish, headers=teacher[1])
    assert_problem(r, 409, "course_has_no_lessons")
    module = await add_module(draft["id"])
    assert_problem(await client.post(publish, headers=teacher[1]), 409, "course_has_no_lessons")
    lesson = await add_lesson(module["id"])
    assert await _subjects(course_service) == []

    assert_problem(await client.post(publish), 401)
    _, student = tokens.student()
    assert_problem(await client.post(publish, headers=student), 404, "not_found")
    _, other = tokens.teacher(is_verified=True)
    assert_problem(await client.post(publish, headers=other), 404, "not_found")
    assert_problem(await client.post(f"/courses/{uuid.uuid4()}/publish", headers=teacher[1]), 404)
    assert_problem(await client.post("/courses/nope/publish", headers=teacher[1]), 422)
    assert (await client.get(f"/courses/{draft['id']}")).status_code == 404

    r = await client.post(publish, headers=teacher[1])
    assert r.status_code == 200, r.text
    assert (r.json()["id"], r.json()["status"]) == (draft["id"], "published")
    assert r.json()["title"] == "Erlang soon"
    # Other services hear of it now, once, with its lessons and a revision past the draft's.
    rows = await course_service.pool.fetch("SELECT subject, payload FROM outbox")
    assert [row["subject"] for row in rows] == ["course.course_created.v1"]
    payload = rows[0]["payload"]
    assert payload["status"] == "published"
    assert payload["lesson_ids"] == [lesson["id"]]
    assert payload["price_cents"] == 1200
    assert payload["revision"] > 1
    # Everyone sees it now: the course, its curriculum, the catalog, the search.
    assert (await client.get(f"/courses/{draft['id']}")).json()["status"] == "published"
    assert (await client.get(f"/courses/{draft['id']}/curriculum")).json()["total_lessons"] == 1
    listed = (await client.get("/courses?q=erlang")).json()["items"]
    assert [c["id"] for c in listed] == [draft["id"]]

    # Again: harmless, nothing more announced, nothing changed.
    again = await client.post(publish, headers=teacher[1])
    assert again.status_code == 200, again.text
    assert again.json() == r.json()
    assert len(await _subjects(course_service)) == 1
    # Once published, a course's non-owners get the usual 403.
    assert_problem(await client.post(publish, headers=other), 403, "not_course_owner")


async def test_an_admin_publishes_and_an_archived_course_stays_archived(
    client: httpx.AsyncClient,
    make_course: Any,
    add_module: Any,
    add_lesson: Any,
    tokens: Any,
    teacher: Any,
    enroll: Any,
) -> None:
    draft = await _draft(make_course)
    await add_lesson((await add_module(draft["id"]))["id"])
    _, admin = tokens.admin()
    r = await client.post(f"/courses/{draft['id']}/publish", headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "published"
    await enroll(draft["id"])
    assert (await client.delete(f"/courses/{draft['id']}", headers=teacher[1])).status_code == 204
    r = await client.post(f"/courses/{draft['id']}/publish", headers=teacher[1])
    assert_problem(r, 409, "course_archived")
    assert (await client.get(f"/courses/{draft['id']}")).json()["status"] == "archived"


async def test_a_removed_draft_is_announced_to_nobody(
    client: httpx.AsyncClient, make_course: Any, teacher: Any, course_service: Any
) -> None:
    draft = await _draft(make_course)
    r = await client.put(f"/courses/{draft['id']}", json={"price_cents": 700}, headers=teacher[1])
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["price_cents"]) == ("draft", 700)
    assert (await client.delete(f"/courses/{draft['id']}", headers=teacher[1])).status_code == 204
    r = await client.get(f"/courses/{draft['id']}", headers=teacher[1])
    assert_problem(r, 404, "not_found")
    assert await _subjects(course_service) == []
