"""Access tokens, verification keys and password hashing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import statistics
import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from edu_common.errors import AppError
from edu_common.security import tokens
from edu_common.security.keys import SigningKey, jwk, load_public_keys, public_key_id
from edu_common.security.passwords import PasswordHasher
from edu_common.security.tokens import Principal, Role, TokenSigner, TokenVerifier

ISSUER = "eduplatform-identity"
AUDIENCE = "eduplatform"


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture(scope="module")
def signer(key: SigningKey) -> TokenSigner:
    return TokenSigner(key, issuer=ISSUER, audience=AUDIENCE, access_ttl_seconds=900)


@pytest.fixture(scope="module")
def verifier(key: SigningKey) -> TokenVerifier:
    return TokenVerifier({key.kid: key.public_key}, issuer=ISSUER, audience=AUDIENCE)


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    values: dict[str, Any] = {
        "sub": str(uuid.uuid4()),
        "role": "student",
        "is_verified": True,
        "iat": now,
        "nbf": now,
        "exp": now + 900,
        "jti": uuid.uuid4().hex,
        "iss": ISSUER,
        "aud": AUDIENCE,
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def sign(key: SigningKey, body: dict[str, Any], **headers: Any) -> str:
    return jwt.encode(body, key.private_key, algorithm="EdDSA", headers={"kid": key.kid, **headers})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def refused(verifier: TokenVerifier, token: str, code: str = "invalid_token") -> None:
    with pytest.raises(AppError) as caught:
        verifier.verify(token)
    assert caught.value.status == 401
    assert caught.value.code == code


def test_valid_token_gives_the_principal(signer: TokenSigner, verifier: TokenVerifier) -> None:
    uid = uuid.uuid4()
    principal = verifier.verify(signer.sign_access(uid, Role.TEACHER, False, name="Ada"))
    assert isinstance(principal, Principal)
    assert principal.user_id == uid
    assert principal.role is Role.TEACHER
    assert principal.is_verified is False
    assert principal.name == "Ada"
    assert principal.token_id
    assert not principal.is_admin
    assert verifier.verify(signer.sign_access(uid, "admin", True)).is_admin


def test_expired_token(key: SigningKey, verifier: TokenVerifier) -> None:
    now = int(time.time())
    refused(
        verifier, sign(key, claims(iat=now - 1000, nbf=now - 1000, exp=now - 60)), "token_expired"
    )
    # Inside the leeway it still passes.
    assert verifier.verify(sign(key, claims(exp=now - 5)))


def test_not_yet_valid_token(key: SigningKey, verifier: TokenVerifier) -> None:
    refused(verifier, sign(key, claims(nbf=int(time.time()) + 120)))


def test_token_from_another_key(verifier: TokenVerifier) -> None:
    other = SigningKey.generate()
    # Under its own kid: an unknown key.
    refused(verifier, sign(other, claims()))
    # Under the trusted kid: the signature does not match.
    refused(verifier, jwt.encode(claims(), other.private_key, algorithm="EdDSA",
                                 headers={"kid": next(iter(verifier.keys))}))  # fmt: skip


def test_tampered_payload(key: SigningKey, verifier: TokenVerifier) -> None:
    header, payload, signature = sign(key, claims(role="student")).split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["role"] = "admin"
    forged = b64(json.dumps(body).encode())
    refused(verifier, f"{header}.{forged}.{signature}")


def test_alg_none_is_refused(key: SigningKey, verifier: TokenVerifier) -> None:
    header = b64(json.dumps({"alg": "none", "typ": "JWT", "kid": key.kid}).encode())
    payload = b64(json.dumps(claims(role="admin")).encode())
    refused(verifier, f"{header}.{payload}.")


def test_hs256_signed_with_the_public_key_is_refused(
    key: SigningKey, verifier: TokenVerifier
) -> None:
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": key.kid}).encode())
    payload = b64(json.dumps(claims(role="admin")).encode())
    secret = key.public_pem().encode()
    mac = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    refused(verifier, f"{header}.{payload}.{b64(mac)}")


def test_wrong_audience_or_issuer(key: SigningKey, verifier: TokenVerifier) -> None:
    refused(verifier, sign(key, claims(aud="another-platform")))
    refused(verifier, sign(key, claims(iss="someone-else")))


def test_unknown_kid_and_missing_kid(key: SigningKey, verifier: TokenVerifier) -> None:
    refused(verifier, sign(key, claims(), kid="no-such-key"))
    # Signed by the one trusted key, but naming no key: identity never makes such a token.
    for header in ({}, {"kid": ""}):
        refused(verifier, jwt.encode(claims(), key.private_key, algorithm="EdDSA", headers=header))
    # The same claims under the key's kid pass, so the kid is what was refused.
    assert verifier.verify(sign(key, claims()))


@pytest.mark.parametrize("missing", ["exp", "iat", "sub", "jti"])
def test_missing_required_claims(key: SigningKey, verifier: TokenVerifier, missing: str) -> None:
    refused(verifier, sign(key, claims(**{missing: None})))


@pytest.mark.parametrize("bad", [{"role": "superuser"}, {"role": None}, {"sub": "not-a-uuid"}])
def test_malformed_claims(key: SigningKey, verifier: TokenVerifier, bad: dict[str, Any]) -> None:
    refused(verifier, sign(key, claims(**bad)))


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "Bearer x.y.z"])
def test_garbage_tokens(verifier: TokenVerifier, token: str) -> None:
    refused(verifier, token)


class _CountedDecode:
    """jwt.decode, counting the tokens it checks in full."""

    def __init__(self) -> None:
        self.calls = 0
        self._decode = jwt.decode

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self._decode(*args, **kwargs)


def test_a_verified_token_is_checked_in_full_once_and_expires_all_the_same(
    key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    verifier = TokenVerifier({key.kid: key.public_key}, issuer=ISSUER, audience=AUDIENCE)
    decode = _CountedDecode()
    monkeypatch.setattr(jwt, "decode", decode)
    now = int(time.time())
    token = sign(key, claims(exp=now + 60))
    first = verifier.verify(token)
    assert verifier.verify(token) == first
    assert decode.calls == 1
    # Another signature on the same claims is another token, checked in full and refused.
    header, payload, _ = token.split(".")
    refused(verifier, f"{header}.{payload}.{b64(b'x' * 64)}")
    assert decode.calls == 2
    # Past its expiry and the leeway (10 s), the remembered token is refused as PyJWT would.
    monkeypatch.setattr(time, "time", lambda: now + 69.0)
    assert verifier.verify(token) == first
    monkeypatch.setattr(time, "time", lambda: now + 70.0)
    refused(verifier, token, "token_expired")


def test_the_verifier_remembers_a_bounded_number_of_tokens(
    key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokens, "VERIFIED_TOKENS_KEPT", 3)
    verifier = TokenVerifier({key.kid: key.public_key}, issuer=ISSUER, audience=AUDIENCE)
    decode = _CountedDecode()
    monkeypatch.setattr(jwt, "decode", decode)
    issued = [sign(key, claims()) for _ in range(4)]
    for token in issued:
        verifier.verify(token)
    assert decode.calls == 4
    # The newest three are remembered; the oldest made room and is checked again.
    for token in issued[1:]:
        verifier.verify(token)
    assert decode.calls == 4
    verifier.verify(issued[0])
    assert decode.calls == 5


def test_key_rotation_with_two_public_keys(key: SigningKey) -> None:
    new = SigningKey.generate()
    keys = load_public_keys(key.public_pem() + "\n" + new.public_pem())
    assert set(keys) == {key.kid, new.kid}
    verifier = TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE)
    for k in (key, new):
        signer = TokenSigner(k, issuer=ISSUER, audience=AUDIENCE, access_ttl_seconds=60)
        assert verifier.verify(signer.sign_access(uuid.uuid4(), Role.STUDENT, True))
    # With two keys, a token without a kid is not guessed at.
    refused(verifier, jwt.encode(claims(), new.private_key, algorithm="EdDSA"))
    assert load_public_keys("") == {}


def test_non_ed25519_keys_are_refused() -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_public = ec_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(ValueError, match="Ed25519"):
        load_public_keys(ec_public.decode())
    ec_private = ec_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(ValueError, match="Ed25519"):
        SigningKey.from_pem(ec_private.decode())


def test_private_pem_round_trip(key: SigningKey) -> None:
    again = SigningKey.from_pem(key.private_pem())
    assert again.kid == key.kid


def test_jwk(key: SigningKey) -> None:
    entry = jwk(key.public_key)
    assert entry["kty"] == "OKP"
    assert entry["crv"] == "Ed25519"
    assert entry["alg"] == "EdDSA"
    assert entry["use"] == "sig"
    assert entry["kid"] == key.kid == public_key_id(key.public_key)
    raw = base64.urlsafe_b64decode(entry["x"] + "=" * (-len(entry["x"]) % 4))
    assert raw == key.public_key.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    # The JWK works with a standard JOSE library.
    public = jwt.PyJWK(entry).key
    token = sign(key, claims())
    assert jwt.decode(token, public, algorithms=["EdDSA"], audience=AUDIENCE)["iss"] == ISSUER


@pytest.fixture
def hasher() -> Iterator[PasswordHasher]:
    h = PasswordHasher(time_cost=1, memory_cost=8192)
    try:
        yield h
    finally:
        h.close()


async def test_hash_and_verify(hasher: PasswordHasher) -> None:
    stored = await hasher.hash("correct horse battery staple")
    assert stored.startswith("$argon2id$")
    assert stored != await hasher.hash("correct horse battery staple")
    assert await hasher.verify(stored, "correct horse battery staple") == (True, False)
    assert await hasher.verify(stored, "wrong") == (False, False)
    assert await hasher.verify("not-a-hash", "whatever") == (False, False)
    assert await hasher.verify(None, "correct horse battery staple") == (False, False)


async def test_missing_account_costs_as_much_as_a_wrong_password(hasher: PasswordHasher) -> None:
    stored = await hasher.hash("secret-password")

    async def timed(target: str | None) -> float:
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            await hasher.verify(target, "guess")
            samples.append(time.perf_counter() - started)
        return statistics.median(samples)

    await timed(stored)  # warm the thread pool
    real, missing = await timed(stored), await timed(None)
    assert 0.3 < missing / real < 3, (missing, real)


async def test_needs_rehash_when_parameters_change(hasher: PasswordHasher) -> None:
    stored = await hasher.hash("pw")
    stronger = PasswordHasher(time_cost=2, memory_cost=8192)
    try:
        assert await stronger.verify(stored, "pw") == (True, True)
        upgraded = await stronger.hash("pw")
        assert await stronger.verify(upgraded, "pw") == (True, False)
        assert await stronger.verify(stored, "nope") == (False, False)
    finally:
        stronger.close()
