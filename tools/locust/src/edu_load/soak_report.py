"""The soak's own sections of the report (faults, errors by kind, the count check), as
markdown the bench's report writer places after its summary. Pure: tested on canned input."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from edu_load.counts import CountCheck
from edu_load.faults import FaultOutcome


def _s(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def faults_section(outcomes: Sequence[FaultOutcome], start: float, quiet: float) -> str:
    """One row per fault: when (seconds into the run), how long until the part was back,
    until every service was ready, until the errors stopped; the errors it caused."""
    lines = [
        "## Faults",
        "",
        "Times in seconds from the start of the run. *Back*: the part running again;"
        " *ready*: every service answering `/health/ready` 200; *errors stopped*: the fault's"
        f" last failed request, confirmed by {quiet:.0f} s without another (beyond the rate"
        " seen before the first fault). Recovery runs from"
        " the injection to the later of *ready* and *errors stopped*.",
        "",
        "| fault | injected at | back after | ready after | errors stopped after |"
        " recovery | failed requests | what |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for o in outcomes:

        def after(t: float | None, o: FaultOutcome = o) -> str:
            return "n/a" if t is None else f"{t - o.injected_at:.1f}"

        stopped = "no error" if not o.error_count else after(o.errors_stopped_at)
        recovery = _s(o.recovery_s) if o.recovery_s is not None else f"**{o.note or 'no'}**"
        lines.append(
            f"| {o.name} | {o.injected_at - start:.0f} | {after(o.restored_at)} |"
            f" {after(o.ready_at)} | {stopped} | {recovery} | {o.error_count:,} |"
            f" {o.description} |"
        )
    return "\n".join(lines) + "\n"


def errors_section(outcomes: Sequence[FaultOutcome], outside: Counter[str]) -> str:
    """Errors by kind (status and problem code, or the transport error) for each fault, and
    those outside any fault's window."""
    lines = ["## Errors by kind", ""]
    if not any(o.errors for o in outcomes) and not outside:
        return "\n".join([*lines, "No request failed during the run."]) + "\n"
    lines += [
        "A fault's window runs from its injection to the next one (the last to the end of the"
        " run); requests are counted when the client saw the failure.",
        "",
        "| window | kind | requests | endpoints (most failures first) |",
        "|---|---|---:|---|",
    ]
    for o in outcomes:
        if not o.errors:
            lines.append(f"| {o.name} | none | 0 | |")
            continue
        endpoints = ", ".join(f"{name} ({n})" for name, n in list(o.error_names.items())[:4])
        for i, (kind, n) in enumerate(o.errors.items()):
            lines.append(f"| {o.name} | `{kind}` | {n:,} | {endpoints if i == 0 else ''} |")
    for kind, n in outside.most_common():
        lines.append(f"| outside any fault | `{kind}` | {n:,} | |")
    return "\n".join(lines) + "\n"


def counts_section(check: CountCheck) -> str:
    verdict = "**passed**" if check.ok else "**FAILED**"
    settled = (
        f"the stack settled in {check.settle_s:.1f} s (every outbox empty and every JetStream"
        " consumer caught up, seen in one poll)"
        if check.settled
        else f"the stack did **not** settle within {check.settle_s:.0f} s"
    )
    lines = [
        "## Count check",
        "",
        f"Read from the services' own databases after the run; {settled}. Verdict: {verdict}.",
        "",
        "| check | expected | found | |",
        "|---|---:|---:|---|",
    ]
    for c in check.checks:
        mark = "ok" if c.ok else f"**differs** {c.detail}".rstrip()
        lines.append(f"| {c.name} | {c.expected:,} | {c.found:,} | {mark} |")
    lines += ["", "| figure | count |", "|---|---:|"]
    lines += [f"| {name} | {n:,} |" for name, n in check.figures.items()]
    return "\n".join(lines) + "\n"
