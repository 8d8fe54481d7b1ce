"""Demo accounts for development: one per role, all with the password `password123`, each with
the fixed id the other services' demo data refers to."""

from __future__ import annotations

import asyncpg
from edu_common.demo import DEMO_PASSWORD, DEMO_USERS
from edu_common.events import enqueue
from edu_common.events.contracts import TeacherVerified, UserRegistered
from edu_common.security.passwords import PasswordHasher

from identity.accounts.repository import UserRepository


async def seed_demo_users(conn: asyncpg.Connection, hasher: PasswordHasher) -> int:
    """Creates the demo accounts that are missing; returns how many it created."""
    users = UserRepository(conn)
    created = 0
    for demo in DEMO_USERS:
        if await users.get_by_email(demo.email) is not None:
            continue
        user = await users.create(
            email=demo.email,
            password_hash=await hasher.hash(DEMO_PASSWORD),
            name=demo.name,
            role=demo.role,
            is_verified=demo.role == "teacher",
            email_verified=True,
            user_id=demo.id,
        )
        if user is None:  # created meanwhile by another worker
            continue
        created += 1
        await enqueue(
            conn,
            UserRegistered(user_id=user.id, email=user.email, name=user.name, role=demo.role),
        )
        if demo.role == "teacher":
            await enqueue(conn, TeacherVerified(user_id=user.id, email=user.email, name=user.name))
    return created
