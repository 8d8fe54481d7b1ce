"""The five services together, in process, sharing one event namespace, with a small world of
users and courses that every authorization cell is tried against.

Built once for the module (the matrix and the token attacks only read it, or work on fresh
objects of their own), so the hundreds of cells cost requests, not service starts. The
platform from `edu up` (`live_stack`) is started once for the session, for the tests that
drive it from outside: fuzzing, script payloads, secrets in logs."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from course.app import MIGRATIONS as COURSE_MIGRATIONS
from course.app import create_app as create_course
from course.settings import CourseSettings
from edu_common.security.keys import SigningKey
from edu_devstack.processes import free_port
from edu_devstack.testing import (
    Mailbox,
    RunningService,
    StackUnderTest,
    TestServers,
    Tokens,
    eventually,
    launcher,
    stack_on_free_ports,
)
from enrollment.app import MIGRATIONS as ENROLLMENT_MIGRATIONS
from enrollment.app import create_app as create_enrollment
from enrollment.settings import EnrollmentSettings
from identity.app import MIGRATIONS as IDENTITY_MIGRATIONS
from identity.app import create_app as create_identity
from identity.settings import IdentitySettings
from notification.app import MIGRATIONS as NOTIFICATION_MIGRATIONS
from notification.app import create_app as create_notification
from notification.settings import NotificationSettings
from payment.app import MIGRATIONS as PAYMENT_MIGRATIONS
from payment.app import create_app as create_payment
from payment.settings import PaymentSettings

PASSWORD = "correct-horse-battery-1"
_emails = itertools.count()


@dataclass
class World:
    """Users by matrix role (headers), the objects they own, and ways to make fresh ones."""

    services: dict[str, RunningService]
    headers: dict[str, dict[str, str]]
    users: dict[str, uuid.UUID]
    emails: dict[str, str]
    # Named objects (`paid`, `free`, ...): each a mapping of the path parameters and body
    # values it supplies (course_id, module_id, lesson_id, payment_id, ...).
    objects: dict[str, dict[str, str]] = field(default_factory=dict)

    def client(self, service: str) -> httpx.AsyncClient:
        return self.services[service].client

    async def register(self, role: str, name: str = "Matrix User") -> dict[str, Any]:
        email = f"matrix{next(_emails)}@example.com"
        r = await self.client("identity").post(
            "/register", json={"email": email, "password": PASSWORD, "name": name, "role": role}
        )
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        body["email"] = email
        return body

    async def login(self, email: str) -> dict[str, Any]:
        r = await self.client("identity").post(
            "/login", json={"email": email, "password": PASSWORD}
        )
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    async def course(self, *, price_cents: int, status: str = "published") -> dict[str, str]:
        """A course by the verified teacher with one module and one (non-preview) lesson."""
        teacher = self.headers["tchV"]
        course = self.client("course")
        r = await course.post(
            "/courses",
            json={
                "title": "Matrix Course",
                "description": "What the matrix reads",
                "level": "beginner",
                "price_cents": price_cents,
                "status": status,
            },
            headers=teacher,
        )
        assert r.status_code == 201, r.text
        course_id = r.json()["id"]
        r = await course.post(
            f"/courses/{course_id}/modules", json={"title": "Module"}, headers=teacher
        )
        assert r.status_code == 201, r.text
        module_id = r.json()["id"]
        r = await course.post(
            f"/modules/{module_id}/lessons",
            json={"title": "Lesson", "content": "# Text\n\nbody", "is_preview": False},
            headers=teacher,
        )
        assert r.status_code == 201, r.text
        return {"course_id": course_id, "module_id": module_id, "lesson_id": r.json()["id"]}

    async def known_to(self, course_id: str, *names: str) -> None:
        """Waits until the named services have the course (and its lessons) from its events."""

        async def known() -> bool:
            for name in names:
                pool = self.services[name].pool
                if not await pool.fetchval("SELECT true FROM courses WHERE id = $1", course_id):
                    return False
            return True

        await eventually(known, timeout=30)


async def _build(world: World, tokens: Tokens) -> None:
    identity = world.services["identity"]
    for role, kind in (("stu", "student"), ("stu2", "student"), ("tchU", "teacher")):
        body = await world.register(kind)
        world.headers[role] = {"Authorization": f"Bearer {body['access_token']}"}
        world.users[role] = uuid.UUID(body["user"]["id"])
        world.emails[role] = body["email"]
    # The admin exists in identity's database (so /me finds it); its token is signed as
    # identity would sign it.
    admin_id = await identity.pool.fetchval(
        "INSERT INTO users (email, password_hash, name, role, email_verified)"
        " VALUES ('matrix-admin@example.com', 'x', 'Matrix Admin', 'admin', true) RETURNING id"
    )
    world.users["admin"] = admin_id
    world.headers["admin"] = tokens.admin(user_id=admin_id)[1]
    for role in ("tchV", "tch2"):
        body = await world.register("teacher", name=f"Teacher {role}")
        r = await world.client("identity").patch(
            f"/admin/users/{body['user']['id']}/verify", headers=world.headers["admin"]
        )
        assert r.status_code == 200, r.text
        # Signed in again: the new token carries `is_verified`.
        fresh = await world.login(body["email"])
        world.headers[role] = {"Authorization": f"Bearer {fresh['access_token']}"}
        world.users[role] = uuid.UUID(body["user"]["id"])
        world.emails[role] = body["email"]
    world.users["svc"], world.headers["svc"] = tokens.service()
    world.headers["anon"] = {}

    paid = await world.course(price_cents=2500)
    unpaid = await world.course(price_cents=1900)
    free = await world.course(price_cents=0)
    await world.known_to(paid["course_id"], "payment", "enrollment")
    await world.known_to(unpaid["course_id"], "payment")
    await world.known_to(free["course_id"], "enrollment")

    # The student pays for `paid`; the payment's event enrolls them, and course hears of it.
    student = world.headers["stu"]
    r = await world.client("payment").post(
        "/payments", json={"course_id": paid["course_id"]}, headers=student
    )
    assert r.status_code == 201, r.text
    paid["payment_id"] = r.json()["id"]

    async def can_read() -> bool:
        r = await world.client("course").get(f"/lessons/{paid['lesson_id']}", headers=student)
        progress = await world.client("enrollment").get(
            f"/progress/courses/{paid['course_id']}", headers=student
        )
        return r.status_code == 200 and progress.status_code == 200

    await eventually(can_read, timeout=30)

    # Registration's welcome notification, and the recipient known to notification.
    async def welcomed() -> str | None:
        r = await world.client("notification").get("/notifications/me", headers=student)
        items = r.json()["items"]
        return str(items[0]["id"]) if items else None

    notification_id: str | None = await eventually(welcomed, timeout=30)
    assert notification_id is not None
    paid["notification_id"] = notification_id
    paid["student_id"] = str(world.users["stu"])
    world.objects |= {"paid": paid, "unpaid": unpaid, "free": free}


@pytest.fixture(scope="module")
async def world(
    edu_servers: TestServers,
    signing_key: SigningKey,
    tokens: Tokens,
    smtp: tuple[Mailbox, int],
) -> AsyncIterator[World]:
    """The platform, every service started once, and the matrix's users and courses."""
    generous = {
        "register_ip_limit": 100_000,
        "login_ip_limit": 100_000,
        "forgot_password_ip_limit": 100_000,
    }
    async with launcher(edu_servers, signing_key) as launch:
        _, service = tokens.service()
        started = {
            "identity": await launch.start(
                "identity",
                create_identity,
                IdentitySettings,
                IDENTITY_MIGRATIONS,
                jwt_private_key=signing_key.private_pem(),
                smtp_port=smtp[1],
                mail_poll_interval=0.05,
                argon2_memory_cost=1024,
                argon2_time_cost=1,
                **generous,
            ),
            "course": await launch.start(
                "course", create_course, CourseSettings, COURSE_MIGRATIONS
            ),
            "enrollment": await launch.start(
                "enrollment",
                create_enrollment,
                EnrollmentSettings,
                ENROLLMENT_MIGRATIONS,
                service_token=service["Authorization"].removeprefix("Bearer "),
            ),
            "payment": await launch.start(
                "payment", create_payment, PaymentSettings, PAYMENT_MIGRATIONS
            ),
            "notification": await launch.start(
                "notification",
                create_notification,
                NotificationSettings,
                NOTIFICATION_MIGRATIONS,
                smtp_port=free_port(),
            ),
        }
        world = World(started, {}, {}, {})
        await _build(world, tokens)
        yield world


@dataclass(frozen=True)
class LiveStack:
    """The whole platform from `edu up`, as a client sees it, with the demo accounts'
    tokens by role."""

    stack: StackUnderTest
    headers: dict[str, dict[str, str]]


@pytest.fixture(scope="session")
def live_stack() -> Iterator[LiveStack]:
    """`edu up --detach` on free ports (demo data included), stopped at the session's end."""
    # Fuzzing logs in and registers far past the per-IP limits, all from 127.0.0.1.
    limits = {
        f"EDU_IDENTITY_{name}_IP_LIMIT": "1000000"
        for name in ("LOGIN", "REGISTER", "FORGOT_PASSWORD")
    }
    with stack_on_free_ports("edu-security-", limits) as stack:
        up = stack.edu("up", "--detach", timeout=300)
        assert up.returncode == 0, up.stdout + up.stderr
        headers = {}
        with httpx.Client(base_url=stack.url("identity"), timeout=30) as client:
            for role in ("student", "teacher", "admin"):
                r = client.post(
                    "/login",
                    json={"email": f"{role}@eduplatform.com", "password": "password123"},
                )
                assert r.status_code == 200, r.text
                headers[role] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        yield LiveStack(stack, headers)
