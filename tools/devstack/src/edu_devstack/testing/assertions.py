"""Assertions on HTTP answers that every service's tests share."""

from __future__ import annotations

from typing import Any

import httpx


def assert_problem(
    response: httpx.Response, status: int, code: str | None = None
) -> dict[str, Any]:
    """Asserts an RFC 9457 problem detail with this status (and code); returns its body."""
    assert response.status_code == status, (
        response.request.method,
        str(response.request.url),
        response.text,
    )
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail", "code"} <= set(body), body
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    if code is not None:
        assert body["code"] == code, body
        assert body["type"].endswith(code), body
    return body
