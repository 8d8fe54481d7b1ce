from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx
    from conftest import AllMailDelivered, Bearer, Register
    from edu_devstack.testing import Mailbox, RunningService

import asyncio
import hashlib


async def test_verify_email_once(
    client: httpx.AsyncClient, register: Register, bearer: Bearer, mailbox: Mailbox
) -> None:
    body = await register(email="verify@example.com")
    token = (await mailbox.wait_for("verify@example.com", "confirm"))[0].token
    r = await client.post("/verify-email", json={"token": token})
    assert r.status_code == 200, r.text
    assert r.json()["email_verified"] is True
    me = await client.get("/me", headers=bearer(body))
    assert me.json()["email_verified"] is True
    again = await client.post("/verify-email", json={"token": token})
    assert again.status_code == 400
    assert again.json()["code"] == "invalid_token"


async def test_verify_tokens_are_hashed_at_rest(
    register: Register, mailbox: Mailbox, identity: RunningService
) -> None:
    await register(email="hashed@example.com")
    token = (await mailbox.wait_for("hashed@example.com", "confirm"))[0].token
    stored = await identity.pool.fetch("SELECT token_hash FROM mail_tokens")
    assert [r["token_hash"] for r in stored] == [hashlib.sha256(token.encode()).hexdigest()]
    # The delivered mail's body (with its link) is not kept.
    for _ in range(50):
        left = await identity.pool.fetchval(
            "SELECT count(*) FROM mail_outbox WHERE body IS NOT NULL"
        )
        if left == 0:
            break
        await asyncio.sleep(0.05)
    assert left == 0


async def test_expired_verify_token_is_refused(
    client: httpx.AsyncClient, register: Register, mailbox: Mailbox, identity: RunningService
) -> None:
    await register(email="late@example.com")
    token = (await mailbox.wait_for("late@example.com", "confirm"))[0].token
    await identity.pool.execute(
        "UPDATE mail_tokens SET created_at = now() - interval '25 hours',"
        " expires_at = now() - interval '1 hour'"
    )
    r = await client.post("/verify-email", json={"token": token})
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_token"


async def test_unknown_and_malformed_verify_tokens(client: httpx.AsyncClient) -> None:
    r = await client.post("/verify-email", json={"token": "made-up"})
    assert r.status_code == 400
    r = await client.post("/verify-email", json={"token": ""})
    assert r.status_code == 422
    r = await client.post("/verify-email", json={"token": "x" * 5000})
    assert r.status_code == 422


async def test_resend_verification(
    client: httpx.AsyncClient, register: Register, bearer: Bearer, mailbox: Mailbox
) -> None:
    body = await register(email="resend@example.com")
    r = await client.post("/verify-email/resend", headers=bearer(body))
    assert r.status_code == 202
    mails = await mailbox.wait_for("resend@example.com", "confirm", count=2)
    # The newest link works, and then the older one no longer does.
    r = await client.post("/verify-email", json={"token": mails[1].token})
    assert r.status_code == 200
    r = await client.post("/verify-email", json={"token": mails[0].token})
    assert r.status_code == 400


async def test_resend_is_rate_limited_and_needs_a_user(
    client: httpx.AsyncClient, register: Register, bearer: Bearer
) -> None:
    body = await register(email="spam@example.com")
    for _ in range(3):
        assert (await client.post("/verify-email/resend", headers=bearer(body))).status_code == 202
    r = await client.post("/verify-email/resend", headers=bearer(body))
    assert r.status_code == 429
    assert "Retry-After" in r.headers
    assert (await client.post("/verify-email/resend")).status_code == 401


async def test_forgot_password_does_not_reveal_accounts(
    client: httpx.AsyncClient,
    register: Register,
    mailbox: Mailbox,
    identity: RunningService,
    all_mail_delivered: AllMailDelivered,
) -> None:
    await register(email="exists@example.com")
    known = await client.post("/forgot-password", json={"email": "EXISTS@example.com"})
    unknown = await client.post("/forgot-password", json={"email": "ghost@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    mail = (await mailbox.wait_for("exists@example.com", "reset"))[0]
    assert "http://127.0.0.1:3001/reset-password?token=" in mail.body
    # Both answers came after their transactions committed: nothing was queued for the ghost,
    # and once the queue is empty nothing can still be on its way to it.
    assert not await identity.pool.fetchval(
        "SELECT count(*) FROM mail_outbox WHERE recipient = 'ghost@example.com'"
    )
    await all_mail_delivered()
    assert mailbox.to("ghost@example.com") == []


async def test_at_most_three_reset_mails_an_hour(
    client: httpx.AsyncClient,
    register: Register,
    mailbox: Mailbox,
    identity: RunningService,
    all_mail_delivered: AllMailDelivered,
) -> None:
    await register(email="capped@example.com")
    results = await asyncio.gather(
        *(client.post("/forgot-password", json={"email": "capped@example.com"}) for _ in range(6))
    )
    assert all(r.status_code == 202 for r in results)
    await mailbox.wait_for("capped@example.com", "reset", count=3)
    await all_mail_delivered()
    assert len(mailbox.to("capped@example.com", "reset")) == 3
    assert (
        await identity.pool.fetchval(
            "SELECT count(*) FROM mail_tokens WHERE purpose = 'reset_password'"
        )
        == 3
    )


async def test_reset_password_revokes_sessions(
    client: httpx.AsyncClient, register: Register, mailbox: Mailbox
) -> None:
    body = await register(email="reset@example.com", password="old-password")
    login = (
        await client.post("/login", json={"email": "reset@example.com", "password": "old-password"})
    ).json()
    await client.post("/forgot-password", json={"email": "reset@example.com"})
    token = (await mailbox.wait_for("reset@example.com", "reset"))[0].token
    r = await client.post("/reset-password", json={"token": token, "new_password": "new-password"})
    assert r.status_code == 204
    assert r.content == b""
    for refresh in (body["refresh_token"], login["refresh_token"]):
        r = await client.post("/refresh", json={"refresh_token": refresh})
        assert r.status_code == 401
    r = await client.post("/login", json={"email": "reset@example.com", "password": "old-password"})
    assert r.status_code == 401
    r = await client.post("/login", json={"email": "reset@example.com", "password": "new-password"})
    assert r.status_code == 200
    # Single use.
    r = await client.post("/reset-password", json={"token": token, "new_password": "third-pass"})
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_token"


async def test_reset_token_expires_after_an_hour(
    client: httpx.AsyncClient, register: Register, mailbox: Mailbox, identity: RunningService
) -> None:
    await register(email="slow@example.com")
    await client.post("/forgot-password", json={"email": "slow@example.com"})
    token = (await mailbox.wait_for("slow@example.com", "reset"))[0].token
    await identity.pool.execute(
        "UPDATE mail_tokens SET expires_at = now() - interval '1 second'"
        " WHERE purpose = 'reset_password'"
    )
    r = await client.post("/reset-password", json={"token": token, "new_password": "new-password"})
    assert r.status_code == 400


async def test_reset_validation(client: httpx.AsyncClient) -> None:
    r = await client.post("/reset-password", json={"token": "t", "new_password": "short"})
    assert r.status_code == 422
    r = await client.post("/reset-password", json={"token": "t"})
    assert r.status_code == 422
    r = await client.post("/forgot-password", json={"email": "nope"})
    assert r.status_code == 422
