"""The seeds' load mix against a seeded stack: StudentUser 70%, SearchUser 20%, TeacherUser 10%;
and WebVisitor, who reads the web app's catalog, course and lesson pages (`edu bench web`).

    locust -f tools/locust/src/edu_load/locustfile.py --headless -u 200 -r 20 -t 5m

Every user logs in once as a seeded account (`edu seed`) and then runs its tasks at a fixed
rate (`constant_throughput`), so the offered load does not drop when the platform slows down:
give it enough users that each one idles between tasks. Where each service answers, how many
seeded accounts there are and the rate per user come from the environment:

    EDU_LOAD_<SERVICE>_URL   e.g. EDU_LOAD_COURSE_URL (default http://127.0.0.1:800N)
    EDU_LOAD_SCALE           small or full: which seeded accounts exist (default small)
    EDU_LOAD_USER_RATE       tasks per second per user (default 1)
    EDU_LOAD_FAILURES        a file to write the failed answers to when locust quits (JSON,
                             `edu_load.failures`: status and problem code per endpoint)
    EDU_LOAD_ERROR_LOG       a file to append every failed request to, with its time and
                             kind (`edu soak` reads it to tell the errors of each fault)
    EDU_LOAD_WARMUP_S        seconds of load after the ramp whose statistics are dropped too
                             (`edu bench --warmup`), so that they describe the steady state

Answers a real client expects are successes: 409 `already_enrolled` when enrolling in a
course one is enrolled in, 409 `already_paid` when paying twice. A user whose login failed
logs in again before its next authenticated request.
"""

from __future__ import annotations

import itertools
import os
import random
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import gevent
from edu_seed.catalog_text import EN_TOPICS, RU_TOPICS
from edu_seed.scale import SCALES, SEED_PASSWORD, student_email, teacher_email
from locust import FastHttpUser, constant_throughput, events, task
from locust.env import Environment

from edu_load.errors import RequestError, error_kind, to_line
from edu_load.failures import FailureLog, describe
from edu_load.keepalive import keep_connections

SERVICE_PORTS = {"identity": 8001, "course": 8002, "enrollment": 8003, "payment": 8004,
                 "notification": 8005, "web": 3001}  # fmt: skip
URL = {
    name: os.environ.get(f"EDU_LOAD_{name.upper()}_URL", f"http://127.0.0.1:{port}")
    for name, port in SERVICE_PORTS.items()
}
SCALE = SCALES[os.environ.get("EDU_LOAD_SCALE", "small")]
USER_RATE = float(os.environ.get("EDU_LOAD_USER_RATE", "1"))
WARMUP_S = float(os.environ.get("EDU_LOAD_WARMUP_S", "0"))
LEVELS = ("beginner", "intermediate", "advanced")
SORTS = ("newest", "rating", "price_asc", "price_desc")
WORDS = sorted(
    {w.lower() for topic, _ in EN_TOPICS for w in topic.split() if len(w) > 2}
    | {w for topic in RU_TOPICS for w in topic[0].split() if len(w) > 3}
)

keep_connections()
FAILURES = FailureLog()
LOGIN_ATTEMPTS = 10

_numbers = {"student": itertools.count(1), "teacher": itertools.count(1)}
_lock = threading.Lock()


def _next_account(role: str, accounts: int) -> int:
    with _lock:
        return (next(_numbers[role]) - 1) % accounts + 1


def typo(word: str) -> str:
    """A word as people mistype it: two neighbouring letters swapped, or one dropped."""
    if len(word) < 4:
        return word
    i = random.randrange(1, len(word) - 2)
    if random.random() < 0.5:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i + 1 :]


