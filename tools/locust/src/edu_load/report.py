"""The benchmark report: a pure function from a run's figures to markdown, and its charts.

`render_report` only formats what it is given, so it is tested on canned input; `write_charts`
draws the PNGs the markdown links to.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from edu_load.failures import FailureLog

# Locust names of the web app's pages (`WebVisitor`) start with this.
WEB_PAGE = "WEB "


@dataclass(frozen=True)
class EndpointStats:
    name: str
    method: str
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float


@dataclass(frozen=True)
class Moment:
    """The generator's view at one second of the run (the whole mix)."""

    t: float
    rps: float
    failures_per_s: float
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class EventLag:
    """A consumer's events handled during the run, and how late (from the event's
    `occurred_at` to the commit of its effect), estimated from the histogram's buckets."""

    handled: float
    p50_s: float | None
    p99_s: float | None
    # The smallest bucket bound every event fell under (None past the last finite one).
    max_bucket_s: float | None


@dataclass(frozen=True)
class ServiceMetrics:
    """What a service's /metrics said during the run."""

    pool_size_max: float | None = None
    pool_in_use_max: float | None = None
    pool_in_use_mean: float | None = None
    cache_hits: float | None = None
    cache_misses: float | None = None
    events_published: float | None = None
    events_consumed: float | None = None
    outbox_backlog_max: float | None = None
    # The garbage collector's pauses over the run, all workers together, and the smallest
    # bucket bound the longest fell under; the event loop's lag (edu_common.runtime).
    gc_pause_s: float | None = None
    gc_pause_max_bucket_s: float | None = None
    loop_lag_p99_s: float | None = None
    # Durable consumer -> its lag, for the consumers this service runs.
    event_lag: dict[str, EventLag] = field(default_factory=dict)

    @property
    def cache_hit_ratio(self) -> float | None:
        if self.cache_hits is None or self.cache_misses is None:
            return None
        total = self.cache_hits + self.cache_misses
        return self.cache_hits / total if total else None


@dataclass(frozen=True)
class Statement:
    """One normalized statement's calls and execution time (pg_stat_statements)."""

    query: str
    calls: int
    total_ms: float


@dataclass(frozen=True)
class DatabaseStatements:
    total_ms: float
    calls: int
    # The costliest statements by total execution time, costliest first.
    top: Sequence[Statement] = ()


@dataclass(frozen=True)
class BenchRun:
    name: str
    date: str
    command: str
    scenario: str
    offered_rps: float
    users: int
    duration_s: float
    cores: int
    endpoints: Sequence[EndpointStats]
    overall: EndpointStats
    timeline: Sequence[Moment] = ()
    # process -> [(t, percent of one core)]
    cpu: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    # process -> [(t, percent of one core spent ready to run but waiting for a core)]
    waiting: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    services: dict[str, ServiceMetrics] = field(default_factory=dict)
    # JetStream durable consumer -> most messages it had waiting (undelivered + unacked).
    consumer_pending_max: dict[str, float] = field(default_factory=dict)
    ceiling_rps: float | None = None
    ceiling_target: str = ""
    pgbench_tps: float | None = None
    notes: Sequence[str] = ()
    failures: FailureLog = field(default_factory=FailureLog)
    # The heading's first word ("Benchmark", "Soak").
    title: str = "Benchmark"
    # Markdown sections of a run of another kind, placed after the summary.
    sections: Sequence[str] = ()
    # Moments marked on the charts: (seconds into the timeline, label).
    markers: Sequence[tuple[float, str]] = ()
    # Service -> where its database spent its time during the run.
    statements: dict[str, DatabaseStatements] = field(default_factory=dict)


def chart_names(run: BenchRun) -> dict[str, str]:
    """The PNG of each chart, relative to the report."""
    return {kind: f"{run.date}-{run.name}/{kind}.png" for kind in ("rps", "p99", "cpu")}


def _label(e: EndpointStats) -> str:
    # Scenario names carry the method already ("GET /courses/{id}").
    return e.name if e.name.startswith(e.method) else f"{e.method} {e.name}"


