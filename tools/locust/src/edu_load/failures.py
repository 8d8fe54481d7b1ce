"""What the failed requests of a run said: per endpoint, how many failed with each status and
problem-details `code`, and the first few answers in full, so a report names the cause and
not only a count.

The locustfile records into a `FailureLog` from locust's request event and writes it as JSON
when locust quits (`EDU_LOAD_FAILURES`); `edu bench` reads it back into the report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Answers kept in full per endpoint; the rest are only counted.
EXAMPLES_PER_ENDPOINT = 5
_DETAIL_CHARS = 200


@dataclass(frozen=True)
class FailureExample:
    status: int
    code: str
    detail: str
    path: str


@dataclass
class EndpointFailures:
    # "404 not_found" -> how many
    kinds: dict[str, int] = field(default_factory=dict)
    examples: list[FailureExample] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.kinds.values())


def describe(status: int, body: str, error: str) -> tuple[str, str]:
    """The problem detail's `code` and a short detail of a failed answer: from the body when
    it is a problem document, else the error locust saw (a timeout, a refused connection)."""
    try:
        problem = json.loads(body) if body else None
    except ValueError:
        problem = None
    if isinstance(problem, dict) and "code" in problem:
        detail = str(problem.get("detail") or problem.get("title") or "")
        return str(problem["code"]), detail[:_DETAIL_CHARS]
    if status == 0:
        return "no_answer", error[:_DETAIL_CHARS]
    return "-", (body or error)[:_DETAIL_CHARS]


@dataclass
class FailureLog:
    endpoints: dict[str, EndpointFailures] = field(default_factory=dict)
    examples_per_endpoint: int = EXAMPLES_PER_ENDPOINT

    def add(self, endpoint: str, status: int, code: str, detail: str, path: str) -> None:
        found = self.endpoints.setdefault(endpoint, EndpointFailures())
        kind = f"{status} {code}"
        found.kinds[kind] = found.kinds.get(kind, 0) + 1
        if len(found.examples) < self.examples_per_endpoint:
            found.examples.append(FailureExample(status, code, detail, path))

    def clear(self) -> None:
        self.endpoints.clear()

    def to_json(self) -> str:
        return json.dumps(
            {
                name: {
                    "kinds": f.kinds,
                    "examples": [e.__dict__ for e in f.examples],
                }
                for name, f in self.endpoints.items()
            }
        )

    @classmethod
    def from_json(cls, text: str) -> FailureLog:
        data: dict[str, Any] = json.loads(text) if text.strip() else {}
        log = cls()
        for name, found in data.items():
            log.endpoints[name] = EndpointFailures(
                kinds={str(k): int(v) for k, v in found.get("kinds", {}).items()},
                examples=[FailureExample(**e) for e in found.get("examples", [])],
            )
        return log

    @classmethod
    def read(cls, path: Path) -> FailureLog:
        return cls.from_json(path.read_text()) if path.exists() else cls()