class PlatformUser(FastHttpUser):
    """A seeded account: logs in once, keeps its token fresh, remembers catalog ids it saw."""

    abstract = True
    host = URL["course"]
    wait_time = constant_throughput(USER_RATE)
    role = "student"

    def on_start(self) -> None:
        accounts = SCALE.students if self.role == "student" else SCALE.teachers
        number = _next_account(self.role, accounts)
        self.email = student_email(number) if self.role == "student" else teacher_email(number)
        self.free: list[str] = []
        self.paid: list[str] = []
        self.categories: list[str] = []
        self._login()
        self._catalog()

    def _login(self) -> None:
        # Identity hashes each password (argon2, by design slow): while many users start at
        # once it answers some with 503 or 429 and Retry-After, and a client tries again then.
        for attempt in range(1, LOGIN_ATTEMPTS + 1):
            with self.client.post(
                f"{URL['identity']}/login",
                json={"email": self.email, "password": SEED_PASSWORD},
                name="POST /login",
                catch_response=True,
            ) as resp:
                retry = resp.status_code in (429, 503) and attempt < LOGIN_ATTEMPTS
                if resp.status_code == 200 or retry:
                    resp.success()
                else:
                    resp.failure(f"login {self.email}: {resp.status_code} {resp.text[:200]}")
                    self.headers: dict[str, str] = {}
                    self.expires = float("inf")
                    return
            if not retry:
                break
            time.sleep(_retry_after(resp) * random.uniform(1, 2))
        body = resp.json()
        self.headers = {"Authorization": f"Bearer {body['access_token']}"}
        self.refresh_token = body["refresh_token"]
        self.expires = time.monotonic() + body["expires_in"] - 60

    def auth(self) -> dict[str, str]:
        if not self.headers:
            # The login failed (a 503 while the platform was busy or down): log in again, as
            # a client told `Retry-After` would, rather than send every request unauthorized.
            self._login()
            return self.headers
        if time.monotonic() > self.expires:
            resp = self.client.post(
                f"{URL['identity']}/refresh",
                json={"refresh_token": self.refresh_token},
                name="POST /refresh",
            )
            if resp.status_code == 200:
                body = resp.json()
                self.headers = {"Authorization": f"Bearer {body['access_token']}"}
                self.refresh_token = body["refresh_token"]
                self.expires = time.monotonic() + body["expires_in"] - 60
        return self.headers

    def _catalog(self) -> None:
        categories = self.client.get(f"{URL['course']}/categories", name="GET /categories")
        if categories.status_code == 200:
            self.categories = [c["id"] for c in categories.json()]
        for is_free, into in (("true", self.free), ("false", self.paid)):
            sort = random.choice(SORTS)
            resp = self.client.get(
                f"{URL['course']}/courses?is_free={is_free}&sort={sort}&limit=50",
                name="GET /courses?filters",
            )
            if resp.status_code == 200:
                into.extend(item["id"] for item in resp.json()["items"])

    def any_course(self) -> str:
        return random.choice(self.free + self.paid)

    def catalog_query(self) -> str:
        params = []
        if self.categories and random.random() < 0.5:
            params.append(f"category_id={random.choice(self.categories)}")
        if random.random() < 0.3:
            params.append(f"level={random.choice(LEVELS)}")
        if random.random() < 0.2:
            params.append(f"is_free={random.choice(['true', 'false'])}")
        if random.random() < 0.5:
            params.append(f"sort={random.choice(SORTS)}")
        return "&".join([*params, "limit=20"])


