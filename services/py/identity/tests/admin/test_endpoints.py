from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx
    from conftest import Bearer, Register
    from edu_devstack.testing import RunningService, Tokens

import asyncio
import uuid


async def test_pending_teachers_paginate(
    client: httpx.AsyncClient, register: Register, admin_headers: dict[str, str]
) -> None:
    teachers = [await register(role="teacher") for _ in range(5)]
    await register(role="student")
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        r = await client.get("/admin/teachers/pending", params=params, headers=admin_headers)
        assert r.status_code == 200, r.text
        page = r.json()
        assert set(page) == {"items", "next_cursor"}
        seen += [u["id"] for u in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [t["user"]["id"] for t in teachers]
    assert pages == 3
    r = await client.get("/admin/teachers/pending", headers=admin_headers)
    assert len(r.json()["items"]) == 5
    assert r.json()["next_cursor"] is None


async def test_pending_teachers_page_across_teachers_registered_at_one_instant(
    client: httpx.AsyncClient,
    register: Register,
    admin_headers: dict[str, str],
    identity: RunningService,
) -> None:
    for _ in range(5):
        await register(role="teacher")
    await identity.pool.execute(
        "UPDATE users SET created_at = '2026-03-01T12:00:00Z' WHERE role = 'teacher'"
    )
    ties = await identity.pool.fetch("SELECT id FROM users WHERE role = 'teacher' ORDER BY id")
    seen: list[str] = []
    sizes: list[int] = []
    params = {"limit": 2}
    while True:
        r = await client.get("/admin/teachers/pending", params=params, headers=admin_headers)
        assert r.status_code == 200, r.text
        page = r.json()
        seen += [u["id"] for u in page["items"]]
        sizes.append(len(page["items"]))
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == [str(t["id"]) for t in ties]
    assert sizes == [2, 2, 1]


async def test_pending_teachers_bad_input(
    client: httpx.AsyncClient, admin_headers: dict[str, str], identity: RunningService
) -> None:
    url = "/admin/teachers/pending"
    for limit in (0, 101, "x"):
        r = await client.get(url, params={"limit": limit}, headers=admin_headers)
        assert r.status_code == 422
    r = await client.get(url, params={"cursor": "garbage!!"}, headers=admin_headers)
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_cursor"
    other = identity.app.state.cursors.encode("another_list", [1])
    r = await client.get(url, params={"cursor": other}, headers=admin_headers)
    assert r.status_code == 400
    wrong_shape = identity.app.state.cursors.encode("pending_teachers", ["not-a-date", "x"])
    r = await client.get(url, params={"cursor": wrong_shape}, headers=admin_headers)
    assert r.status_code == 400


async def test_admin_routes_need_an_admin(
    client: httpx.AsyncClient, register: Register, bearer: Bearer, tokens: Tokens
) -> None:
    student = await register()
    teacher = await register(role="teacher")
    target = f"/admin/users/{teacher['user']['id']}/verify"
    for headers in (bearer(student), bearer(teacher), tokens.teacher()[1]):
        r = await client.get("/admin/teachers/pending", headers=headers)
        assert r.status_code == 403
        assert (await client.patch(target, headers=headers)).status_code == 403
    assert (await client.get("/admin/teachers/pending")).status_code == 401
    assert (await client.patch(target)).status_code == 401


async def test_verify_teacher(
    client: httpx.AsyncClient,
    register: Register,
    admin_headers: dict[str, str],
    identity: RunningService,
) -> None:
    teacher = await register(role="teacher")
    target = f"/admin/users/{teacher['user']['id']}/verify"
    r = await client.patch(target, headers=admin_headers)
    assert r.status_code == 200, r.text
    assert r.json()["is_verified"] is True
    assert r.json()["id"] == teacher["user"]["id"]
    pending = await client.get("/admin/teachers/pending", headers=admin_headers)
    assert pending.json()["items"] == []
    # Again: still 200, nothing announced twice.
    results = await asyncio.gather(*(client.patch(target, headers=admin_headers) for _ in range(3)))
    assert all(x.status_code == 200 for x in results)
    events = await identity.pool.fetch(
        "SELECT payload FROM outbox WHERE subject = 'identity.teacher_verified.v1'"
    )
    assert len(events) == 1
    assert events[0]["payload"]["user_id"] == teacher["user"]["id"]


async def test_verify_unknown_or_non_teacher(
    client: httpx.AsyncClient, register: Register, admin_headers: dict[str, str]
) -> None:
    student = await register()
    r = await client.patch(f"/admin/users/{student['user']['id']}/verify", headers=admin_headers)
    assert r.status_code == 409
    assert r.json()["code"] == "not_a_teacher"
    r = await client.patch(f"/admin/users/{uuid.uuid4()}/verify", headers=admin_headers)
    assert r.status_code == 404
    r = await client.patch("/admin/users/not-a-uuid/verify", headers=admin_headers)
    assert r.status_code == 422
