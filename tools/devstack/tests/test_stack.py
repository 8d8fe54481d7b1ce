"""`edu up --detach` brings the platform up on free ports, the learning loop runs on it over
HTTP, `edu down` leaves nothing running."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from edu_devstack.processes import port_free
from edu_devstack.services import COMPONENTS, installed
from edu_devstack.testing import stack_on_free_ports

pytestmark = [pytest.mark.stack, pytest.mark.timeout(240)]

NAMES = [component.name for component in COMPONENTS]


def test_up_runs_the_learning_loop_and_down_stops_everything() -> None:
    started = [name for name in NAMES if installed(name)]
    with stack_on_free_ports("edu-stack-") as stack:
        up = stack.edu("up", "--detach", timeout=150)
        assert up.returncode == 0, up.stdout + up.stderr
        assert "ready in" in up.stdout

        with httpx.Client(timeout=10) as client:
            for name in started:
                assert client.get(f"{stack.url(name)}/health/ready").status_code == 200
            if "identity" in started:
                resp = client.post(
                    f"{stack.url('identity')}/login",
                    json={"email": "admin@eduplatform.com", "password": "password123"},
                )
                assert resp.status_code == 200, resp.text
            if set(started) >= set(NAMES):
                _learning_loop(client, {name: stack.ports[name.upper()] for name in started})

        status = stack.edu("status")
        assert status.returncode == 0
        assert "postgresql     running" in status.stdout

        down = stack.edu("down")
        assert down.returncode == 0, down.stdout + down.stderr
        closed = {name: port_free(port) for name, port in stack.ports.items()}
        assert all(closed.values()), f"still listening: {[n for n, ok in closed.items() if not ok]}"
        assert not list((stack.data / "run").glob("*.pid")), "pid files left behind"
        assert not (stack.data / "postgres" / "pgdata" / "postmaster.pid").exists()


def _eventually(check: Callable[[], Any], what: str, timeout: float = 15) -> Any:
    """Polls `check` until it returns something truthy: events cross services on their own."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _learning_loop(client: httpx.Client, ports: dict[str, int]) -> None:
    """The learning loop of the product over HTTP, a free and a paid course, with the
    enrollment of the paid one and every notification arriving by themselves."""
    url = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    tag = uuid.uuid4().hex[:8]

    def auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def register(role: str) -> dict[str, Any]:
        body = {
            "email": f"{role}-{tag}@example.com",
            "password": "correct-horse-1",
            "name": f"{role.title()} {tag}",
            "role": role,
        }
        resp = client.post(f"{url['identity']}/register", json=body)
        assert resp.status_code == 201, resp.text
        registered: dict[str, Any] = resp.json()
        return registered

    teacher, student = register("teacher"), register("student")
    admin = client.post(
        f"{url['identity']}/login",
        json={"email": "admin@eduplatform.com", "password": "password123"},
    ).json()["access_token"]
    resp = client.patch(
        f"{url['identity']}/admin/users/{teacher['user']['id']}/verify", headers=auth(admin)
    )
    assert resp.status_code == 200, resp.text
    resp = client.post(
        f"{url['identity']}/refresh", json={"refresh_token": teacher["refresh_token"]}
    )
    assert resp.status_code == 200, resp.text
    t, s = auth(resp.json()["access_token"]), auth(student["access_token"])

    def course_with_lessons(title: str, price_cents: int, lessons: int) -> tuple[str, list[str]]:
        resp = client.post(
            f"{url['course']}/courses",
            json={
                "title": title,
                "description": "Loops, functions and a small project.",
                "level": "beginner",
                "price_cents": price_cents,
            },
            headers=t,
        )
        assert resp.status_code == 201, resp.text
        course_id = resp.json()["id"]
        resp = client.post(
            f"{url['course']}/courses/{course_id}/modules", json={"title": "Basics"}, headers=t
        )
        assert resp.status_code == 201, resp.text
        module_id = resp.json()["id"]
        lesson_ids = []
        for n in range(lessons):
            resp = client.post(
                f"{url['course']}/modules/{module_id}/lessons",
                json={"title": f"Lesson {n + 1}", "content": "# Hello\n\nText."},
                headers=t,
            )
            assert resp.status_code == 201, resp.text
            lesson_ids.append(resp.json()["id"])
        return course_id, lesson_ids

    free_id, free_lessons = course_with_lessons(f"Loop free {tag}", 0, 1)
    paid_id, paid_lessons = course_with_lessons(f"Loop paid {tag}", 1999, 2)

    found = client.get(f"{url['course']}/courses", params={"q": f"loop {tag}"}).json()["items"]
    assert {free_id, paid_id} <= {item["id"] for item in found}

    def post_once_known(base: str, path: str, body: dict[str, Any], unknown: int) -> httpx.Response:
        """POSTs until the answer is not `unknown`: the service learns of new courses and
        enrollments from events, a moment after the write."""
        responses: list[httpx.Response] = []

        def attempt() -> bool:
            responses.append(client.post(f"{base}{path}", json=body, headers=s))
            return responses[-1].status_code != unknown

        _eventually(attempt, f"{path} to answer other than {unknown}")
        return responses[-1]

    # Free course: enroll, finish the only lesson, review.
    resp = post_once_known(url["enrollment"], "/enrollments", {"course_id": free_id}, 404)
    assert resp.status_code == 201, resp.text
    complete = f"{url['enrollment']}/progress/lessons/{{}}/complete"
    resp = client.post(complete.format(free_lessons[0]), headers=s)
    assert resp.status_code == 200, resp.text
    assert resp.json()["percent"] == 100
    review = {"course_id": free_id, "rating": 5, "comment": "Clear"}
    resp = post_once_known(url["course"], "/reviews", review, 403)
    assert resp.status_code == 201, resp.text

    # Paid course: refused until paid; paying enrolls by itself, once. The amount is the
    # course's price whatever the client sends.
    resp = client.post(f"{url['enrollment']}/enrollments", json={"course_id": paid_id}, headers=s)
    assert resp.status_code == 402, resp.text
    payment = {"course_id": paid_id, "amount_cents": 1}
    resp = post_once_known(url["payment"], "/payments", payment, 404)
    assert resp.status_code == 201, resp.text
    assert resp.json()["amount_cents"] == 1999

    def enrolled_in_paid() -> bool:
        items = client.get(f"{url['enrollment']}/enrollments/me", headers=s).json()["items"]
        return [i["course_id"] for i in items].count(paid_id) == 1

    _eventually(enrolled_in_paid, "the payment to enroll the student")
    resp = client.post(f"{url['enrollment']}/enrollments", json={"course_id": paid_id}, headers=s)
    assert resp.status_code == 409, resp.text
    assert resp.json()["code"] == "already_enrolled"
    for lesson_id in paid_lessons:
        resp = client.post(complete.format(lesson_id), headers=s)
        assert resp.status_code == 200, resp.text
    assert resp.json()["percent"] == 100

    def notifications(headers: dict[str, str]) -> list[str]:
        items = client.get(f"{url['notification']}/notifications/me", headers=headers).json()[
            "items"
        ]
        return sorted(i["type"] for i in items)

    twice = ["enrollment_confirmed", "course_completed"]
    expected = sorted(["welcome", "payment_receipt", *twice, *twice])
    _eventually(lambda: notifications(s) == expected, f"the student's notifications {expected}")
    _eventually(lambda: "teacher_verified" in notifications(t), "the teacher's notification")
