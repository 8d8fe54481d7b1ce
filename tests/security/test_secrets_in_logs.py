"""No secret reaches a log: a whole journey on the platform `edu up` starts (register, verify
the email from the mailed link, log in, refresh, forgot and reset the password, sign in to the
web app, pay for a course, an admin verifying a teacher), then every service's and the web
app's log is read for each secret the journey handled.

The mock payment provider takes no card: the payment carries only the course id, so what a
payment could leak is the caller's token, which is looked for like every other."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from edu_devstack.mailsink import read_mails

pytestmark = [pytest.mark.stack, pytest.mark.timeout(600)]

DEMO_PASSWORD = "password123"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _wait(check: Any, what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.2)


def _mailed_token(mail_dir: Path, to: str, page: str) -> tuple[str, str]:
    """The link of the latest mail to `to` that points at `page`, and the token in it."""

    def link() -> str | None:
        for mail in reversed(read_mails(mail_dir)):
            if to in mail.data.get("to", []):
                for url in mail.links:
                    if urlsplit(url).path == page:
                        return url
        return None

    url = _wait(link, f"the {page} mail to {to}")
    return url, parse_qs(urlsplit(url).query)["token"][0]


def test_a_whole_journey_leaves_no_secret_in_any_log(live_stack: Any) -> None:
    stack = live_stack.stack
    mail_dir = stack.data / "mail"
    secrets: dict[str, str] = {"the demo password": DEMO_PASSWORD}
    for role, headers in live_stack.headers.items():
        secrets[f"the demo {role}'s access token"] = headers["Authorization"].split()[1]
    email = f"journey-{uuid.uuid4().hex[:8]}@example.com"
    first, second = f"first-{uuid.uuid4().hex}", f"second-{uuid.uuid4().hex}"
    secrets |= {"the first password": first, "the new password": second}

    with (
        httpx.Client(base_url=stack.url("identity"), timeout=30) as identity,
        httpx.Client(base_url=stack.url("course"), timeout=30) as course,
        httpx.Client(base_url=stack.url("payment"), timeout=30) as payment,
        httpx.Client(base_url=stack.url("web"), timeout=30) as web,
    ):

        def keep(tokens: dict[str, Any], when: str) -> dict[str, str]:
            secrets[f"the access token from {when}"] = tokens["access_token"]
            secrets[f"the refresh token from {when}"] = tokens["refresh_token"]
            return {"Authorization": f"Bearer {tokens['access_token']}"}

        r = identity.post(
            "/register",
            json={"email": email, "password": first, "name": "Journey", "role": "student"},
        )
        assert r.status_code == 201, r.text
        keep(r.json(), "registration")

        link, token = _mailed_token(mail_dir, email, "/verify-email")
        secrets |= {"the verification link": link, "the verification token": token}
        # The mailed link, opened in the web app as the student would.
        r = web.get(urlsplit(link).path, params={"token": token})
        assert r.status_code == 200, r.text

        r = identity.post("/login", json={"email": email, "password": first})
        assert r.status_code == 200, r.text
        refresh = r.json()["refresh_token"]
        keep(r.json(), "login")
        r = identity.post("/refresh", json={"refresh_token": refresh})
        assert r.status_code == 200, r.text
        keep(r.json(), "refresh")

        r = identity.post("/forgot-password", json={"email": email})
        assert r.status_code == 202, r.text
        link, token = _mailed_token(mail_dir, email, "/reset-password")
        secrets |= {"the reset link": link, "the reset token": token}
        r = web.get(urlsplit(link).path, params={"token": token})
        assert r.status_code == 200, r.text
        r = identity.post("/reset-password", json={"token": token, "new_password": second})
        assert r.status_code == 204, r.text

        # Signed in to the web app: the session cookie is a secret too.
        page = web.get("/login")
        found = CSRF.search(page.text)
        assert found, page.text[:500]
        r = web.post(
            "/login",
            data={"email": email, "password": second, "csrf_token": found.group(1)},
            headers={"Origin": stack.url("web")},
        )
        assert r.status_code in (302, 303), r.text[:500]
        for name, value in web.cookies.items():
            secrets[f"the web cookie {name}"] = value
        assert web.get("/learning").status_code == 200

        r = identity.post("/login", json={"email": email, "password": second})
        assert r.status_code == 200, r.text
        student = keep(r.json(), "the login after the reset")
        paid = course.get("/courses", params={"is_free": "false", "limit": 1}).json()["items"]
        r = payment.post("/payments", json={"course_id": paid[0]["id"]}, headers=student)
        assert r.status_code == 201, r.text

        teacher_password = f"teacher-{uuid.uuid4().hex}"
        secrets["the teacher's password"] = teacher_password
        r = identity.post(
            "/register",
            json={
                "email": f"journey-teacher-{uuid.uuid4().hex[:8]}@example.com",
                "password": teacher_password,
                "name": "Journey Teacher",
                "role": "teacher",
            },
        )
        assert r.status_code == 201, r.text
        keep(r.json(), "the teacher's registration")
        r = identity.patch(
            f"/admin/users/{r.json()['user']['id']}/verify", headers=live_stack.headers["admin"]
        )
        assert r.status_code == 200, r.text

    logs = sorted((stack.data / "logs").glob("*.log"))
    names = {log.stem for log in logs}
    # The mail sink stands in for the mail server, outside the platform: it keeps mail whole.
    assert {"identity", "course", "enrollment", "payment", "notification", "web"} <= names
    leaks = []
    for log in logs:
        if log.stem == "mailsink":
            continue
        text = log.read_text(encoding="utf-8", errors="replace")
        leaks += [f"{what} in {log.name}" for what, value in secrets.items() if value in text]
    # Each service did log the journey (the scan read real logs, not empty files).
    identity_log = (stack.data / "logs" / "identity.log").read_text(encoding="utf-8")
    assert '"route": "/reset-password"' in identity_log
    assert len(secrets) >= 20
    assert not leaks, leaks
