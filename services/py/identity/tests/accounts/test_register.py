from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx
    from conftest import Bearer, Register
    from edu_devstack.testing import Mailbox, RunningService

import asyncio


async def test_register_returns_tokens_and_user(
    client: httpx.AsyncClient, bearer: Bearer, mailbox: Mailbox, identity: RunningService
) -> None:
    r = await client.post(
        "/register",
        json={
            "email": "New@Example.com",
            "password": "long-enough",
            "name": "Ann",
            "role": "teacher",
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert body["refresh_token"]
    user = body["user"]
    assert set(user) == {
        "id",
        "email",
        "name",
        "role",
        "is_verified",
        "email_verified",
        "created_at",
    }
    assert user["email"] == "new@example.com"
    assert (user["role"], user["is_verified"], user["email_verified"]) == ("teacher", False, False)
    me = await client.get("/me", headers=bearer(body))
    assert me.status_code == 200
    assert me.json() == user
    mail = (await mailbox.wait_for("new@example.com", "confirm"))[0]
    assert "http://127.0.0.1:3001/verify-email?token=" in mail.body
    # Announced through the outbox, in the registration's transaction.
    rows = await identity.pool.fetch("SELECT subject, payload FROM outbox")
    assert [r["subject"] for r in rows] == ["identity.user_registered.v1"]
    assert rows[0]["payload"]["user_id"] == user["id"]


async def test_access_token_carries_name_and_role(
    client: httpx.AsyncClient, register: Register, identity: RunningService
) -> None:
    body = await register(role="teacher")
    principal = identity.app.state.token_verifier.verify(body["access_token"])
    assert principal.name == "Test User"
    assert principal.role == "teacher"
    assert principal.is_verified is False


async def test_email_is_unique_whatever_the_case(
    client: httpx.AsyncClient, register: Register
) -> None:
    await register(email="dup@example.com")
    r = await client.post(
        "/register",
        json={
            "email": "DUP@example.COM",
            "password": "long-enough",
            "name": "B",
            "role": "student",
        },
    )
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "email_taken"


async def test_concurrent_registrations_of_one_email_make_one_account(
    client: httpx.AsyncClient, identity: RunningService
) -> None:
    payload = {
        "email": "race@example.com",
        "password": "long-enough",
        "name": "R",
        "role": "student",
    }
    results = await asyncio.gather(*(client.post("/register", json=payload) for _ in range(5)))
    assert sorted(r.status_code for r in results) == [201, 409, 409, 409, 409]
    assert await identity.pool.fetchval("SELECT count(*) FROM users") == 1


async def test_admin_role_cannot_be_chosen(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/register",
        json={"email": "a@example.com", "password": "long-enough", "name": "A", "role": "admin"},
    )
    assert r.status_code == 422
    assert "role" in r.json()["detail"]


async def test_unknown_fields_set_nothing(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/register",
        json={
            "email": "sneaky@example.com",
            "password": "long-enough",
            "name": "S",
            "role": "teacher",
            "is_verified": True,
            "email_verified": True,
            "id": "00000000-0000-0000-0000-000000000000",
        },
    )
    assert r.status_code == 201
    user = r.json()["user"]
    assert user["is_verified"] is False
    assert user["email_verified"] is False
    assert user["id"] != "00000000-0000-0000-0000-000000000000"


async def test_markup_is_stripped_from_the_name(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/register",
        json={
            "email": "xss@example.com",
            "password": "long-enough",
            "name": "<script>alert(1)</script><b>Bob</b> &lt;img src=x onerror=alert(1)&gt;",
            "role": "student",
        },
    )
    assert r.status_code == 201, r.text
    name = r.json()["user"]["name"]
    assert "<" not in name
    assert "script" not in name
    assert "onerror" not in name
    assert name.startswith("Bob")


async def test_a_name_of_only_markup_is_refused(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/register",
        json={
            "email": "m@example.com",
            "password": "long-enough",
            "name": "<i></i>",
            "role": "student",
        },
    )
    assert r.status_code == 422


async def test_bad_input_is_4xx_never_500(client: httpx.AsyncClient) -> None:
    ok = {"email": "v@example.com", "password": "long-enough", "name": "V", "role": "student"}
    cases = [
        {k: v for k, v in ok.items() if k != "password"},
        {k: v for k, v in ok.items() if k != "email"},
        {},
        {**ok, "password": "short"},
        {**ok, "password": "x" * 129},
        {**ok, "name": "n" * 101},
        {**ok, "name": ""},
        {**ok, "email": "not-an-email"},
        {**ok, "email": "a" * 250 + "@example.com"},
        {**ok, "role": "superuser"},
        {**ok, "password": 12345678},
        {**ok, "name": None},
    ]
    for case in cases:
        r = await client.post("/register", json=case)
        assert r.status_code == 422, (case, r.text)
        assert r.json()["code"] == "validation_error"
    for raw in (b"{not json", b'{"email": ', b"\xff\xfe"):
        r = await client.post(
            "/register", content=raw, headers={"content-type": "application/json"}
        )
        assert r.status_code in (400, 422), r.text
    r = await client.post(
        "/register", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    assert r.json()["code"] == "malformed_json"
    r = await client.post("/register", json=["a", "list"])
    assert r.status_code == 422
