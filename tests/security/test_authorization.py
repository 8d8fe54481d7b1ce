"""Who may call what: every route of every service against every kind of caller, written once
as the table in `authorization_matrix.txt` and run against the five real services; and the
token attacks, refused on every route that reads a token.

Columns: anon (no token), stu (the student who bought `paid` and is enrolled in it), stu2
(another student, enrolled in nothing), tchU (a teacher not yet verified), tchV (the verified
teacher who owns every course here), tch2 (another verified teacher), admin, svc (the internal
service token). Targets: `paid`, `unpaid`, `free` (published courses of tchV, each with a module
and a lesson; stu paid for `paid`); `fresh` (a new published course of tchV with a module and a
lesson, made for each cell, so a cell that deletes or changes it cannot affect another);
`draft` (the same, unpublished); `pending` (a new unverified teacher, made for each cell);
`session` (a new login of stu, made for each cell); `-` (no object)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from edu_devstack.testing import Tokens
from edu_devstack.testing.tokens import hostile_tokens

# The world's callers (see conftest.py), in the order of the matrix's columns.
ROLES = ("anon", "stu", "stu2", "tchU", "tchV", "tch2", "admin", "svc")
World = Any

MATRIX = Path(__file__).with_name("authorization_matrix.txt")


@dataclass(frozen=True)
class Row:
    service: str
    method: str
    path: str
    target: str
    expected: dict[str, int]

    @property
    def route(self) -> str:
        return f"{self.service} {self.method} {self.path}"


def _rows() -> list[Row]:
    text = MATRIX.read_text(encoding="utf-8").splitlines()
    lines = [line.split() for line in text if line.strip() and not line.startswith("#")]
    header, body = lines[0], lines[1:]
    assert tuple(header[4:]) == ROLES, "the matrix's columns are the roles, in order"
    return [
        Row(s, m, p, t, dict(zip(ROLES, map(int, codes), strict=True)))
        for s, m, p, t, *codes in body
    ]


ROWS = _rows()

# What each route is sent besides its path: (method, path) -> body built from the target's
# values (`o`) and the world.
Body = Callable[[dict[str, str], World], Any]
BODIES: dict[tuple[str, str], Body] = {
    ("POST", "/register"): lambda o, w: {
        "email": f"new-{uuid.uuid4().hex[:12]}@example.com",
        "password": "correct-horse-battery-1",
        "name": "New User",
        "role": "student",
    },
    ("POST", "/login"): lambda o, w: {
        "email": w.emails["stu"],
        "password": "correct-horse-battery-1",
    },
    ("POST", "/verify-email"): lambda o, w: {"token": "a" * 43},
    ("POST", "/forgot-password"): lambda o, w: {"email": w.emails["stu2"]},
    ("POST", "/reset-password"): lambda o, w: {"token": "a" * 43, "new_password": "another-pw-2"},
    ("POST", "/refresh"): lambda o, w: {"refresh_token": o["refresh_token"]},
    ("POST", "/logout"): lambda o, w: {"refresh_token": o["refresh_token"]},
    ("POST", "/courses"): lambda o, w: {
        "title": "Made in a cell",
        "level": "beginner",
        "price_cents": 0,
    },
    ("PUT", "/courses/{course_id}"): lambda o, w: {"title": "Renamed"},
    ("POST", "/courses/{course_id}/modules"): lambda o, w: {"title": "Another module"},
    ("PUT", "/modules/{module_id}"): lambda o, w: {"title": "Renamed module"},
    ("POST", "/modules/{module_id}/lessons"): lambda o, w: {"title": "Another lesson"},
    ("PUT", "/lessons/{lesson_id}"): lambda o, w: {"title": "Renamed lesson"},
    ("POST", "/reviews"): lambda o, w: {
        "course_id": o["course_id"],
        "rating": 5,
        "comment": "Clear",
    },
    ("POST", "/enrollments"): lambda o, w: {"course_id": o["course_id"]},
    ("POST", "/payments"): lambda o, w: {"course_id": o["course_id"]},
    ("POST", "/notifications"): lambda o, w: {
        "user_id": o["student_id"],
        "type": "announcement",
        "title": "Hello",
        "body": "From the matrix",
    },
}
QUERIES: dict[tuple[str, str], Callable[[dict[str, str]], dict[str, str]]] = {
    ("GET", "/internal/payments/completed"): lambda o: {
        "student_id": o["student_id"],
        "course_id": o["course_id"],
    },
}


async def _target(world: World, name: str) -> dict[str, str]:
    if name == "-":
        return {}
    if name in ("fresh", "draft"):
        status = "published" if name == "fresh" else "draft"
        made: dict[str, str] = await world.course(price_cents=0, status=status)
        return made
    if name == "pending":
        body = await world.register("teacher")
        return {"user_id": str(body["user"]["id"])}
    if name == "session":
        return {"refresh_token": str((await world.login(world.emails["stu"]))["refresh_token"])}
    named: dict[str, str] = world.objects[name]
    return named


async def _call(
    world: World, row: Row, headers: dict[str, str], target: dict[str, str]
) -> tuple[int, str]:
    key = (row.method, row.path)
    body = BODIES[key](target, world) if key in BODIES else None
    params = QUERIES[key](target) if key in QUERIES else None
    r = await world.client(row.service).request(
        row.method, row.path.format(**target), json=body, params=params, headers=headers
    )
    return r.status_code, r.text


@pytest.mark.parametrize("row", ROWS, ids=[row.route for row in ROWS])
async def test_each_caller_gets_the_status_the_matrix_names(world: World, row: Row) -> None:
    wrong = []
    for role in ROLES:
        target = await _target(world, row.target)
        status, text = await _call(world, row, world.headers[role], target)
        if status != row.expected[role]:
            wrong.append(f"{role}: {status} (expected {row.expected[role]}) {text[:200]}")
        elif status in (401, 403):
            # A refusal is a problem detail naming why, never an empty or HTML body.
            assert '"code"' in text, text
    assert not wrong, "\n".join(wrong)


async def test_the_matrix_names_every_route_of_every_service(world: World) -> None:
    listed = {(row.service, row.method, row.path) for row in ROWS}
    assert len(listed) == len(ROWS), "a route is listed twice"
    documented = set()
    for name, service in world.services.items():
        spec = (await service.client.get("/openapi.json")).json()
        for path, operations in spec["paths"].items():
            documented |= {(name, method.upper(), path) for method in operations}
    assert documented - listed == set(), "routes with no row in the matrix"
    assert listed - documented == set(), "rows for routes OpenAPI does not have"


def _authenticated() -> list[Row]:
    # Every route that reads a token, whether it needs one or not (an optional token that is
    # presented must still be valid).
    return [
        row
        for row in ROWS
        if any(code != row.expected["anon"] for code in row.expected.values())
        or row.expected["anon"] == 401
    ]


async def test_every_route_that_reads_a_token_says_so_in_openapi(world: World) -> None:
    secured = set()
    for name, service in world.services.items():
        spec = (await service.client.get("/openapi.json")).json()
        for path, operations in spec["paths"].items():
            secured |= {
                (name, method.upper(), path)
                for method, op in operations.items()
                if op.get("security")
            }
    assert {(r.service, r.method, r.path) for r in _authenticated()} <= secured


async def test_hostile_tokens_are_refused_on_every_route_that_reads_a_token(
    world: World, tokens: Tokens
) -> None:
    refresh = (await world.login(world.emails["stu"]))["refresh_token"]
    hostile = hostile_tokens(tokens.signer, refresh)
    # The token each attack changes is itself accepted: what is refused is the change.
    control = {"Authorization": f"Bearer {hostile.valid}"}
    r = await world.client("notification").get("/notifications/me", headers=control)
    assert r.status_code == 200, r.text
    attacks = hostile.attacks
    secured = []
    for name, service in world.services.items():
        spec = (await service.client.get("/openapi.json")).json()
        secured += [
            (name, method.upper(), path)
            for path, operations in spec["paths"].items()
            for method, op in operations.items()
            if op.get("security")
        ]
    rows = {(r.service, r.method, r.path): r for r in ROWS}
    accepted = []
    tried = 0
    for key in secured:
        row = rows[key]
        for attack, token in attacks.items():
            target = await _target(world, row.target)
            status, text = await _call(world, row, {"Authorization": f"Bearer {token}"}, target)
            tried += 1
            if status != 401 or '"code"' not in text:
                accepted.append(f"{row.route} with {attack}: {status} {text[:120]}")
    assert tried >= 10 * 30
    assert not accepted, "\n".join(accepted)
