"""Script payloads through every user text field, on the platform `edu up` starts: names,
course title and description, module and lesson titles, lesson markdown, review comment,
notification title and body. The API keeps plain text free of markup (lesson markdown as
written, its HTML sanitized); the web app's pages, fetched and parsed, hold no element or
attribute a payload brought, and a template expression is shown, not evaluated."""

from __future__ import annotations

import re
import time
import uuid
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.stack, pytest.mark.timeout(600)]

CORPUS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle r=1></svg>",
    '"><script>alert(document.cookie)</script>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    '<iframe src="javascript:alert(1)"></iframe>',
    "<body onload=alert(1)>",
    '<math><mi xlink:href="javascript:alert(1)">m</mi></math>',
    "<details open ontoggle=alert(1)>",
    "{{7*7}} ${7*7} {% raw %}#{7*7}",
]
# Lesson markdown: kept as written, rendered to sanitized HTML.
MARKDOWN = "\n\n".join(
    [
        "# Lesson {{7*7}}",
        "[click](javascript:alert(1)) and [data](data:text/html;base64,PHNjcmlwdD4=)",
        '![img](x" onerror="alert(1))',
        *CORPUS,
    ]
)
# What no page may hold, whoever wrote the text in it.
EXECUTABLE_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "base", "frame"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def executable_parts(html: str) -> list[str]:
    """Every element or attribute of the page that could run script, except our own
    scripts (served from /static/)."""
    parser = _Elements()
    parser.feed(html)
    bad = []
    for tag, attrs in parser.found:
        values = dict(attrs)
        if tag == "script" and str(values.get("src") or "").startswith("/static/"):
            continue
        if tag in EXECUTABLE_TAGS:
            bad.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                bad.append(f"<{tag} {name}>")
            cleaned = re.sub(r"[\s\x00-\x1f]", "", str(value or "")).lower()
            if name in URL_ATTRIBUTES and cleaned.startswith(
                ("javascript:", "data:text", "vbscript:")
            ):
                bad.append(f"<{tag} {name}={value}>")
    return bad


def no_markup(text: str) -> bool:
    """Plain text as stored: no tag could open in it."""
    return re.search(r"<[a-zA-Z!/?]", text) is None


def _wait(check: Any, what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.2)


def test_payloads_in_every_text_field_stay_text(live_stack: Any) -> None:
    stack = live_stack.stack
    teacher, admin = live_stack.headers["teacher"], live_stack.headers["admin"]
    with (
        httpx.Client(base_url=stack.url("identity"), timeout=30) as identity,
        httpx.Client(base_url=stack.url("course"), timeout=30) as course,
        httpx.Client(base_url=stack.url("enrollment"), timeout=30) as enrollment,
        httpx.Client(base_url=stack.url("notification"), timeout=30) as notification,
        httpx.Client(base_url=stack.url("web"), timeout=30) as web,
    ):
        # A student whose name is a payload: it shows as the author of a review.
        email = f"xss-{uuid.uuid4().hex[:8]}@example.com"
        password = f"pw-{uuid.uuid4().hex}"
        r = identity.post(
            "/register",
            json={
                "email": email,
                "password": password,
                "name": f"Ann {CORPUS[1]}",
                "role": "student",
            },
        )
        assert r.status_code == 201, r.text
        assert no_markup(r.json()["user"]["name"]), r.json()["user"]["name"]
        student = {"Authorization": f"Bearer {r.json()['access_token']}"}
        student_id = r.json()["user"]["id"]

        courses = []
        for payload in CORPUS:
            r = course.post(
                "/courses",
                json={
                    "title": f"Course {payload}"[:200],
                    "description": f"About {payload}\nand more {payload}",
                    "level": "beginner",
                    "price_cents": 0,
                },
                headers=teacher,
            )
            assert r.status_code == 201, r.text
            made = r.json()
            assert no_markup(made["title"]), made["title"]
            assert no_markup(made["description"]), made["description"]
            r = course.post(
                f"/courses/{made['id']}/modules", json={"title": f"M {payload}"}, headers=teacher
            )
            assert r.status_code == 201, r.text
            assert no_markup(r.json()["title"]), r.json()["title"]
            r = course.post(
                f"/modules/{r.json()['id']}/lessons",
                json={"title": f"L {payload}", "content": MARKDOWN, "is_preview": True},
                headers=teacher,
            )
            assert r.status_code == 201, r.text
            lesson = r.json()
            assert no_markup(lesson["title"]), lesson["title"]
            assert lesson["content"] == MARKDOWN  # markdown is kept as written...
            assert executable_parts(lesson["content_html"]) == []  # ...its HTML is clean
            courses.append((made, lesson))
        # A template expression is text like any other: stored as typed.
        assert "{{7*7}}" in courses[-1][0]["title"]

        # The student reviews the first course, with a payload.
        first = courses[0][0]

        def enrolled() -> bool:
            resp = enrollment.post("/enrollments", json={"course_id": first["id"]}, headers=student)
            # 404 until enrollment hears of the new course.
            return resp.status_code == 201

        _wait(enrolled, "enrollment in a new course")

        def reviewed() -> httpx.Response | None:
            resp = course.post(
                "/reviews",
                json={"course_id": first["id"], "rating": 4, "comment": " ".join(CORPUS)},
                headers=student,
            )
            return resp if resp.status_code == 201 else None

        review = _wait(reviewed, "the review (course learns of the enrollment)")
        assert no_markup(review.json()["comment"]), review.json()["comment"]

        r = notification.post(
            "/notifications",
            json={
                "user_id": student_id,
                "type": "announcement",
                "title": f"Note {CORPUS[0]}",
                "body": " ".join(CORPUS),
            },
            headers=admin,
        )
        assert r.status_code == 201, r.text
        assert no_markup(r.json()["title"]), r.text
        assert no_markup(r.json()["body"]), r.text

        # The pages, signed in as the student.
        login = web.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert token, login.text[:300]
        r = web.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": token.group(1)},
            headers={"Origin": stack.url("web")},
        )
        assert r.status_code in (302, 303), r.text[:300]
        pages = [f"/courses/{made['id']}" for made, _ in courses]
        pages += [f"/lessons/{lesson['id']}" for _, lesson in courses]
        pages += ["/notifications", "/learning", "/?q=Course", "/?q=" + CORPUS[0]]
        found = {}
        for path in pages:
            r = web.get(path)
            assert r.status_code == 200, f"{path}: {r.status_code}"
            bad = executable_parts(r.text)
            if bad:
                found[path] = bad
        assert not found, found
        # Shown as typed, not evaluated by the templates.
        template_course = web.get(f"/courses/{courses[-1][0]['id']}").text
        assert "{{7*7}}" in template_course
        assert "${7*7}" in template_course
