"""The soak's logic on given input: what a failed request is recorded as, the error log read as
it grows, when a fault's errors stopped, when the stack recovered, the fault plan."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from edu_load.errors import RequestError, error_kind, read_errors, to_line
from edu_load.failures import describe
from edu_load.faults import (
    Fault,
    FaultOutcome,
    RecoveryWatch,
    attribute,
    errors_stopped,
    recovered,
)
from edu_load.soak import background_allowance, choose, plan


def _errors(*times: float, kind: str = "503 database_unavailable") -> list[RequestError]:
    return [RequestError(t, "GET /courses", kind) for t in times]


def test_a_failed_request_is_its_status_and_problem_code_or_its_transport_error() -> None:
    code, _ = describe(503, '{"code": "database_unavailable"}', "")
    assert error_kind(503, code, None) == "503 database_unavailable"
    code, _ = describe(500, "<html>", "RuntimeError()")
    assert error_kind(500, code, RuntimeError()) == "500 (no problem code)"
    code, _ = describe(0, "", "ConnectionRefusedError()")
    assert error_kind(0, code, ConnectionRefusedError()) == "transport ConnectionRefusedError"
    assert error_kind(None, "", None) == "transport no answer"


def test_the_error_log_is_read_from_where_the_last_read_stopped(tmp_path: Path) -> None:
    log = tmp_path / "errors.jsonl"
    assert read_errors(log) == ([], 0)
    first = RequestError(10.5, "POST /payments", "503 overloaded")
    log.write_text(to_line(first) + '{"t": 11, "name": "GET /cour')  # a line still being written
    found, offset = read_errors(log)
    assert found == [first]
    with log.open("a") as more:
        more.write('ses", "kind": "transport ConnectionResetError"}\n')
    found, offset = read_errors(log, offset)
    assert found == [RequestError(11.0, "GET /courses", "transport ConnectionResetError")]
    assert read_errors(log, offset) == ([], offset)


def test_errors_stop_at_the_last_one_before_a_quiet_window_after_the_part_is_back() -> None:
    errors = _errors(99.0, 101.0, 102.0, 104.0)  # 99: before the fault, not its own
    # Injected at 100, back at 103; the last error 104; 5 s quiet needed.
    assert errors_stopped(errors, 100.0, 103.0, now=108.9, quiet=5) is None
    assert errors_stopped(errors, 100.0, 103.0, now=109.0, quiet=5) == 104.0
    # No error at all: stopped at the injection, once quiet since the part came back.
    assert errors_stopped([], 100.0, 103.0, now=107.0, quiet=5) is None
    assert errors_stopped([], 100.0, 103.0, now=108.0, quiet=5) == 100.0
    # Errors that end before the part is back: the quiet window still starts at its return.
    assert errors_stopped(_errors(101.0), 100.0, 103.0, now=108.0, quiet=5) == 101.0


def test_a_background_rate_of_errors_does_not_hold_recovery_back() -> None:
    # A failure every 4 s goes on after the fault's burst: with one allowed per window of
    # 5 s the errors stop at the burst's end; with none allowed they never stop.
    burst = [100.0 + i * 0.1 for i in range(20)]
    background = [103.5 + 4 * i for i in range(20)]
    errors = _errors(*burst, *background)
    assert errors_stopped(errors, 100.0, 101.0, now=150.0, quiet=5, allowed=1) == burst[-1]
    assert errors_stopped(errors, 100.0, 101.0, now=150.0, quiet=5, allowed=0) is None


def test_recovery_is_the_later_of_ready_and_errors_stopped() -> None:
    assert recovered(None, 5.0) is None
    assert recovered(5.0, None) is None
    assert recovered(5.0, 7.0) == 7.0
    assert recovered(8.0, 7.0) == 8.0


def test_errors_are_counted_in_the_window_of_their_fault() -> None:
    outcome = FaultOutcome("postgresql restart", "", injected_at=100.0)
    errors = [
        *_errors(99.0, 100.5, 101.0),
        *_errors(102.0, kind="transport ConnectionRefusedError"),
        *_errors(130.0),  # the next fault's
    ]
    attribute(outcome, errors, until=120.0)
    assert outcome.errors == {"503 database_unavailable": 2, "transport ConnectionRefusedError": 1}
    assert outcome.error_count == 3
    assert outcome.error_names == {"GET /courses": 3}
    assert outcome.last_error_at == 102.0


class FakeTime:
    """A clock that moves only when the watch sleeps."""

    def __init__(self, now: float) -> None:
        self.now = now

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _readiness(ready_from: float, time: FakeTime) -> httpx.Client:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/health/ready"
        if time.now < ready_from:
            return httpx.Response(503, json={"status": "not ready"})
        return httpx.Response(200, json={"status": "ready"})

    return httpx.Client(transport=httpx.MockTransport(answer))


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime(100.0)


def test_the_watch_waits_for_readiness_and_for_the_errors_to_stop(fake_time: FakeTime) -> None:
    errors = _errors(100.2, 101.0, 104.5)
    watch = RecoveryWatch(["http://course", "http://payment"], lambda: errors, quiet=5,
                          interval=0.5, clock=fake_time.clock, sleep=fake_time.sleep)  # fmt: skip
    outcome = FaultOutcome("course sigterm", "", injected_at=100.0, restored_at=102.0)
    with _readiness(106.0, fake_time) as client:
        watch.follow(outcome, client)
    assert outcome.ready_at == 106.0
    assert outcome.recovered_at == 106.0  # ready came after the errors stopped (104.5)
    assert outcome.recovery_s == 6.0
    assert outcome.errors_stopped_at == 104.5
    assert fake_time.now >= 109.5  # the quiet window after the last error has passed
    assert outcome.note == ""


def test_the_watch_gives_up_after_its_timeout(fake_time: FakeTime) -> None:
    watch = RecoveryWatch(["http://course"], lambda: [], quiet=5, timeout=30, interval=1,
                          clock=fake_time.clock, sleep=fake_time.sleep)  # fmt: skip
    outcome = FaultOutcome("postgresql sigkill", "", injected_at=100.0, restored_at=100.0)
    with _readiness(10_000.0, fake_time) as client:
        watch.follow(outcome, client)
    assert outcome.recovered_at is None
    assert outcome.recovery_s is None
    assert outcome.note == "not recovered within 30 s"


def test_faults_are_spread_over_the_run_after_the_warmup() -> None:
    assert plan(1000.0, 30, 630, 5) == [1030.0, 1150.0, 1270.0, 1390.0, 1510.0]
    assert plan(1000.0, 30, 630, 0) == []


def test_the_background_allowance_is_the_rate_before_the_first_fault() -> None:
    errors = _errors(1.0, 5.0, 9.0, 15.0, 50.0)  # 50: after the first fault
    assert background_allowance(errors, 0.0, 20.0, quiet=10) == 2
    assert background_allowance(errors, 0.0, 20.0, quiet=4) == 0
    assert background_allowance([], 0.0, 20.0, quiet=10) == 0
    assert background_allowance(errors, 20.0, 20.0, quiet=10) == 0


def test_faults_are_chosen_by_number_and_a_wrong_number_is_refused() -> None:
    faults = [Fault(name, "", lambda: None) for name in ("one", "two", "three")]
    assert choose(faults, "") == faults
    assert [f.name for f in choose(faults, "3,1")] == ["three", "one"]
    for wrong in ("4", "0", "two", ","):
        with pytest.raises(ValueError, match=r"numbers from 1 to 3 \(1 one; 2 two; 3 three\)"):
            choose(faults, wrong)
