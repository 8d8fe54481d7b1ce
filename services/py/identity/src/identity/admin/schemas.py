"""Bodies for the admin routes."""

from __future__ import annotations

from edu_common.pagination import Page

from identity.accounts.schemas import UserOut

PendingTeachers = Page[UserOut]
