"""Whatever arrives, identity answers with a 4xx problem, never a 500."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx
    from conftest import Bearer, Register

ROUTES = [
    ("POST", "/register"),
    ("POST", "/login"),
    ("POST", "/refresh"),
    ("POST", "/logout"),
    ("POST", "/verify-email"),
    ("POST", "/verify-email/resend"),
    ("POST", "/forgot-password"),
    ("POST", "/reset-password"),
    ("GET", "/me"),
    ("GET", "/admin/teachers/pending"),
    ("PATCH", "/admin/users/00000000-0000-0000-0000-000000000000/verify"),
]

BODIES: list[bytes] = [
    b"",
    b"null",
    b"[]",
    b"{}",
    b'"string"',
    b"{bad json",
    b'{"email": {"nested": 1}, "password": [1], "token": 5, "refresh_token": null}',
    b'{"email": "a@b.co", "password": "\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000"}',
    '{"email": "\u00fc@\u00e9xample.com", "password": "\U0001f600" }'.encode(),
    b"\xff\xfe\xfd",
]


async def test_no_input_causes_a_server_error(
    client: httpx.AsyncClient, register: Register, bearer: Bearer, admin_headers: dict[str, str]
) -> None:
    user = await register()
    for headers in ({}, bearer(user), admin_headers, {"Authorization": "Bearer \x7f"}):
        for method, path in ROUTES:
            for body in BODIES:
                r = await client.request(
                    method,
                    path,
                    content=body,
                    headers={**headers, "content-type": "application/json"},
                )
                assert r.status_code < 500, (method, path, body, r.text)
                if r.status_code >= 400:
                    assert r.headers["content-type"].startswith("application/problem+json")
                    assert "Traceback" not in r.text
