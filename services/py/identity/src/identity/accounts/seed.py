"""Demo accounts for development: one per role, all with the password `password123`."""

from __future__ import annotations

import asyncpg
from edu_common.events import enqueue
from edu_common.events.contracts import TeacherVerified, UserRegistered
from edu_common.security.passwords import PasswordHasher

from identity.accounts.repository import UserRepository

DEMO_PASSWORD = "password123"  # noqa: S105 - development data, never seeded in production
DEMO_USERS = (
    ("admin@eduplatform.com", "Ada Admin", "admin"),
    ("teacher@eduplatform.com", "Terry Teacher", "teacher"),
    ("student@eduplatform.com", "Sam Student", "student"),
)


async def seed_demo_users(conn: asyncpg.Connection, hasher: PasswordHasher) -> int:
    """Creates the demo accounts that are missing; returns how many it created."""
    users = UserRepository(conn)
    created = 0
    for email, name, role in DEMO_USERS:
        if await users.get_by_email(email) is not None:
            continue
        user = await users.create(
            email=email,
            password_hash=await hasher.hash(DEMO_PASSWORD),
            name=name,
            role=role,
            is_verified=role == "teacher",
            email_verified=True,
        )
        if user is None:  # created meanwhile by another worker
            continue
        created += 1
        await enqueue(
            conn, UserRegistered(user_id=user.id, email=user.email, name=user.name, role=role)
        )
        if role == "teacher":
            await enqueue(conn, TeacherVerified(user_id=user.id, email=user.email, name=name))
    return created
