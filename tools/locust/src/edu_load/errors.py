"""Every failed request of a load run, with its time and its kind, one JSON line each: what
`edu soak` attributes to the fault that was in progress.

The locustfile records into the file named by EDU_LOAD_ERROR_LOG (when set); `read_errors`
reads it back, from an offset, so a running soak can follow it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RequestError:
    t: float  # Unix time the client saw the failure
    name: str  # the locust request name ("POST /payments")
    kind: str  # "503 database_unavailable", "500 internal_error", "transport ConnectionRefused"


def error_kind(status: int | None, code: str, exception: BaseException | None) -> str:
    """A failed request as "<status> <problem code>", or "transport <what>" when no answer
    came (the connection refused, reset or timed out). `code` is what
    `edu_load.failures.describe` found in the answer ("-" for none)."""
    if not status:
        what = type(exception).__name__ if exception is not None else "no answer"
        return f"transport {what}"
    return f"{status} {code}" if code and code != "-" else f"{status} (no problem code)"


def to_line(error: RequestError) -> str:
    return json.dumps({"t": round(error.t, 3), "name": error.name, "kind": error.kind}) + "\n"


def read_errors(path: Path, offset: int = 0) -> tuple[list[RequestError], int]:
    """The errors written from byte `offset` on, and the offset after the last whole line."""
    try:
        with path.open("rb") as log:
            log.seek(offset)
            data = log.read()
    except FileNotFoundError:
        return [], offset
    end = data.rfind(b"\n") + 1
    found = []
    for line in data[:end].splitlines():
        try:
            row = json.loads(line)
            found.append(RequestError(float(row["t"]), str(row["name"]), str(row["kind"])))
        except (ValueError, KeyError, TypeError):
            continue
    return found, offset + end


def by_kind(errors: Iterable[RequestError]) -> Counter[str]:
    return Counter(e.kind for e in errors)
