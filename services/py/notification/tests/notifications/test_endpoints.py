from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx
from edu_common.events.contracts import UserRegistered
from edu_devstack.testing import RunningService, Tokens, assert_problem

if TYPE_CHECKING:
    from conftest import Create, Deliver, Inbox, KnownUser


async def test_owner_lists_newest_first_with_unread_count(
    client: httpx.AsyncClient, tokens: Tokens, create: Create
) -> None:
    user_id, headers = tokens.student()
    first = await create(user_id, title="First")
    second = await create(user_id, title="Second")
    r = await client.get("/notifications/me", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [n["id"] for n in body["items"]] == [second["id"], first["id"]]
    assert body["next_cursor"] is None
    assert body["unread_count"] == 2
    item = body["items"][0]
    assert set(item) == {"id", "type", "title", "body", "is_read", "created_at", "data"}
    assert item["is_read"] is False
    assert item["data"] == {}


async def test_another_users_notifications_are_not_listed(
    client: httpx.AsyncClient, tokens: Tokens, create: Create
) -> None:
    owner, _ = tokens.student()
    await create(owner)
    _, other = tokens.student()
    body = (await client.get("/notifications/me", headers=other)).json()
    assert body == {"items": [], "next_cursor": None, "unread_count": 0}


async def test_owner_marks_one_read(
    client: httpx.AsyncClient, tokens: Tokens, create: Create
) -> None:
    user_id, headers = tokens.student()
    created = await create(user_id)
    await create(user_id)
    r = await client.patch(f"/notifications/{created['id']}/read", headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["id"] == created["id"]
    assert r.json()["is_read"] is True
    again = await client.patch(f"/notifications/{created['id']}/read", headers=headers)
    assert again.status_code == 200
    assert (await client.get("/notifications/me", headers=headers)).json()["unread_count"] == 1


async def test_someone_elses_or_unknown_notification_is_404(
    client: httpx.AsyncClient, tokens: Tokens, create: Create
) -> None:
    owner, owner_headers = tokens.student()
    created = await create(owner)
    _, other = tokens.student()
    r = await client.patch(f"/notifications/{created['id']}/read", headers=other)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.patch(f"/notifications/{uuid.uuid4()}/read", headers=owner_headers)
    assert r.status_code == 404
    mine = (await client.get("/notifications/me", headers=owner_headers)).json()
    assert mine["items"][0]["is_read"] is False


async def test_read_all(client: httpx.AsyncClient, tokens: Tokens, create: Create) -> None:
    user_id, headers = tokens.student()
    other_id, other_headers = tokens.student()
    for _ in range(3):
        await create(user_id)
    await create(other_id)
    r = await client.post("/notifications/read-all", headers=headers)
    assert r.status_code == 204
    assert r.content == b""
    body = (await client.get("/notifications/me", headers=headers)).json()
    assert body["unread_count"] == 0
    assert all(n["is_read"] for n in body["items"])
    assert (await client.get("/notifications/me", headers=other_headers)).json()[
        "unread_count"
    ] == 1


async def test_anonymous_is_401_everywhere(client: httpx.AsyncClient) -> None:
    some = uuid.uuid4()
    for method, path in [
        ("GET", "/notifications/me"),
        ("PATCH", f"/notifications/{some}/read"),
        ("POST", "/notifications/read-all"),
        ("POST", "/notifications"),
    ]:
        r = await client.request(method, path, json={} if method == "POST" else None)
        assert r.status_code == 401, (method, path, r.text)
    r = await client.get("/notifications/me", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401


async def test_only_admin_or_service_creates(
    client: httpx.AsyncClient, tokens: Tokens, known_user: KnownUser
) -> None:
    target, target_headers = tokens.student()
    await known_user(target)
    payload = {"user_id": str(target), "type": "announcement", "title": "Hi", "body": "News"}
    for role in ("student", "teacher"):
        _, headers = getattr(tokens, role)()
        r = await client.post("/notifications", json=payload, headers=headers)
        assert r.status_code == 403, r.text
    for role in ("admin", "service"):
        _, headers = getattr(tokens, role)()
        r = await client.post("/notifications", json=payload, headers=headers)
        assert r.status_code == 201, r.text
        assert r.json()["type"] == "announcement"
        assert r.json()["title"] == "Hi"
    body = (await client.get("/notifications/me", headers=target_headers)).json()
    assert len(body["items"]) == 2


async def test_markup_is_stripped_and_server_fields_ignored(
    client: httpx.AsyncClient, tokens: Tokens, known_user: KnownUser
) -> None:
    target, headers = tokens.student()
    await known_user(target)
    _, admin = tokens.admin()
    r = await client.post(
        "/notifications",
        json={
            "user_id": str(target),
            "type": "announcement",
            "title": "<b>Big</b> <script>alert(1)</script>news",
            "body": '<img src=x onerror="alert(1)">Read &lt;script&gt;this',
            "is_read": True,
            "id": str(uuid.uuid4()),
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["title"] == "Big news"
    assert "<" not in created["body"]
    assert "onerror" not in created["body"]
    assert created["body"].startswith("Read")
    assert created["is_read"] is False
    listed = (await client.get("/notifications/me", headers=headers)).json()["items"]
    assert [n["title"] for n in listed] == ["Big news"]


async def test_bad_input(client: httpx.AsyncClient, tokens: Tokens) -> None:
    target, headers = tokens.student()
    _, admin = tokens.admin()
    ok: dict[str, object] = {
        "user_id": str(target),
        "type": "announcement",
        "title": "T",
        "body": "B",
    }
    changes: list[dict[str, object]] = [
        {"title": "x" * 201},
        {"body": "x" * 2001},
        {"title": ""},
        {"title": "<script>alert(1)</script>"},
        {"user_id": "not-a-uuid"},
        {"type": "Not A Type"},
        {"title": None},
    ]
    for change in changes:
        r = await client.post("/notifications", json={**ok, **change}, headers=admin)
        assert r.status_code == 422, (change, r.text)
    r = await client.post(
        "/notifications",
        content=b'{"user_id": ',
        headers={**admin, "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert r.json()["code"] == "malformed_json"
    r = await client.patch("/notifications/not-a-uuid/read", headers=headers)
    assert r.status_code == 422
    for limit in (0, 101, -1):
        r = await client.get(f"/notifications/me?limit={limit}", headers=headers)
        assert r.status_code == 422, limit
    for cursor in ("garbage", "AAAA", "x" * 100):
        r = await client.get("/notifications/me", params={"cursor": cursor}, headers=headers)
        assert r.status_code == 400, cursor
        assert r.json()["code"] == "invalid_cursor"


async def test_cursor_is_per_list_and_tamper_proof(
    client: httpx.AsyncClient, tokens: Tokens, create: Create, notification: RunningService
) -> None:
    user_id, headers = tokens.student()
    for _ in range(3):
        await create(user_id)
    cursor = (await client.get("/notifications/me?limit=1", headers=headers)).json()["next_cursor"]
    assert cursor
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    r = await client.get("/notifications/me", params={"cursor": tampered}, headers=headers)
    assert r.status_code == 400
    foreign = notification.app.state.cursors.encode("other_list", ["2020-01-01T00:00:00", "x"])
    r = await client.get("/notifications/me", params={"cursor": foreign}, headers=headers)
    assert r.status_code == 400
    bad_values = notification.app.state.cursors.encode("my_notifications", ["soon", "x"])
    r = await client.get("/notifications/me", params={"cursor": bad_values}, headers=headers)
    assert r.status_code == 400


async def test_pagination_has_no_duplicates_or_gaps(
    client: httpx.AsyncClient, tokens: Tokens, create: Create, notification: RunningService
) -> None:
    user_id, headers = tokens.student()
    # Same timestamps for several rows: the id breaks the tie.
    await notification.pool.execute(
        "INSERT INTO notifications (user_id, type, title, body, created_at)"
        " SELECT $1, 'announcement', 'n' || i, 'b', '2026-01-01T00:00:00Z'"
        " FROM generate_series(1, 5) AS i",
        user_id,
    )
    for _ in range(6):
        await create(user_id)
    r = await client.get("/notifications/me?limit=100", headers=headers)
    everything = [n["id"] for n in r.json()["items"]]
    assert len(everything) == 11
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/notifications/me", params=params, headers=headers)).json()
        seen += [n["id"] for n in page["items"]]
        assert page["unread_count"] == 11
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything
    assert len(set(seen)) == 11
    default = (await client.get("/notifications/me", headers=headers)).json()
    assert len(default["items"]) == 11


async def test_default_page_size_is_20(
    client: httpx.AsyncClient, tokens: Tokens, notification: RunningService
) -> None:
    user_id, headers = tokens.student()
    await notification.pool.execute(
        "INSERT INTO notifications (user_id, type, title, body)"
        " SELECT $1, 'announcement', 'n' || i, 'b' FROM generate_series(1, 21) AS i",
        user_id,
    )
    body = (await client.get("/notifications/me", headers=headers)).json()
    assert len(body["items"]) == 20
    assert body["next_cursor"]
    assert body["unread_count"] == 21


async def test_a_notification_for_an_unknown_user_is_404(
    client: httpx.AsyncClient,
    tokens: Tokens,
    deliver: Deliver,
    inbox: Inbox,
    notification: RunningService,
) -> None:
    payload = {"type": "announcement", "title": "Hi", "body": "News"}
    _, admin = tokens.admin()
    _, service = tokens.service()
    stranger, stranger_headers = tokens.student()
    for headers in (admin, service):
        r = await client.post(
            "/notifications", json={**payload, "user_id": str(stranger)}, headers=headers
        )
        assert_problem(r, 404, "not_found")
    assert await notification.pool.fetchval("SELECT count(*) FROM notifications") == 0
    # Once identity announces the user (its welcome shows the projection has it), a 201.
    await deliver(UserRegistered(user_id=stranger, email="s@example.com", name="S", role="student"))
    await inbox(stranger_headers, "welcome")
    r = await client.post(
        "/notifications", json={**payload, "user_id": str(stranger)}, headers=admin
    )
    assert r.status_code == 201, r.text
