"""The Grafana dashboard and the Prometheus configuration in deploy/ match what the services
export: every metric a dashboard query uses is in a service's /metrics once it has served a
request, published an event and consumed one."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

from edu_common.events.contracts import TeacherVerified
from edu_devstack.services import COMPONENTS
from edu_devstack.settings import find_root
from edu_devstack.testing import RunningService, Tokens
from edu_devstack.testing.polling import Eventually

DEPLOY = find_root(Path(__file__).parent) / "deploy"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "eduplatform.json"

# What the dashboard must show: rate, errors and latency, pool, cache, events and their lag,
# the workers' pauses.
EXPECTED = {
    "http_requests_total",
    "http_request_duration_seconds_bucket",
    "db_pool_size",
    "db_pool_in_use",
    "cache_requests_total",
    "events_published_total",
    "events_consumed_total",
    "outbox_backlog_events",
    "outbox_oldest_age_seconds",
    "event_consumer_pending",
    "event_handling_lag_seconds_bucket",
    "event_loop_lag_seconds_bucket",
    "python_gc_pause_seconds_sum",
}

_PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool"}
_PROMQL_WORDS |= {"and", "or", "unless", "offset", "inf", "nan"}


def dashboard_expressions(dashboard: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(panels: list[dict[str, Any]]) -> None:
        for panel in panels:
            found.extend(t["expr"] for t in panel.get("targets", []) if t.get("expr"))
            walk(panel.get("panels", []))

    walk(dashboard["panels"])
    return found


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects: identifiers that are not functions,
    keywords, label names or grouping labels."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings (label values)
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    # A whole word (not the tail of a number such as 5m), not followed by "(" (a function).
    for match in re.finditer(r"(?<![\w.:])[A-Za-z_:][A-Za-z0-9_:]*(?![\w:])(?!\s*\()", text):
        if match.group(0).lower() not in _PROMQL_WORDS:
            names.add(match.group(0))
    return names


def exported(metrics: str, name: str) -> bool:
    """True when the exposition has at least one sample of `name`."""
    return re.search(rf"^{re.escape(name)}(?:{{| )", metrics, re.M) is not None


def test_metric_names_are_read_from_promql() -> None:
    expr = (
        'histogram_quantile(0.95, sum by (job, le) (rate(x_bucket{job=~"$job",a="b(c)"}[5m])))'
        " / on (job) group_left sum without (route) (y_total offset 5m) > bool 0"
    )
    assert metric_names(expr) == {"x_bucket", "y_total"}


def test_prometheus_scrapes_every_service_and_the_web_app() -> None:
    config = (DEPLOY / "prometheus.yml").read_text()
    targets = set(re.findall(r'"127\.0\.0\.1:(\d+)"', config))
    assert targets == {str(c.default_port) for c in COMPONENTS}
    assert "3001" in targets
    jobs = set(re.findall(r"^\s*- job_name: (\S+)$", config, re.M))
    assert jobs == {c.name for c in COMPONENTS}


async def test_every_metric_the_dashboard_uses_is_exported(
    sample: RunningService, tokens: Tokens, eventually: Eventually
) -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    used = set().union(*(metric_names(e) for e in dashboard_expressions(dashboard)))
    assert used == EXPECTED

    svc = sample
    _, student = tokens.student()
    created = await svc.client.post("/notes", json={"text": "hello"}, headers=student)
    assert created.status_code == 201
    note = created.json()["id"]
    for _ in range(2):  # a miss, then a hit
        assert (await svc.client.get(f"/notes/{note}/cached")).status_code == 200
    event = TeacherVerified(user_id=uuid.uuid4(), email="t@example.com", name="Ada")
    bus = svc.app.state.event_bus
    await bus.publish(event.subject, event.model_dump_json().encode(), msg_id=str(event.event_id))

    missing: list[set[str]] = []

    async def nothing_missing() -> bool:
        metrics = (await svc.client.get("/metrics")).text
        missing.append({name for name in used if not exported(metrics, name)})
        consumed = 'events_consumed_total{consumer="sample-teacher-verified",result="applied"}'
        return consumed in metrics and not missing[-1]

    try:
        await eventually(nothing_missing)
    except AssertionError:
        raise AssertionError(f"not exported: {sorted(missing[-1])}") from None
