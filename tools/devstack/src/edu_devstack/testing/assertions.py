"""Assertions on HTTP answers that every service's tests share."""

from __future__ import annotations

from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families


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


def metric_value(metrics: str, name: str, **labels: str) -> float:
    """The value of one series in a `/metrics` text (0 when it is not there yet)."""
    for family in text_string_to_metric_families(metrics):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return 0.0
