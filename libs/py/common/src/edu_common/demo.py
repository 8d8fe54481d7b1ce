"""The demo accounts of a development platform, known to every service that seeds demo data.

Their ids are fixed (derived from the email), so identity creates the demo teacher with the
same id that course gives the demo courses' teacher, without either service asking the other.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

DEMO_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "demo.eduplatform.com")
# Every demo account's password; development data, never seeded in production.
DEMO_PASSWORD = "password123"  # noqa: S105


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: str

    @property
    def id(self) -> uuid.UUID:
        return uuid.uuid5(DEMO_NAMESPACE, self.email)


DEMO_ADMIN = DemoUser("admin@eduplatform.com", "Ada Admin", "admin")
DEMO_TEACHER = DemoUser("teacher@eduplatform.com", "Terry Teacher", "teacher")
DEMO_STUDENT = DemoUser("student@eduplatform.com", "Sam Student", "student")
DEMO_USERS = (DEMO_ADMIN, DEMO_TEACHER, DEMO_STUDENT)