def _ms(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _opt(value: float | None, fmt: str = "{:.0f}") -> str:
    return "n/a" if value is None else fmt.format(value)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def write_report(
    run: BenchRun, out_dir: Path, stem: str, stats_csv: str, history_csv: str
) -> tuple[Path, Path]:
    """Writes `<stem>.md` and its charts into `out_dir`, and locust's own CSVs into the folder
    `<stem>/` beside it; returns the report's path and that folder. Of the history, only the
    whole run's row for each second is kept (what the charts show): with a row per endpoint
    as well, ten minutes of it are 2 MB."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{stem}.md"
    path.write_text(render_report(run))
    write_charts(run, out_dir)
    raw = out_dir / stem
    raw.mkdir(exist_ok=True)
    (raw / "locust_stats.csv").write_text(stats_csv)
    (raw / "locust_stats_history.csv").write_text(_whole_run_history(history_csv))
    return path, raw


def _whole_run_history(history_csv: str) -> str:
    """The header and the `Aggregated` rows of locust's per-second history."""
    rows = csv.reader(io.StringIO(history_csv))
    header = next(rows, None)
    if header is None:
        return ""
    name = header.index("Name")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(row for row in rows if len(row) > name and row[name] == "Aggregated")
    return out.getvalue()


def render_report(run: BenchRun) -> str:
    o = run.overall
    error_rate = o.failures / o.requests if o.requests else 0.0
    achieved = o.rps
    lines = [
        f"# {run.title} {run.date}: {run.name}",
        "",
        "Reproduce with:",
        "",
        "```bash",
        run.command,
        "```",
        "",
        f"Scenario `{run.scenario}`, {run.users} users at a fixed offered rate (open loop),"
        f" {run.duration_s:.0f} s measured, {run.cores} CPU cores shared by the stack and"
        " the generator.",
        "",
        "## Summary",
        "",
        "| figure | value |",
        "|---|---|",
        f"| offered | {run.offered_rps:.0f} tasks/s (about one request each) |",
        f"| achieved | {achieved:.1f} RPS ({achieved / run.offered_rps:.0%} of offered) |"
        if run.offered_rps
        else f"| achieved | {achieved:.1f} RPS |",
        f"| p50 / p95 / p99 | {_ms(o.p50_ms)} / {_ms(o.p95_ms)} / {_ms(o.p99_ms)} ms |",
        f"| requests / errors | {o.requests:,} / {o.failures:,} ({error_rate:.2%}) |",
        f"| ceiling ({run.ceiling_target or 'trivial endpoint'}) | {_opt(run.ceiling_rps)} RPS |",
        f"| `pgbench -S` on the same PostgreSQL | {_opt(run.pgbench_tps)} TPS |",
        "",
        "Ratios:",
        "",
    ]
    if run.ceiling_rps:
        lines.append(
            f"- achieved / server ceiling: {achieved / run.ceiling_rps:.1%} (the mix reaches"
            " this share of what the same server does on a request that does no work)"
        )
    if run.pgbench_tps:
        lines.append(
            f"- achieved / pgbench -S TPS: {achieved / run.pgbench_tps:.1%} (requests per"
            " second against PostgreSQL's own ceiling for primary-key reads)"
        )
    if not run.ceiling_rps and not run.pgbench_tps:
        lines.append("- no ceiling was measured in this run")
    for section in run.sections:
        lines += ["", section.rstrip("\n")]
    lines += [
        "",
        "## Per endpoint",
        "",
        "| endpoint | requests | errors | RPS | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    api = [e for e in run.endpoints if not e.name.startswith(WEB_PAGE)]
    pages = [e for e in run.endpoints if e.name.startswith(WEB_PAGE)]
    for e in sorted(api, key=lambda e: -e.requests):
        lines.append(
            f"| {_label(e)} | {e.requests:,} | {e.failures:,} | {e.rps:.1f} |"
            f" {_ms(e.p50_ms)} | {_ms(e.p95_ms)} | {_ms(e.p99_ms)} |"
        )
    lines.append(
        f"| **all** | {o.requests:,} | {o.failures:,} | {o.rps:.1f} | {_ms(o.p50_ms)} |"
        f" {_ms(o.p95_ms)} | {_ms(o.p99_ms)} |"
    )
    if pages:
        lines += [
            "",
            "## Web pages",
            "",
            "The web app's pages, rendered from the services' answers (counted in **all** above).",
            "",
            "| page | requests | errors | RPS | p50 ms | p95 ms | p99 ms |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for e in sorted(pages, key=lambda e: -e.requests):
            lines.append(
                f"| {e.name.removeprefix(WEB_PAGE)} | {e.requests:,} | {e.failures:,} |"
                f" {e.rps:.1f} | {_ms(e.p50_ms)} | {_ms(e.p95_ms)} | {_ms(e.p99_ms)} |"
            )
    lines += [
        "",
        "## CPU per process",
        "",
        f"Percent of one core, sampled every second ({run.cores * 100}% is the whole machine)."
        " Waiting: the time the process was ready to run but no core was free for it (the"
        " kernel's run queue delay), which lengthens every request it was serving.",
        "",
        "| process | mean % | max % | share of the machine | waiting for a core, mean % |",
        "|---|---:|---:|---:|---:|",
    ]
    for process, samples in sorted(run.cpu.items(), key=lambda kv: -_mean([p for _, p in kv[1]])):
        values = [p for _, p in samples]
        mean = _mean(values)
        waited = run.waiting.get(process)
        waited_mean = _mean([p for _, p in waited]) if waited else None
        lines.append(
            f"| {process} | {mean:.0f} | {max(values, default=0):.0f} |"
            f" {mean / (run.cores * 100):.0%} | {_opt(waited_mean, '{:.0f}')} |"
        )
    if run.services:
        lines += [
            "",
            "## Service metrics",
            "",
            "| service | pool size | pool in use (mean / max) | cache hit ratio |"
            " events published | events consumed | outbox backlog max |"
            " GC pauses s (longest under s) | event loop lag p99 ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, m in sorted(run.services.items()):
            lag_ms = None if m.loop_lag_p99_s is None else m.loop_lag_p99_s * 1000
            lines.append(
                f"| {name} | {_opt(m.pool_size_max)} |"
                f" {_opt(m.pool_in_use_mean, '{:.1f}')} / {_opt(m.pool_in_use_max)} |"
                f" {_opt(m.cache_hit_ratio, '{:.1%}')} | {_opt(m.events_published)} |"
                f" {_opt(m.events_consumed)} | {_opt(m.outbox_backlog_max)} |"
                f" {_opt(m.gc_pause_s, '{:.2f}')} ({_opt(m.gc_pause_max_bucket_s, '{:g}')}) |"
                f" {_opt(lag_ms)} |"
            )
    lines += _statements(run)
    lines += _failures(run.failures)
    lags = {name: lag for m in run.services.values() for name, lag in m.event_lag.items()}
    if run.consumer_pending_max or lags:
        lines += [
            "",
            "## Event lag",
            "",
            "Per JetStream consumer: events handled during the run and their handling lag (from"
            " the event's `occurred_at` to the commit of its effect, estimated from"
            " `event_handling_lag_seconds`; `all under` is the smallest bucket bound every"
            " event fell under), and the most messages it had waiting (not delivered or not"
            " acknowledged) in a scrape.",
            "",
            "| consumer | events handled | lag p50 s | lag p99 s | all under s | pending max |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for consumer in sorted(set(run.consumer_pending_max) | set(lags)):
            lag = lags.get(consumer) or EventLag(handled=0, p50_s=None, p99_s=None,
                                                  max_bucket_s=None)  # fmt: skip
            handled = lag.handled if consumer in lags else None
            waiting = run.consumer_pending_max.get(consumer)
            lines.append(
                f"| {consumer} | {_opt(handled)} |"
                f" {_opt(lag.p50_s, '{:.2f}')} | {_opt(lag.p99_s, '{:.2f}')} |"
                f" {_opt(lag.max_bucket_s, '{:g}')} | {_opt(waiting)} |"
            )
    charts = chart_names(run)
    lines += [
        "",
        "## Over time",
        "",
        f"![RPS over time]({charts['rps']})",
        "",
        f"![p99 over time]({charts['p99']})",
        "",
        f"![CPU over time]({charts['cpu']})",
    ]
    if run.notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in run.notes]
    return "\n".join(lines) + "\n"


_QUERY_SHOWN = 200
# A long select list (one without a subquery in it), shown as "..." so that what is read and
# how fits in the row.
_SELECT_LIST = re.compile(r"SELECT (?:(?!SELECT ).){50,}? FROM ")


def _statement_text(query: str) -> str:
    query = _SELECT_LIST.sub("SELECT ... FROM ", query)
    if len(query) > _QUERY_SHOWN:
        query = query[:_QUERY_SHOWN] + " ..."
    return _cell(query).replace("`", "'")


def _cell(text: str) -> str:
    """Text that stays in its table cell: no pipe ends it, no newline breaks the row."""
    return text.replace("|", "\\|").replace("\n", " ")


def _statements(run: BenchRun) -> list[str]:
    if not run.statements:
        return []
    lines = [
        "",
        "## Database statements",
        "",
        "Execution time in PostgreSQL per service's database during the run (pg_stat_statements,"
        " reset as the load started, the ramp included), and the costliest statements there."
        " Time is the backends' wall time in the executor: mostly CPU on cached data.",
        "",
        "| database | calls | time s | per second of the run |",
        "|---|---:|---:|---:|",
    ]
    by_time = sorted(run.statements.items(), key=lambda kv: -kv[1].total_ms)
    for name, db in by_time:
        per_second = db.total_ms / 1000 / run.duration_s if run.duration_s else 0.0
        lines.append(
            f"| {name} | {db.calls:,} | {db.total_ms / 1000:.1f} | {per_second:.0%} of a core |"
        )
    for name, db in by_time:
        if not db.top:
            continue
        lines += [
            "",
            f"{name}:",
            "",
            "| time s | share | calls | mean ms | statement |",
            "|---:|---:|---:|---:|---|",
        ]
        for s in db.top:
            query = _statement_text(s.query)
            share = s.total_ms / db.total_ms if db.total_ms else 0.0
            mean = s.total_ms / s.calls if s.calls else 0.0
            lines.append(
                f"| {s.total_ms / 1000:.1f} | {share:.0%} | {s.calls:,} | {_ms(mean)} | `{query}` |"
            )
    return lines


def _failures(log: FailureLog) -> list[str]:
    if not log.endpoints:
        return []
    lines = [
        "",
        "## Failures",
        "",
        "Per endpoint: each status with its problem-details `code`, then the first answers"
        " in full.",
        "",
        "| endpoint | failures | status and code (count) |",
        "|---|---:|---|",
    ]
    ranked = sorted(log.endpoints.items(), key=lambda kv: -kv[1].total)
    for name, found in ranked:
        counted = sorted(found.kinds.items(), key=lambda kv: -kv[1])
        kinds = ", ".join(f"{kind} ({n})" for kind, n in counted)
        lines.append(f"| {name} | {found.total:,} | {kinds} |")
    lines.append("")
    for name, found in ranked:
        for e in found.examples:
            detail = _cell(e.detail)
            lines.append(f"- {name}: `{e.path}` {e.status} `{e.code}`: {detail}")
    return lines


def write_charts(run: BenchRun, report_dir: Path) -> list[Path]:
    """Draws RPS, p99 and CPU over time next to the report; returns the files."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    written = []
    names = chart_names(run)
    t = [m.t for m in run.timeline]
    plots = {
        "rps": ("requests per second", [("achieved", [m.rps for m in run.timeline]),
                                        ("failures", [m.failures_per_s for m in run.timeline])]),
        "p99": ("latency, ms", [("p99", [m.p99_ms for m in run.timeline]),
                                ("p50", [m.p50_ms for m in run.timeline])]),
    }  # fmt: skip
    for kind, (ylabel, series) in plots.items():
        fig, ax = plt.subplots(figsize=(8, 3.5))
        for label, values in series:
            ax.plot(t, values, label=label)
        if kind == "rps" and run.offered_rps:
            ax.axhline(run.offered_rps, linestyle="--", color="grey", label="offered")
        for at, label in run.markers:
            ax.axvline(at, linestyle=":", color="red", alpha=0.6)
            ax.annotate(label, (at, 1), xycoords=("data", "axes fraction"), rotation=90,
                        fontsize="x-small", va="top", ha="right")  # fmt: skip
        ax.set_xlabel("seconds")
        ax.set_ylabel(ylabel)
        ax.legend(loc="upper left")
        ax.grid(alpha=0.3)
        written.append(_save(fig, report_dir / names[kind]))
        plt.close(fig)
    fig, ax = plt.subplots(figsize=(8, 3.5))
    for process, samples in sorted(run.cpu.items()):
        ax.plot([s for s, _ in samples], [p for _, p in samples], label=process)
    ax.set_xlabel("seconds")
    ax.set_ylabel("% of one core")
    ax.legend(loc="upper left", fontsize="small", ncol=2)
    ax.grid(alpha=0.3)
    written.append(_save(fig, report_dir / names["cpu"]))
    plt.close(fig)
    return written


def _save(fig: object, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90, bbox_inches="tight")  # type: ignore[attr-defined]
    return path
