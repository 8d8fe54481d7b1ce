"""Checks of our own that schemathesis runs beside its built-in ones (loaded through
`SCHEMATHESIS_HOOKS=fuzz_hooks`, with this directory on `PYTHONPATH`)."""

from __future__ import annotations

import json
from typing import Any

import schemathesis


@schemathesis.check
def problem_details(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every error is RFC 9457 problem details: `application/problem+json` with `type`,
    `title`, `status` (the response's own) and a machine-readable `code`."""
    status = response.status_code
    if status < 400:
        return None
    media = str(response.headers.get("content-type", [""])[0]).split(";")[0].strip()
    assert media == "application/problem+json", f"a {status} answered as {media or 'nothing'}"
    body = json.loads(response.content)
    assert isinstance(body, dict), f"a {status} whose body is not an object"
    missing = {"type", "title", "status", "code"} - body.keys()
    assert not missing, f"a {status} without {sorted(missing)}"
    assert body["status"] == status, f"a {status} that says status {body['status']}"
    return None
