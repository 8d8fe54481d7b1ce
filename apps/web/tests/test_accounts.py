"""Accounts: register, log in and out, transparent token refresh, email verification from
the mailed link, resend, forgot and reset password."""

from __future__ import annotations

import json

import httpx
import respx
from conftest import SignIn, post_form
from fakes import IDENTITY, NOTIFICATION, problem, tokens_json
from redis.asyncio import Redis
from web.settings import WebSettings


def no_notifications(api: respx.MockRouter) -> None:
    api.get(f"{NOTIFICATION}/notifications/me").respond(
        200, json={"items": [], "next_cursor": None, "unread_count": 0}
    )


async def test_register_shows_api_field_errors_by_the_field_and_keeps_what_was_typed(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    api.post(f"{IDENTITY}/register").respond(
        422,
        json=problem(
            422,
            "validation_error",
            errors=[
                {"loc": ["body", "password"], "msg": "too short", "type": "string_too_short"},
                {"loc": ["body", "email"], "msg": "not an email", "type": "value_error"},
            ],
        ),
    )
    r = await post_form(
        client,
        "/register",
        {"name": "Ann Lee", "email": "ann@", "password": "short", "role": "teacher"},
    )
    assert r.status_code == 422
    assert 'id="e-password"' in r.text
    assert "Use at least 8 characters." in r.text
    assert 'id="e-email"' in r.text
    assert 'aria-invalid="true"' in r.text
    assert 'value="Ann Lee"' in r.text
    assert 'value="ann@"' in r.text
    assert 'value="teacher" checked' in r.text
    assert "short" not in r.text.split('name="password"')[1].split(">")[0]


async def test_register_with_a_taken_email_says_so_by_the_email(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    api.post(f"{IDENTITY}/register").respond(409, json=problem(409, "email_taken"))
    r = await post_form(
        client,
        "/register",
        {"name": "A", "email": "a@example.com", "password": "longenough"} | {"role": "student"},
    )
    assert r.status_code == 409
    assert "An account with this email already exists." in r.text


async def test_register_signs_the_new_user_in(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    body = tokens_json("student", name="Ann Lee")
    register = api.post(f"{IDENTITY}/register").respond(201, json=body)
    no_notifications(api)
    r = await post_form(
        client,
        "/register",
        {
            "name": "Ann Lee",
            "email": "ann@example.com",
            "password": "longenough",
            "role": "student",
        },
    )
    assert r.status_code == 303
    assert json.loads(register.calls.last.request.content)["role"] == "student"
    home = await client.get("/login")
    assert "Log out" in home.text
    assert "Ann Lee" in home.text


async def test_login_rotates_the_session_id_and_keeps_tokens_out_of_the_cookie(
    client: httpx.AsyncClient, api: respx.MockRouter, settings: WebSettings
) -> None:
    await client.get("/login")
    before = client.cookies["edu_session"]
    body = tokens_json("student")
    api.post(f"{IDENTITY}/login").respond(200, json=body)
    no_notifications(api)
    r = await post_form(
        client, "/login", {"email": "s@example.com", "password": "pw", "next": "/learning"}
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/learning"
    after = client.cookies["edu_session"]
    assert after != before
    assert body["access_token"] not in r.headers["set-cookie"]
    assert len(r.headers["set-cookie"]) < 1024
    redis = Redis.from_url(settings.redis_url)
    try:
        keys = await redis.keys("web:session:*")
        assert len(keys) == 1
        raw = await redis.get(keys[0])
        assert raw is not None
        stored = json.loads(raw)
    finally:
        await redis.aclose()
    assert stored["refresh_token"] == body["refresh_token"]


async def test_login_refuses_an_off_site_next(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    api.post(f"{IDENTITY}/login").respond(200, json=tokens_json())
    r = await post_form(
        client,
        "/login",
        {"email": "s@example.com", "password": "pw", "next": "https://evil.example"},
    )
    assert r.headers["location"] == "/"


async def test_wrong_password_keeps_the_email(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    api.post(f"{IDENTITY}/login").respond(401, json=problem(401, "invalid_credentials"))
    r = await post_form(client, "/login", {"email": "s@example.com", "password": "nope"})
    assert r.status_code == 401
    assert 'value="s@example.com"' in r.text
    assert 'role="alert"' in r.text


async def test_login_rate_limited_says_when_to_try_again(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    api.post(f"{IDENTITY}/login").respond(
        429, json=problem(429, "rate_limited"), headers={"Retry-After": "42"}
    )
    r = await post_form(client, "/login", {"email": "s@example.com", "password": "nope"})
    assert r.status_code == 429
    assert "42 seconds" in r.text


async def test_logout_revokes_the_refresh_token_and_ends_the_session(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    body = await sign_in("student")
    logout = api.post(f"{IDENTITY}/logout").respond(204)
    r = await post_form(client, "/logout")
    assert r.status_code == 303
    assert json.loads(logout.calls.last.request.content) == {"refresh_token": body["refresh_token"]}
    page = await client.get("/login")
    assert "Log out" not in page.text


async def test_an_expiring_access_token_is_refreshed_transparently(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    first = await sign_in("student", expires_in=5)  # inside the refresh margin
    fresh = tokens_json("student", id=first["user"]["id"])
    refresh = api.post(f"{IDENTITY}/refresh").respond(200, json=fresh)
    mine = api.get(f"{NOTIFICATION}/notifications/me").respond(
        200, json={"items": [], "next_cursor": None, "unread_count": 3}
    )
    r = await client.get("/notifications")
    assert r.status_code == 200
    assert json.loads(refresh.calls.last.request.content) == {
        "refresh_token": first["refresh_token"]
    }
    assert mine.calls.last.request.headers["authorization"] == f"Bearer {fresh['access_token']}"
    assert refresh.call_count == 1  # the header count and the page shared one refresh
    assert "3 unread" in r.text


async def test_a_refused_refresh_ends_the_session_cleanly(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    await sign_in("student", expires_in=5)
    api.post(f"{IDENTITY}/refresh").respond(401, json=problem(401, "refresh_token_reused"))
    r = await client.get("/notifications")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/notifications"
    page = await client.get("/login")
    assert "Log out" not in page.text


async def test_the_mailed_verification_link_verifies_the_email(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    verify = api.post(f"{IDENTITY}/verify-email").respond(200, json={})
    r = await client.get("/verify-email?token=abc%2Bdef")
    assert r.status_code == 200
    assert "Your email is confirmed" in r.text
    assert json.loads(verify.calls.last.request.content) == {"token": "abc+def"}


async def test_a_used_verification_link_says_so(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    api.post(f"{IDENTITY}/verify-email").respond(400, json=problem(400, "invalid_token"))
    r = await client.get("/verify-email?token=used")
    assert r.status_code == 400
    assert "This link does not work" in r.text


async def test_unverified_user_can_resend_the_link(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    await sign_in("student", email_verified=False)
    page = await client.get("/login")
    assert "Please confirm your email address" in page.text
    resend = api.post(f"{IDENTITY}/verify-email/resend").respond(202, json={})
    r = await post_form(client, "/verify-email/resend")
    assert r.status_code == 200
    assert resend.calls.last.request.headers["authorization"].startswith("Bearer ")
    assert "We sent you a new link." in r.text


async def test_forgot_password_answers_the_same_whether_or_not_the_account_exists(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    api.post(f"{IDENTITY}/forgot-password").respond(202, json={})
    r = await post_form(client, "/forgot-password", {"email": "who@example.com"})
    assert "If an account exists for that address" in r.text


async def test_reset_password_from_the_mailed_link(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    form = await client.get("/reset-password?token=tok123")
    assert 'name="token" value="tok123"' in form.text
    api.post(f"{IDENTITY}/reset-password").respond(
        422,
        json=problem(
            422,
            "validation_error",
            errors=[{"loc": ["body", "new_password"], "msg": "short", "type": "string_too_short"}],
        ),
    )
    r = await post_form(client, "/reset-password", {"token": "tok123", "new_password": "x"})
    assert r.status_code == 422
    assert 'id="e-new_password"' in r.text
    reset = api.post(f"{IDENTITY}/reset-password").respond(204)
    r = await post_form(
        client, "/reset-password", {"token": "tok123", "new_password": "longenough"}
    )
    assert r.status_code == 200
    assert "Your password is changed." in r.text
    assert json.loads(reset.calls.last.request.content) == {
        "token": "tok123",
        "new_password": "longenough",
    }


async def test_an_expired_reset_link_offers_a_new_one(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    api.post(f"{IDENTITY}/reset-password").respond(400, json=problem(400, "invalid_token"))
    r = await post_form(client, "/reset-password", {"token": "old", "new_password": "longenough"})
    assert r.status_code == 400
    assert 'href="/forgot-password"' in r.text


async def test_identity_down_on_login_is_a_503_page(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    api.post(f"{IDENTITY}/login").mock(side_effect=httpx.ConnectError("down"))
    r = await post_form(client, "/login", {"email": "s@example.com", "password": "pw"})
    assert r.status_code == 503
    assert "Accounts is not available right now." in r.text
