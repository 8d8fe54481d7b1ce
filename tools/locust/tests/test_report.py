"""The report writer on canned input: locust's CSV, a /metrics page, and a run's figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from edu_load.failures import FailureLog, describe
from edu_load.locust_csv import parse_history, parse_stats
from edu_load.report import (
    BenchRun,
    DatabaseStatements,
    EndpointStats,
    EventLag,
    Moment,
    ServiceMetrics,
    Statement,
    render_report,
    write_charts,
    write_report,
)
from edu_load.sampling import histogram_quantile, read_metrics, summarize

HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,"
    "75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)
STATS = "\n".join([
    HEADER,
    "GET,GET /courses,900,0,12,14.1,2,80,1000,90.0,0.0,12,13,14,15,20,31,40,55,70,80,80",
    "POST,POST /enrollments,100,2,30,33.0,9,150,200,10.0,0.2,30,31,33,35,50,88,99,120,150,150,150",
    ",Aggregated,1000,2,13,16.0,2,150,920,100.0,0.2,13,14,15,16,22,40,60,70,140,150,150",
])  # fmt: skip
HISTORY = "\n".join([
    "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,"
    "99.9%,99.99%,100%,Total Request Count,Total Failure Count",
    "1000,0,,Aggregated,0.000000,0.000000,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,0,0",
    "1001,10,GET,GET /courses,9.0,0.0,12,13,14,15,20,31,40,55,70,80,80,9,0",
    "1001,10,,Aggregated,10.5,0.5,13,14,15,16,22,40,60,70,140,150,150,10,1",
    "1002,10,,Aggregated,11.0,0.0,14,14,15,16,22,40,60,75,140,150,150,21,1",
])  # fmt: skip
METRICS_PAGE = """\
# HELP cache_requests_total Cache look-ups
# TYPE cache_requests_total counter
cache_requests_total{cache="course",result="hit"} 30.0
cache_requests_total{cache="curriculum",result="hit"} 15.0
cache_requests_total{cache="course",result="miss"} 5.0
cache_requests_created{cache="course",result="hit"} 1.7e9
# HELP events_published_total Outbox events published
# TYPE events_published_total counter
events_published_total{subject="course.updated"} 4.0
events_published_total{subject="course.created"} 1.0
# HELP db_pool_size Connections open in the pool
# TYPE db_pool_size gauge
db_pool_size 10.0
# HELP db_pool_in_use Connections lent out
# TYPE db_pool_in_use gauge
db_pool_in_use 3.0
# HELP event_handling_lag_seconds Time from occurred_at to the commit of its effect
# TYPE event_handling_lag_seconds histogram
event_handling_lag_seconds_bucket{consumer="course-enrollments",le="0.1"} 2.0
event_handling_lag_seconds_bucket{consumer="course-enrollments",le="1.0"} 4.0
event_handling_lag_seconds_bucket{consumer="course-enrollments",le="+Inf"} 4.0
event_handling_lag_seconds_count{consumer="course-enrollments"} 4.0
event_handling_lag_seconds_sum{consumer="course-enrollments"} 1.5
# HELP http_requests_total HTTP requests served
# TYPE http_requests_total counter
http_requests_total{method="GET",route="/courses",status="200"} 900.0
# HELP python_gc_pause_seconds Time a garbage collection stopped the worker
# TYPE python_gc_pause_seconds histogram
python_gc_pause_seconds_bucket{generation="0",le="0.01"} 3.0
python_gc_pause_seconds_bucket{generation="0",le="+Inf"} 3.0
python_gc_pause_seconds_sum{generation="0"} 0.01
python_gc_pause_seconds_bucket{generation="2",le="0.01"} 0.0
python_gc_pause_seconds_bucket{generation="2",le="+Inf"} 1.0
python_gc_pause_seconds_sum{generation="2"} 0.3
# HELP event_loop_lag_seconds How late the event loop ran a timer
# TYPE event_loop_lag_seconds histogram
event_loop_lag_seconds_bucket{le="0.01"} 90.0
event_loop_lag_seconds_bucket{le="0.1"} 100.0
event_loop_lag_seconds_bucket{le="+Inf"} 100.0
"""


def _run(**overrides: object) -> BenchRun:
    endpoints, overall = parse_stats(STATS)
    values: dict[str, object] = {
        "name": "mix-100rps",
        "date": "2026-12-01",
        "command": "./edu bench mix --rate 100 --duration 300s --scale full",
        "scenario": "mix",
        "offered_rps": 125.0,
        "users": 125,
        "duration_s": 300.0,
        "cores": 2,
        "endpoints": endpoints,
        "overall": overall,
        "timeline": parse_history(HISTORY),
        "cpu": {"course": [(1.0, 80.0), (2.0, 100.0)], "postgresql": [(1.0, 20.0), (2.0, 30.0)]},
        "waiting": {"course": [(1.0, 30.0), (2.0, 50.0)]},
        "services": {
            "course": ServiceMetrics(
                pool_size_max=10,
                pool_in_use_max=4,
                pool_in_use_mean=2.5,
                cache_hits=75,
                cache_misses=25,
                events_published=5,
                events_consumed=7,
                outbox_backlog_max=2,
                gc_pause_s=0.25,
                gc_pause_max_bucket_s=0.05,
                loop_lag_p99_s=0.0123,
            )
        },
        "consumer_pending_max": {"enrollment-courses": 12.0},
        "ceiling_rps": 400.0,
        "ceiling_target": "GET /health/live",
        "pgbench_tps": 5000.0,
        "notes": ["a note"],
    }
    values.update(overrides)
    return BenchRun(**values)  # type: ignore[arg-type]


def test_locust_stats_are_read_per_endpoint_and_overall() -> None:
    endpoints, overall = parse_stats(STATS)
    assert [e.name for e in endpoints] == ["GET /courses", "POST /enrollments"]
    assert endpoints[1] == EndpointStats("POST /enrollments", "POST", 100, 2, 10.0, 30, 88, 120)
    assert (overall.requests, overall.failures, overall.rps) == (1000, 2, 100.0)
    assert (overall.p50_ms, overall.p95_ms, overall.p99_ms) == (13, 40, 70)


def test_history_keeps_the_aggregate_from_the_first_second() -> None:
    moments = parse_history(HISTORY)
    assert moments == [
        Moment(0.0, 0.0, 0.0, 0.0, 0.0),
        Moment(1.0, 10.5, 0.5, 13, 70),
        Moment(2.0, 11.0, 0.0, 14, 75),
    ]


def test_the_report_states_figures_ratios_and_the_command() -> None:
    text = render_report(_run())
    assert text.startswith("# Benchmark 2026-12-01: mix-100rps\n")
    assert "./edu bench mix --rate 100 --duration 300s --scale full" in text
    assert "| offered | 125 tasks/s (about one request each) |" in text
    assert "| achieved | 100.0 RPS (80% of offered) |" in text
    assert "| p50 / p95 / p99 | 13 / 40 / 70 ms |" in text
    assert "| requests / errors | 1,000 / 2 (0.20%) |" in text
    assert "| ceiling (GET /health/live) | 400 RPS |" in text
    assert "| `pgbench -S` on the same PostgreSQL | 5000 TPS |" in text
    assert "achieved / server ceiling: 25.0%" in text
    assert "achieved / pgbench -S TPS: 2.0%" in text
    # Busiest endpoint first, the aggregate last; the method is not repeated.
    rows = [line for line in text.splitlines() if line.startswith("| GET /courses |")]
    assert rows == ["| GET /courses | 900 | 0 | 90.0 | 12 | 31 | 55 |"]
    assert text.index("| GET /courses |") < text.index("| POST /enrollments |")
    assert "| **all** | 1,000 | 2 | 100.0 | 13 | 40 | 70 |" in text
    # CPU: mean and max of one core, the share of both cores, the mean wait for a core
    # (n/a where the sampler could not read it); the busiest first.
    assert "| course | 90 | 100 | 45% | 40 |" in text
    assert "| postgresql | 25 | 30 | 12% | n/a |" in text
    assert text.index("| course | 90") < text.index("| postgresql |")
    assert "| course | 10 | 2.5 / 4 | 75.0% | 5 | 7 | 2 | 0.25 (0.05) | 12 |" in text
    assert "![RPS over time](2026-12-01-mix-100rps/rps.png)" in text
    assert "![CPU over time](2026-12-01-mix-100rps/cpu.png)" in text
    assert "| enrollment-courses | n/a | n/a | n/a | n/a | 12 |" in text
    assert "- a note" in text


def test_a_run_without_ceilings_says_so() -> None:
    text = render_report(_run(ceiling_rps=None, pgbench_tps=None, services={}))
    assert "| `pgbench -S` on the same PostgreSQL | n/a TPS |" in text
    assert "- no ceiling was measured in this run" in text
    assert "achieved / server ceiling" not in text
    assert "## Service metrics" not in text
    text = render_report(_run(consumer_pending_max={}))
    assert "## Event lag" not in text


def test_charts_are_written_beside_the_report(tmp_path: Path) -> None:
    written = write_charts(_run(), tmp_path)
    assert sorted(p.name for p in written) == ["cpu.png", "p99.png", "rps.png"]
    for path in written:
        assert path.parent == tmp_path / "2026-12-01-mix-100rps"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_history_written_keeps_the_whole_run_per_second(tmp_path: Path) -> None:
    _, raw = write_report(_run(), tmp_path, "2026-12-01-mix-100rps", "stats", HISTORY)
    kept = (raw / "locust_stats_history.csv").read_text()
    assert "GET /courses" not in kept
    assert kept.splitlines()[0] == HISTORY.splitlines()[0]
    assert parse_history(kept) == parse_history(HISTORY)
    assert (raw / "locust_stats.csv").read_text() == "stats"


def test_metrics_pages_are_summed_and_summarised() -> None:
    first = read_metrics(METRICS_PAGE)
    assert first == {
        "cache_hit": 45.0,
        "cache_miss": 5.0,
        "events_published_total": 5.0,
        "db_pool_size": 10.0,
        "db_pool_in_use": 3.0,
        "lag_bucket|course-enrollments|0.1": 2.0,
        "lag_bucket|course-enrollments|1.0": 4.0,
        "lag_bucket|course-enrollments|+Inf": 4.0,
        "lag_count|course-enrollments": 4.0,
        "gc_bucket|0.01": 3.0,
        "gc_bucket|+Inf": 4.0,
        "gc_pause_total": 0.31,
        "loop_lag_bucket|0.01": 90.0,
        "loop_lag_bucket|0.1": 100.0,
        "loop_lag_bucket|+Inf": 100.0,
    }
    later = dict(first, cache_hit=145.0, cache_miss=30.0, db_pool_in_use=7.0,
                 outbox_backlog=3.0)  # fmt: skip
    summary = summarize([first, later])
    assert summary.cache_hits == 100.0
    assert summary.cache_misses == 25.0
    assert summary.cache_hit_ratio == 0.8
    assert (summary.pool_in_use_max, summary.pool_in_use_mean) == (7.0, 5.0)
    assert summary.events_consumed is None
    assert summary.outbox_backlog_max == 3.0
    # Nothing paused between the two scrapes.
    assert (summary.gc_pause_s, summary.gc_pause_max_bucket_s) == (0.0, None)


def test_the_workers_pauses_are_the_change_over_the_run() -> None:
    first = read_metrics(METRICS_PAGE)
    later = dict(first)
    # 10 collections, all under 10 ms, 0.05 s in all; 1,000 loop samples, 20 late past 10 ms.
    later["gc_bucket|0.01"] += 10
    later["gc_bucket|+Inf"] += 10
    later["gc_pause_total"] += 0.05
    later["loop_lag_bucket|0.01"] += 980
    later["loop_lag_bucket|0.1"] += 1000
    later["loop_lag_bucket|+Inf"] += 1000
    summary = summarize([first, later])
    assert summary.gc_pause_s == pytest.approx(0.05)
    assert summary.gc_pause_max_bucket_s == 0.01
    assert summary.loop_lag_p99_s == pytest.approx(0.055)


def test_event_lag_is_the_change_of_the_histogram_over_the_run() -> None:
    first = read_metrics(METRICS_PAGE)
    # 100 more events: 50 under 0.1 s, 40 more under 1 s, 10 later than that.
    later = dict(first)
    later["lag_bucket|course-enrollments|0.1"] += 50
    later["lag_bucket|course-enrollments|1.0"] += 90
    later["lag_bucket|course-enrollments|+Inf"] += 100
    later["lag_count|course-enrollments"] += 100
    lag = summarize([first, later]).event_lag["course-enrollments"]
    assert lag.handled == 100
    assert lag.p50_s == 0.1
    # The 99th event falls in the last bucket, past the highest finite bound.
    assert lag.p99_s == 1.0
    assert lag.max_bucket_s is None
    assert histogram_quantile(0.75, [(0.1, 50.0), (1.0, 100.0)]) == 0.55
    assert histogram_quantile(0.5, [(0.1, 0.0), (1.0, 0.0)]) is None


def test_the_report_shows_event_lag_per_consumer() -> None:
    metrics = ServiceMetrics(event_lag={"course-enrollments": EventLag(40, 0.05, 0.9, 1.0)})
    text = render_report(_run(services={"course": metrics}))
    assert "| course-enrollments | 40 | 0.05 | 0.90 | 1 | n/a |" in text
    assert "| enrollment-courses | n/a | n/a | n/a | n/a | 12 |" in text


def test_failures_are_reported_with_status_code_and_examples() -> None:
    log = FailureLog(examples_per_endpoint=2)
    body = '{"status": 404, "code": "not_found", "detail": "lesson not found"}'
    for n in range(3):
        code, detail = describe(404, body, "BadStatusCode(404)")
        log.add("POST /progress/lessons/{id}/complete", 404, code, detail, f"/progress/{n}")
    log.add("GET /courses", 0, *describe(0, "", "ConnectionRefusedError()"), "/courses")
    log.add("GET /courses", 502, *describe(502, "Bad Gateway", "BadStatusCode(502)"), "/courses")
    text = render_report(_run(failures=FailureLog.from_json(log.to_json())))
    assert "## Failures" in text
    assert "| POST /progress/lessons/{id}/complete | 3 | 404 not_found (3) |" in text
    assert "| GET /courses | 2 | 0 no_answer (1), 502 - (1) |" in text
    # The first answers in full, as many as asked per endpoint.
    examples = [line for line in text.splitlines() if line.startswith("- POST /progress")]
    assert examples == [
        "- POST /progress/lessons/{id}/complete: `/progress/0` 404 `not_found`: lesson not found",
        "- POST /progress/lessons/{id}/complete: `/progress/1` 404 `not_found`: lesson not found",
    ]
    assert "`/courses` 0 `no_answer`: ConnectionRefusedError()" in text
    assert "## Failures" not in render_report(_run())


def test_web_pages_have_a_table_of_their_own() -> None:
    page = EndpointStats("WEB /courses/{id}", "GET", 50, 1, 5.0, 40, 90, 150)
    endpoints, _ = parse_stats(STATS)
    text = render_report(_run(endpoints=[*endpoints, page]))
    web = text.index("## Web pages")
    assert text.index("| **all** |") < web < text.index("## CPU per process")
    assert "| /courses/{id} | 50 | 1 | 5.0 | 40 | 90 | 150 |" in text[web:]
    assert "WEB /courses/{id}" not in text
    assert "## Web pages" not in render_report(_run())


def test_the_report_shows_where_each_database_spent_its_time() -> None:
    columns = ", ".join(f"column_{i}" for i in range(20))
    long_query = (
        f"SELECT * FROM (SELECT {columns} FROM courses WHERE status = $1) AS c"  # noqa: S608 - a statement as text, never run
        + " WHERE c.title = $2" * 20
    )
    counted = {
        "course": DatabaseStatements(
            total_ms=30_000.0,
            calls=20_000,
            top=[
                Statement("SELECT count(*) FROM courses WHERE a = $1 OR b || c", 120, 24_000.0),
                Statement(long_query, 3_000, 6_000.0),
            ],
        ),
        "identity": DatabaseStatements(total_ms=600.0, calls=900),
    }
    text = render_report(_run(statements=counted))
    assert "## Database statements" in text
    # 300 s measured: 30 s of statements is a tenth of a core; the busiest database first.
    assert "| course | 20,000 | 30.0 | 10% of a core |" in text
    assert "| identity | 900 | 0.6 | 0% of a core |" in text
    assert text.index("| course | 20,000") < text.index("| identity | 900")
    # Pipes in a statement are escaped, a long one cut.
    escaped = "`SELECT count(*) FROM courses WHERE a = $1 OR b \\|\\| c`"
    assert f"| 24.0 | 80% | 120 | 200 | {escaped} |" in text
    # A long select list is left out, a long statement cut.
    shown = "SELECT * FROM (SELECT ... FROM courses WHERE status = $1) AS c"
    shown += " WHERE c.title = $2" * 20
    assert f"`{shown[:200]} ...`" in text
    assert "identity:" not in text
    assert "## Database statements" not in render_report(_run())
