from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import httpx
    from conftest import StartIdentity
    from edu_devstack.testing import RunningService, ServiceLauncher

import pytest
from edu_common.demo import DEMO_TEACHER, DEMO_USERS
from edu_common.security.keys import SigningKey
from identity.app import create_app
from identity.settings import IdentitySettings
from pydantic import ValidationError

DEMO = ("admin@eduplatform.com", "teacher@eduplatform.com", "student@eduplatform.com")


async def test_demo_users_are_seeded_once(
    start_identity: StartIdentity, services: ServiceLauncher
) -> None:
    svc = await start_identity(seed_demo_users=True)
    rows = await svc.pool.fetch(
        "SELECT email, role, is_verified, email_verified FROM users ORDER BY email"
    )
    assert [(r["email"], r["role"]) for r in rows] == [
        ("admin@eduplatform.com", "admin"),
        ("student@eduplatform.com", "student"),
        ("teacher@eduplatform.com", "teacher"),
    ]
    assert all(r["email_verified"] for r in rows)
    assert [r["is_verified"] for r in rows] == [False, False, True]
    for email in DEMO:
        r = await svc.client.post("/login", json={"email": email, "password": "password123"})
        assert r.status_code == 200, r.text
    # A second start on the same database adds nothing.
    # The launcher hands back the base settings type; identity's are IdentitySettings.
    again = create_app(cast(IdentitySettings, svc.settings))
    async with again.router.lifespan_context(again):
        assert await svc.pool.fetchval("SELECT count(*) FROM users") == 3
    events = await svc.pool.fetchval("SELECT count(*) FROM outbox")
    assert events == 4  # three registrations and one teacher verification


async def test_demo_users_have_the_fixed_ids_other_services_use(
    start_identity: StartIdentity,
) -> None:
    svc = await start_identity(seed_demo_users=True)
    rows = await svc.pool.fetch("SELECT id, email, name FROM users")
    assert {(r["email"], r["id"], r["name"]) for r in rows} == {
        (u.email, u.id, u.name) for u in DEMO_USERS
    }
    r = await svc.client.post(
        "/login", json={"email": DEMO_TEACHER.email, "password": "password123"}
    )
    me = await svc.client.get(
        "/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"}
    )
    assert me.status_code == 200, me.text
    assert me.json()["id"] == str(DEMO_TEACHER.id)
    payloads = await svc.pool.fetch("SELECT payload FROM outbox ORDER BY seq")
    assert {p["payload"]["user_id"] for p in payloads} == {str(u.id) for u in DEMO_USERS}


async def test_no_demo_users_by_default(identity: RunningService) -> None:
    assert await identity.pool.fetchval("SELECT count(*) FROM users") == 0


async def test_openapi_describes_every_route(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    expected = {
        ("/register", "post"): "409",
        ("/login", "post"): "429",
        ("/refresh", "post"): "401",
        ("/logout", "post"): "422",
        ("/me", "get"): "401",
        ("/verify-email", "post"): "400",
        ("/verify-email/resend", "post"): "429",
        ("/forgot-password", "post"): "422",
        ("/reset-password", "post"): "400",
        ("/admin/teachers/pending", "get"): "403",
        ("/admin/users/{user_id}/verify", "patch"): "409",
    }
    for (path, method), status in expected.items():
        assert status in paths[path][method]["responses"], (path, method)
    assert "/.well-known/jwks.json" in paths


async def test_health(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health/ready")).status_code == 200


def test_production_refuses_an_empty_private_key() -> None:
    key = SigningKey.generate()
    with pytest.raises(ValidationError):
        IdentitySettings(
            environment="production", cursor_secret="s" * 32, jwt_public_key=key.public_pem()
        )
    settings = IdentitySettings(
        environment="production", cursor_secret="s" * 32, jwt_private_key=key.private_pem()
    )
    assert settings.jwt_public_key == key.public_pem()


def test_mail_settings_read_the_identity_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SMTP_HOST", "SMTP_PORT", "MAIL_SENDER"):
        monkeypatch.delenv(f"EDU_IDENTITY_{name}", raising=False)
    settings = IdentitySettings()
    assert (settings.smtp_host, settings.smtp_port) == ("127.0.0.1", 1025)
    monkeypatch.setenv("EDU_IDENTITY_SMTP_HOST", "mail.internal")
    monkeypatch.setenv("EDU_IDENTITY_SMTP_PORT", "2525")
    monkeypatch.setenv("EDU_IDENTITY_MAIL_SENDER", "Edu <mail@example.com>")
    settings = IdentitySettings()
    assert (settings.smtp_host, settings.smtp_port) == ("mail.internal", 2525)
    assert settings.mail_sender == "Edu <mail@example.com>"


def test_development_without_a_key_uses_an_ephemeral_one() -> None:
    app = create_app(IdentitySettings(jwt_private_key=""))
    assert isinstance(app.state.signing_key, SigningKey)


async def test_production_never_seeds_demo_users(start_identity: StartIdentity) -> None:
    svc = await start_identity(
        seed_demo_users=True, environment="production", cursor_secret="c" * 32
    )
    assert await svc.pool.fetchval("SELECT count(*) FROM users") == 0