class StudentUser(PlatformUser):
    """Browses and filters the catalog, opens courses and curricula, reads and completes
    lessons, enrolls in free courses, buys paid ones, checks notifications and my learning."""

    weight = 70

    def on_start(self) -> None:
        super().on_start()
        self.enrolled: list[str] = []
        self.lessons: dict[str, list[str]] = {}
        self.my_learning()

    @task(8)
    def my_learning(self) -> None:
        resp = self.client.get(
            f"{URL['enrollment']}/enrollments/me?limit=50",
            headers=self.auth(),
            name="GET /enrollments/me",
        )
        if resp.status_code == 200:
            self.enrolled = [item["course_id"] for item in resp.json()["items"]]

    @task(20)
    def browse(self) -> None:
        self.client.get(f"{URL['course']}/courses?{self.catalog_query()}", name="GET /courses")

    @task(20)
    def open_course(self) -> None:
        self.client.get(f"{URL['course']}/courses/{self.any_course()}", name="GET /courses/{id}")

    def curriculum(self, course_id: str) -> list[str]:
        resp = self.client.get(
            f"{URL['course']}/courses/{course_id}/curriculum", name="GET /courses/{id}/curriculum"
        )
        if resp.status_code != 200:
            return []
        return [lesson["id"] for m in resp.json()["modules"] for lesson in m["lessons"]]

    @task(10)
    def open_curriculum(self) -> None:
        course_id = random.choice(self.enrolled) if self.enrolled else self.any_course()
        lessons = self.curriculum(course_id)
        if course_id in self.enrolled and lessons:
            self.lessons[course_id] = lessons

    @task(15)
    def read_lesson(self) -> None:
        if not self.lessons:
            # Nothing opened yet: a free course's lessons are open to everyone.
            if not self.free:
                return
            course_id = random.choice(self.free)
            lessons = self.curriculum(course_id)
            if lessons:
                self.lessons[course_id] = lessons
            return
        lesson = random.choice(self.lessons[random.choice(list(self.lessons))])
        self.client.get(
            f"{URL['course']}/lessons/{lesson}", headers=self.auth(), name="GET /lessons/{id}"
        )

    @task(5)
    def complete_lesson(self) -> None:
        opened = [c for c in self.enrolled if c in self.lessons]
        if not opened:
            return
        course_id = random.choice(opened)
        lesson = random.choice(self.lessons[course_id])
        self.client.post(
            f"{URL['enrollment']}/progress/lessons/{lesson}/complete",
            headers=self.auth(),
            name="POST /progress/lessons/{id}/complete",
        )

    @task(5)
    def progress(self) -> None:
        if not self.enrolled:
            return
        self.client.get(
            f"{URL['enrollment']}/progress/courses/{random.choice(self.enrolled)}",
            headers=self.auth(),
            name="GET /progress/courses/{id}",
        )

    @task(8)
    def notifications(self) -> None:
        self.client.get(
            f"{URL['notification']}/notifications/me?limit=20",
            headers=self.auth(),
            name="GET /notifications/me",
        )

    @task(2)
    def enroll_free(self) -> None:
        candidates = [c for c in self.free if c not in self.enrolled]
        if not candidates:
            return
        course_id = random.choice(candidates)
        with self.client.post(
            f"{URL['enrollment']}/enrollments",
            json={"course_id": course_id},
            headers=self.auth(),
            name="POST /enrollments",
            catch_response=True,
        ) as resp:
            if resp.status_code in (201, 409) and _code(resp) in (None, "already_enrolled"):
                resp.success()
                self.enrolled.append(course_id)
            else:
                resp.failure(f"{resp.status_code} {resp.text[:200]}")

    @task(1)
    def buy_paid(self) -> None:
        candidates = [c for c in self.paid if c not in self.enrolled]
        if not candidates:
            return
        with self.client.post(
            f"{URL['payment']}/payments",
            json={"course_id": random.choice(candidates)},
            headers=self.auth(),
            name="POST /payments",
            catch_response=True,
        ) as resp:
            # The enrollment follows by an event; `my_learning` picks it up later.
            if resp.status_code == 201 or _code(resp) == "already_paid":
                resp.success()
            else:
                resp.failure(f"{resp.status_code} {resp.text[:200]}")


class SearchUser(PlatformUser):
    """Searches with real words from titles, typos of them, and filters."""

    weight = 20

    @task(6)
    def search(self) -> None:
        query = " ".join(random.sample(WORDS, random.choice([1, 1, 2])))
        self.client.get(f"{URL['course']}/courses?q={query}&limit=20", name="GET /courses?q")

    @task(3)
    def search_typo(self) -> None:
        self.client.get(
            f"{URL['course']}/courses?q={typo(random.choice(WORDS))}&limit=20",
            name="GET /courses?q (typo)",
        )

    @task(3)
    def search_filtered(self) -> None:
        self.client.get(
            f"{URL['course']}/courses?q={random.choice(WORDS)}&{self.catalog_query()}",
            name="GET /courses?q&filters",
        )


class TeacherUser(PlatformUser):
    """Looks at their courses, edits one, adds lessons."""

    weight = 10
    role = "teacher"

    def on_start(self) -> None:
        super().on_start()
        self.mine: list[str] = []
        self.modules: dict[str, list[str]] = {}
        self.my_courses()

    @task(5)
    def my_courses(self) -> None:
        resp = self.client.get(
            f"{URL['course']}/courses/my?limit=20", headers=self.auth(), name="GET /courses/my"
        )
        if resp.status_code == 200:
            self.mine = [item["id"] for item in resp.json()["items"]]

    @task(2)
    def edit_course(self) -> None:
        if not self.mine:
            return
        self.client.put(
            f"{URL['course']}/courses/{random.choice(self.mine)}",
            json={"description": f"Updated outline, revision {random.randint(1, 10**6)}."},
            headers=self.auth(),
            name="PUT /courses/{id}",
        )

    @task(1)
    def add_lesson(self) -> None:
        if not self.mine:
            return
        course_id = random.choice(self.mine)
        if course_id not in self.modules:
            resp = self.client.get(
                f"{URL['course']}/courses/{course_id}/curriculum",
                name="GET /courses/{id}/curriculum",
            )
            if resp.status_code != 200:
                return
            self.modules[course_id] = [m["id"] for m in resp.json()["modules"]]
        if not self.modules[course_id]:
            return
        self.client.post(
            f"{URL['course']}/modules/{random.choice(self.modules[course_id])}/lessons",
            json={"title": "A new lesson", "content": "## Notes\n\nWhat we add this week."},
            headers=self.auth(),
            name="POST /modules/{id}/lessons",
        )


