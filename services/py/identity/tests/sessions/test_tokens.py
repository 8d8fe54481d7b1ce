from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx
    from conftest import Bearer, Register
    from edu_devstack.testing import RunningService, Tokens

import asyncio
import base64
import hashlib
import hmac
import json
import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from edu_common.security.keys import SigningKey
from edu_common.security.tokens import TokenSigner


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def test_refresh_rotates(
    client: httpx.AsyncClient, register: Register, bearer: Bearer, identity: RunningService
) -> None:
    body = await register()
    r = await client.post("/refresh", json={"refresh_token": body["refresh_token"]})
    assert r.status_code == 200, r.text
    pair = r.json()
    assert pair["refresh_token"] != body["refresh_token"]
    assert pair["token_type"] == "bearer"
    assert pair["user"]["id"] == body["user"]["id"]
    assert (await client.get("/me", headers=bearer(pair))).status_code == 200
    stored = await identity.pool.fetch(
        "SELECT token_hash, parent_hash, family_id FROM refresh_tokens"
    )
    assert len(stored) == 2
    assert len({r["family_id"] for r in stored}) == 1
    hashes = {r["token_hash"] for r in stored}
    assert hashlib.sha256(pair["refresh_token"].encode()).hexdigest() in hashes
    assert pair["refresh_token"] not in hashes


async def test_reused_refresh_token_revokes_the_family(
    client: httpx.AsyncClient, register: Register
) -> None:
    body = await register()
    first = body["refresh_token"]
    second = (await client.post("/refresh", json={"refresh_token": first})).json()["refresh_token"]
    third = (await client.post("/refresh", json={"refresh_token": second})).json()["refresh_token"]
    r = await client.post("/refresh", json={"refresh_token": first})
    assert r.status_code == 401
    assert r.json()["code"] == "refresh_token_reused"
    # The newest token, descended from the reused one, is dead too.
    r = await client.post("/refresh", json={"refresh_token": third})
    assert r.status_code == 401


async def test_reuse_does_not_touch_other_logins(
    client: httpx.AsyncClient, register: Register
) -> None:
    body = await register(email="two@example.com", password="secret-pass")
    other = (
        await client.post("/login", json={"email": "two@example.com", "password": "secret-pass"})
    ).json()
    await client.post("/refresh", json={"refresh_token": body["refresh_token"]})
    await client.post("/refresh", json={"refresh_token": body["refresh_token"]})
    r = await client.post("/refresh", json={"refresh_token": other["refresh_token"]})
    assert r.status_code == 200


async def test_concurrent_refreshes_one_wins(client: httpx.AsyncClient, register: Register) -> None:
    body = await register()
    results = await asyncio.gather(
        *(client.post("/refresh", json={"refresh_token": body["refresh_token"]}) for _ in range(4))
    )
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 401, 401, 401], [r.text for r in results]


async def test_refresh_reads_the_current_role(
    client: httpx.AsyncClient,
    register: Register,
    admin_headers: dict[str, str],
    identity: RunningService,
) -> None:
    body = await register(role="teacher")
    verifier = identity.app.state.token_verifier
    assert verifier.verify(body["access_token"]).is_verified is False
    r = await client.patch(f"/admin/users/{body['user']['id']}/verify", headers=admin_headers)
    assert r.status_code == 200
    pair = (await client.post("/refresh", json={"refresh_token": body["refresh_token"]})).json()
    assert verifier.verify(pair["access_token"]).is_verified is True
    assert pair["user"]["is_verified"] is True


async def test_unknown_expired_and_bad_refresh_tokens(
    client: httpx.AsyncClient, register: Register, identity: RunningService
) -> None:
    r = await client.post("/refresh", json={"refresh_token": "never-issued"})
    assert r.status_code == 401
    assert r.json()["code"] == "invalid_refresh_token"
    body = await register()
    await identity.pool.execute("UPDATE refresh_tokens SET expires_at = now() - interval '1 s'")
    r = await client.post("/refresh", json={"refresh_token": body["refresh_token"]})
    assert r.status_code == 401
    assert (await client.post("/refresh", json={})).status_code == 422
    assert (await client.post("/refresh", json={"refresh_token": "x" * 500})).status_code == 422
    r = await client.post("/refresh", content=b"[", headers={"content-type": "application/json"})
    assert r.status_code == 400


