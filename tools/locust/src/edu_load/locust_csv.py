"""Locust's CSV output (`--csv PREFIX`) read into the report's figures."""

from __future__ import annotations

import csv
import io

from edu_load.report import EndpointStats, Moment


def _number(value: str | None) -> float:
    try:
        return float(value) if value not in (None, "", "N/A") else 0.0
    except ValueError:
        return 0.0


def parse_stats(text: str) -> tuple[list[EndpointStats], EndpointStats]:
    """`PREFIX_stats.csv`: one row per endpoint, then the aggregate."""
    endpoints: list[EndpointStats] = []
    overall = EndpointStats("all", "", 0, 0, 0.0, 0.0, 0.0, 0.0)
    for row in csv.DictReader(io.StringIO(text)):
        stats = EndpointStats(
            name=row["Name"],
            method=row["Type"],
            requests=int(_number(row["Request Count"])),
            failures=int(_number(row["Failure Count"])),
            rps=_number(row["Requests/s"]),
            p50_ms=_number(row["50%"]),
            p95_ms=_number(row["95%"]),
            p99_ms=_number(row["99%"]),
        )
        if row["Name"] == "Aggregated":
            overall = stats
        else:
            endpoints.append(stats)
    return endpoints, overall


def parse_history(text: str, origin: float | None = None) -> list[Moment]:
    """`PREFIX_stats_history.csv`: the aggregate once a second, from `origin` (a Unix time),
    or from the first row's time."""
    moments: list[Moment] = []
    start: float | None = origin
    for row in csv.DictReader(io.StringIO(text)):
        if row["Name"] != "Aggregated":
            continue
        stamp = _number(row["Timestamp"])
        start = stamp if start is None else start
        moments.append(
            Moment(
                t=stamp - start,
                rps=_number(row["Requests/s"]),
                failures_per_s=_number(row["Failures/s"]),
                p50_ms=_number(row["50%"]),
                p99_ms=_number(row["99%"]),
            )
        )
    return moments
