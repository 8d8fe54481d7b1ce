"""Server-Timing: how long this request spent waiting on each service, and in total."""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class RequestTiming:
    started: float = field(default_factory=time.perf_counter)
    upstream: dict[str, tuple[int, float]] = field(default_factory=dict)

    def header(self) -> str:
        total = (time.perf_counter() - self.started) * 1000
        parts = [f"app;dur={total:.1f}"]
        for service, (calls, seconds) in sorted(self.upstream.items()):
            parts.append(f'{service};dur={seconds * 1000:.1f};desc="{calls} call(s)"')
        return ", ".join(parts)


current_timing: ContextVar[RequestTiming | None] = ContextVar("current_timing", default=None)


def record_upstream(service: str, seconds: float) -> None:
    timing = current_timing.get()
    if timing is not None:
        calls, total = timing.upstream.get(service, (0, 0.0))
        timing.upstream[service] = (calls + 1, total + seconds)