async def test_logout_revokes_the_family(client: httpx.AsyncClient, register: Register) -> None:
    body = await register()
    second = (await client.post("/refresh", json={"refresh_token": body["refresh_token"]})).json()[
        "refresh_token"
    ]
    r = await client.post("/logout", json={"refresh_token": second})
    assert r.status_code == 204
    assert (await client.post("/refresh", json={"refresh_token": second})).status_code == 401
    r = await client.post("/logout", json={"refresh_token": "unknown"})
    assert r.status_code == 204


async def test_me_needs_a_valid_token(
    client: httpx.AsyncClient, register: Register, signing_key: SigningKey, tokens: Tokens
) -> None:
    body = await register()
    user_id = uuid.UUID(body["user"]["id"])
    me = "/me"
    assert (await client.get(me)).status_code == 401
    r = await client.get(me, headers={"Authorization": "Basic abc"})
    assert r.status_code == 401
    r = await client.get(me, headers={"Authorization": "Bearer not.a.jwt"})
    assert r.status_code == 401

    forger = TokenSigner(
        SigningKey.generate(),
        issuer="eduplatform-identity",
        audience="eduplatform",
        access_ttl_seconds=900,
    )
    forged = forger.sign_access(user_id, "student", False)
    assert (await client.get(me, headers={"Authorization": f"Bearer {forged}"})).status_code == 401

    _, expired = tokens.make("student", user_id=user_id, ttl_seconds=-100)
    r = await client.get(me, headers=expired)
    assert r.status_code == 401
    assert r.json()["code"] == "token_expired"

    # Payload changed after signing (a student making itself admin).
    header, payload, signature = body["access_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["role"] = "admin"
    tampered = f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"
    assert (
        await client.get(me, headers={"Authorization": f"Bearer {tampered}"})
    ).status_code == 401

    now = int(time.time())
    claims = {
        "sub": str(user_id),
        "role": "admin",
        "is_verified": True,
        "iat": now,
        "exp": now + 600,
        "jti": "x",
        "iss": "eduplatform-identity",
        "aud": "eduplatform",
    }
    none_token = (
        f"{_b64(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}."
        f"{_b64(json.dumps(claims).encode())}."
    )
    r = await client.get(me, headers={"Authorization": f"Bearer {none_token}"})
    assert r.status_code == 401

    # HS256 keyed with the public key, the classic algorithm confusion.
    public_pem = signing_key.public_pem().encode()
    signing_input = (
        f"{_b64(json.dumps({'alg': 'HS256', 'typ': 'JWT', 'kid': signing_key.kid}).encode())}."
        f"{_b64(json.dumps(claims).encode())}"
    )
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    hs_token = f"{signing_input}.{_b64(mac)}"
    r = await client.get(me, headers={"Authorization": f"Bearer {hs_token}"})
    assert r.status_code == 401
    assert "Traceback" not in r.text


async def test_jwks_verifies_issued_tokens(
    client: httpx.AsyncClient, register: Register, signing_key: SigningKey
) -> None:
    body = await register()
    r = await client.get("/.well-known/jwks.json")
    assert r.status_code == 200
    keys = r.json()["keys"]
    assert [k["kid"] for k in keys] == [signing_key.kid]
    key = keys[0]
    assert (key["kty"], key["crv"], key["alg"]) == ("OKP", "Ed25519", "EdDSA")
    raw = base64.urlsafe_b64decode(key["x"] + "=" * (-len(key["x"]) % 4))
    public = Ed25519PublicKey.from_public_bytes(raw)
    assert jwt.get_unverified_header(body["access_token"])["kid"] == key["kid"]
    claims = jwt.decode(
        body["access_token"],
        public,
        algorithms=["EdDSA"],
        audience="eduplatform",
        issuer="eduplatform-identity",
    )
    assert claims["sub"] == body["user"]["id"]
    assert claims["name"] == "Test User"
    assert {"exp", "iat", "jti", "role", "is_verified"} <= set(claims)
