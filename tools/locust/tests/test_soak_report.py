"""The soak report on canned input: its faults table, errors by kind, the count check, all
placed by the bench's report writer, with the faults marked on the charts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from edu_load.counts import Check, CountCheck
from edu_load.faults import FaultOutcome
from edu_load.report import BenchRun, EndpointStats, Moment, render_report, write_charts
from edu_load.soak_report import counts_section, errors_section, faults_section

START = 1000.0


def _outcomes() -> list[FaultOutcome]:
    restart = FaultOutcome(
        "postgresql restart", "pg_ctl stop -m fast, then start", injected_at=START + 40,
        restored_at=START + 46.5, ready_at=START + 46.7, last_error_at=START + 90.0,
        errors_stopped_at=START + 46.4, recovered_at=START + 46.7,
        errors={"503 database_unavailable": 270, "500 internal_error": 2},
        error_names={"GET /courses": 200, "POST /payments": 72},
    )  # fmt: skip
    valkey = FaultOutcome(
        "valkey stop", "Valkey stopped, then started", injected_at=START + 160,
        restored_at=START + 161.6, ready_at=START + 161.6, recovered_at=START + 161.6,
    )  # fmt: skip
    stuck = FaultOutcome(
        "course sigterm", "SIGTERM to course", injected_at=START + 280, restored_at=START + 284,
        errors={"transport ConnectionRefusedError": 9}, error_names={"GET /courses": 9},
        last_error_at=START + 290, note="not recovered within 180 s",
    )  # fmt: skip
    return [restart, valkey, stuck]


def _check(receipts_found: int) -> CountCheck:
    return CountCheck(
        checks=[
            Check("completed payments with their paid course and one enrollment", 1054, 1054),
            Check("payment events (outbox) with exactly one receipt", 54, receipts_found),
            Check("unpublished outbox rows in payment", 0, 0),
        ],
        settled=True,
        settle_s=1.25,
        figures={"completed payments": 1054, "payment events": 54},
    )


def test_the_faults_table_has_each_fault_with_its_times_from_the_injection() -> None:
    table = faults_section(_outcomes(), START, quiet=10)
    assert "confirmed by 10 s without another" in table
    assert (
        "| postgresql restart | 40 | 6.5 | 6.7 | 6.4 | 6.7 | 272 |"
        " pg_ctl stop -m fast, then start |" in table
    )
    assert "| valkey stop | 160 | 1.6 | 1.6 | no error | 1.6 | 0 |" in table
    # A fault the stack did not recover from says so where its recovery time would be.
    assert "| course sigterm | 280 | 4.0 | n/a | n/a | **not recovered within 180 s** | 9 |" in (
        table
    )


def test_errors_by_kind_are_listed_per_fault_and_outside_the_faults() -> None:
    section = errors_section(_outcomes(), Counter({"503 overloaded": 3}))
    assert (
        "| postgresql restart | `503 database_unavailable` | 270 |"
        " GET /courses (200), POST /payments (72) |" in section
    )
    assert "| postgresql restart | `500 internal_error` | 2 |  |" in section
    assert "| valkey stop | none | 0 | |" in section
    assert "| course sigterm | `transport ConnectionRefusedError` | 9 |" in section
    assert "| outside any fault | `503 overloaded` | 3 | |" in section
    quiet = errors_section([_outcomes()[1]], Counter())
    assert "No request failed during the run." in quiet


def test_the_count_check_passes_only_when_every_count_matches() -> None:
    passed = counts_section(_check(54))
    assert "Verdict: **passed**" in passed
    assert "settled in 1.2 s" in passed
    assert "| payment events (outbox) with exactly one receipt | 54 | 54 | ok |" in passed
    assert "| completed payments | 1,054 |" in passed
    failed = counts_section(_check(53))
    assert "Verdict: **FAILED**" in failed
    assert "| payment events (outbox) with exactly one receipt | 54 | 53 | **differs** |" in failed
    unsettled = counts_section(CountCheck([], settled=False, settle_s=180, figures={}))
    assert "did **not** settle within 180 s" in unsettled
    assert "Verdict: **FAILED**" in unsettled


def test_the_bench_report_writer_places_the_sections_and_marks_the_faults(
    tmp_path: Path,
) -> None:
    overall = EndpointStats("Aggregated", "", 7519, 574, 50.6, 29, 310, 630)
    run = BenchRun(
        name="soak-50rps", date="2026-12-02", command="./edu soak --rate 50 --duration 150s",
        scenario="mix", offered_rps=50, users=50, duration_s=150, cores=2, endpoints=[overall],
        overall=overall,
        timeline=[Moment(float(t), 50.0, 0.0, 20.0, 100.0) for t in range(60)],
        cpu={"course": [(1.0, 10.0), (2.0, 12.0)]}, title="Soak",
        sections=[faults_section(_outcomes(), START, 10), counts_section(_check(54))],
        markers=[(40.0, "postgresql restart"), (160.0, "valkey stop")],
    )  # fmt: skip
    report = render_report(run)
    assert report.startswith("# Soak 2026-12-02: soak-50rps\n")
    summary, faults, counts, endpoints = (
        report.index("## Summary"), report.index("## Faults"), report.index("## Count check"),
        report.index("## Per endpoint"),
    )  # fmt: skip
    assert summary < faults < counts < endpoints
    written = write_charts(run, tmp_path)
    assert {p.name for p in written} == {"rps.png", "p99.png", "cpu.png"}
    assert all(p.stat().st_size > 1000 for p in written)