# EDU_LOAD_ERROR_LOG (`edu soak`): every failure also as a timed line, followed while it runs.
_error_log_path = os.environ.get("EDU_LOAD_ERROR_LOG")
_error_log = open(_error_log_path, "a", buffering=1) if _error_log_path else None  # noqa: SIM115 - open for the whole run


@events.request.add_listener  # type: ignore[untyped-decorator]
def _record_failure(
    name: str, response: Any, exception: BaseException | None, url: str | None = None, **_: Any
) -> None:
    """The one record of a failed request: per endpoint for the bench report, and as a timed
    line for the soak's attribution to faults."""
    if exception is None:
        return
    status = int(getattr(response, "status_code", 0) or 0)
    try:
        body = response.text or "" if status else ""
    except Exception:  # an answer that never arrived has no text
        body = ""
    code, detail = describe(status, body, repr(exception))
    parts = urlsplit(url or "")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    FAILURES.add(name, status, code, detail, path)
    if _error_log is not None:
        # When the client was told: a request may fail long after it started.
        kind = error_kind(status, code, exception)
        _error_log.write(to_line(RequestError(time.time(), name, kind)))


_environment: Environment | None = None


@events.init.add_listener  # type: ignore[untyped-decorator]
def _keep_environment(environment: Environment, **_: Any) -> None:
    global _environment
    _environment = environment


def _start_measuring() -> None:
    """Statistics and failures start over: what came before was the ramp (and the warm-up)."""
    if _environment is not None and _environment.runner is not None:
        _environment.runner.stats.reset_all()
    FAILURES.clear()


@events.spawning_complete.add_listener  # type: ignore[untyped-decorator]
def _after_the_ramp(**_: Any) -> None:
    # With --reset-stats the statistics start over when the ramp ends: so do the failures;
    # after a warm-up, both once more.
    FAILURES.clear()
    if WARMUP_S > 0:
        gevent.spawn_later(WARMUP_S, _start_measuring)


@events.quitting.add_listener  # type: ignore[untyped-decorator]
def _write_failures(**_: Any) -> None:
    target = os.environ.get("EDU_LOAD_FAILURES")
    if target:
        Path(target).write_text(FAILURES.to_json())


class WebVisitor(FastHttpUser):
    """Someone browsing the web app without signing in: the catalog (searched or filtered), a
    course's page, a free course's lessons. Page names start with `WEB `, so a report lists
    them apart from the API."""

    weight = 10
    host = URL["web"]
    wait_time = constant_throughput(USER_RATE)

    def on_start(self) -> None:
        self.courses: list[str] = []
        self.lessons: list[str] = []
        resp = self.client.get(
            f"{URL['course']}/courses?is_free=true&sort={random.choice(SORTS)}&limit=50",
            name="GET /courses?filters",
        )
        if resp.status_code == 200:
            self.courses = [item["id"] for item in resp.json()["items"]]
        for course_id in random.sample(self.courses, min(3, len(self.courses))):
            outline = self.client.get(
                f"{URL['course']}/courses/{course_id}/curriculum",
                name="GET /courses/{id}/curriculum",
            )
            if outline.status_code == 200:
                self.lessons += [ls["id"] for m in outline.json()["modules"] for ls in m["lessons"]]

    @task(4)
    def catalog(self) -> None:
        query = random.choice([f"q={random.choice(WORDS)}", f"level={random.choice(LEVELS)}", ""])
        self.client.get(f"{URL['web']}/?{query}", name="WEB / (catalog)")

    @task(3)
    def course_page(self) -> None:
        if self.courses:
            course = random.choice(self.courses)
            self.client.get(f"{URL['web']}/courses/{course}", name="WEB /courses/{id}")

    @task(3)
    def lesson_page(self) -> None:
        if self.lessons:
            lesson = random.choice(self.lessons)
            self.client.get(f"{URL['web']}/lessons/{lesson}", name="WEB /lessons/{id}")


def _retry_after(resp: Any) -> float:
    """Seconds to wait before trying again, as the answer asks (1 when it does not say)."""
    try:
        return max(0.1, min(float(resp.headers.get("Retry-After") or 1), 10.0))
    except ValueError:
        return 1.0


def _code(resp: Any) -> str | None:
    """The problem detail's `code` of an error answer, if it has one."""
    try:
        body = resp.json()
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None
