"""Hostile input on identity: registrations in bulk, addresses that cannot get mail, and access
tokens that outlive the session they came from."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import httpx
    from conftest import Bearer, ClientFrom, Register, StartIdentity
    from edu_devstack.testing import Mailbox, RunningService
    from identity.settings import IdentitySettings

from edu_devstack.testing import assert_problem


def _new_user(email: str) -> dict[str, str]:
    return {"email": email, "password": "long-enough", "name": "N", "role": "student"}


async def test_register_is_rate_limited_per_ip(
    start_identity: StartIdentity, client_from: ClientFrom
) -> None:
    svc = await start_identity(register_ip_limit=3)
    for n in range(3):
        r = await svc.client.post("/register", json=_new_user(f"bulk{n}@example.com"))
        assert r.status_code == 201, r.text
    r = await svc.client.post("/register", json=_new_user("bulk3@example.com"))
    assert_problem(r, 429, "rate_limited")
    assert int(r.headers["Retry-After"]) >= 1
    # Refused before anything was written or mailed.
    assert await svc.pool.fetchval("SELECT count(*) FROM users") == 3
    assert await svc.pool.fetchval("SELECT count(*) FROM mail_outbox") == 3
    # The limit is per IP: someone elsewhere still registers.
    other = client_from("198.51.100.7")
    r = await other.post("/register", json=_new_user("elsewhere@example.com"))
    assert r.status_code == 201


async def test_register_limit_is_documented(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert "429" in spec["paths"]["/register"]["post"]["responses"]


async def test_an_internationalized_address_is_refused_at_registration(
    client: httpx.AsyncClient, identity: RunningService
) -> None:
    for email in (
        "\u00fcser@example.com",
        "\u7528\u6237@example.cn",
        "j\u00f6rg@b\u00fccher.example",
    ):
        r = await client.post("/register", json=_new_user(email))
        body = assert_problem(r, 422, "validation_error")
        assert body["detail"] == "invalid request: email", email
    assert await identity.pool.fetchval("SELECT count(*) FROM mail_outbox") == 0
    # An internationalized domain is kept in the ASCII form mail servers route.
    r = await client.post("/register", json=_new_user("user@b\u00fccher.example"))
    assert r.status_code == 201, r.text
    assert r.json()["user"]["email"] == "user@xn--bcher-kva.example"
    r = await client.post("/register", json=_new_user("user@xn--bcher-kva.example"))
    assert_problem(r, 409, "email_taken")
    r = await client.post(
        "/login", json={"email": "user@b\u00fccher.example", "password": "long-enough"}
    )
    assert r.status_code == 200


async def test_logout_ends_the_access_tokens_of_that_login(
    client: httpx.AsyncClient, register: Register, bearer: Bearer
) -> None:
    body = await register(email="leave@example.com", password="secret-pass")
    other = (
        await client.post("/login", json={"email": "leave@example.com", "password": "secret-pass"})
    ).json()
    assert (await client.get("/me", headers=bearer(body))).status_code == 200
    r = await client.post("/logout", json={"refresh_token": body["refresh_token"]})
    assert r.status_code == 204
    assert_problem(await client.get("/me", headers=bearer(body)), 401, "invalid_token")
    # Another login of the same user is untouched.
    assert (await client.get("/me", headers=bearer(other))).status_code == 200


async def test_a_password_reset_ends_every_access_token(
    client: httpx.AsyncClient, register: Register, bearer: Bearer, mailbox: Mailbox
) -> None:
    body = await register(email="reset-all@example.com", password="old-password")
    login = (
        await client.post(
            "/login", json={"email": "reset-all@example.com", "password": "old-password"}
        )
    ).json()
    await client.post("/forgot-password", json={"email": "reset-all@example.com"})
    token = (await mailbox.wait_for("reset-all@example.com", "reset"))[0].token
    r = await client.post("/reset-password", json={"token": token, "new_password": "new-password"})
    assert r.status_code == 204
    for old in (body, login):
        assert_problem(await client.get("/me", headers=bearer(old)), 401, "invalid_token")
    fresh = (
        await client.post(
            "/login", json={"email": "reset-all@example.com", "password": "new-password"}
        )
    ).json()
    assert (await client.get("/me", headers=bearer(fresh))).status_code == 200


async def test_a_reused_refresh_token_ends_the_access_tokens_of_its_login(
    client: httpx.AsyncClient, register: Register, bearer: Bearer
) -> None:
    body = await register()
    rotated = (await client.post("/refresh", json={"refresh_token": body["refresh_token"]})).json()
    assert (await client.get("/me", headers=bearer(rotated))).status_code == 200
    r = await client.post("/refresh", json={"refresh_token": body["refresh_token"]})
    assert_problem(r, 401, "refresh_token_reused")
    for token in (body, rotated):
        assert_problem(await client.get("/me", headers=bearer(token)), 401, "invalid_token")


async def test_an_ended_session_is_remembered_only_while_its_tokens_live(
    client: httpx.AsyncClient, register: Register, identity: RunningService
) -> None:
    body = await register()
    await client.post("/logout", json={"refresh_token": body["refresh_token"]})
    redis = identity.app.state.redis
    keys = [k async for k in redis.scan_iter(match="edu:ended-session:*")]
    assert len(keys) == 1
    ttl = await redis.ttl(keys[0])
    # The launcher hands back the base settings type; identity's are IdentitySettings.
    settings = cast("IdentitySettings", identity.settings)
    assert 0 < ttl <= settings.access_ttl_seconds + settings.jwt_leeway_seconds
