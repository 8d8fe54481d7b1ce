"""A minimal service built with the shared factory, for testing the library itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from edu_common.app import ServiceSpec, create_app
from edu_common.auth import Admin, CurrentUser, VerifiedTeacher
from edu_common.db import DbConn
from edu_common.errors import AppError, error_responses
from edu_common.events import enqueue
from edu_common.events.contracts import TeacherVerified, UserRegistered
from edu_common.sanitize import PlainText
from edu_common.settings import ServiceSettings
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field

MIGRATIONS = Path(__file__).parent / "sample_migrations"


class SampleSettings(ServiceSettings):
    pass


class NoteIn(BaseModel):
    text: PlainText = Field(min_length=1, max_length=200)
    fail_after_write: bool = False


class NoteOut(BaseModel):
    id: int
    text: str


router = APIRouter()


@router.post("/notes", status_code=201, response_model=NoteOut, responses=error_responses(409, 422))
async def create_note(body: NoteIn, conn: DbConn, user: CurrentUser) -> Any:
    row = await conn.fetchrow(
        "INSERT INTO notes (owner, text) VALUES ($1, $2) RETURNING id, text",
        user.user_id,
        body.text,
    )
    await enqueue(
        conn,
        UserRegistered(user_id=user.user_id, email="x@example.com", name=body.text, role="student"),
    )
    if body.fail_after_write:
        raise AppError(409, "rolled_back", "the write is rolled back")
    return dict(row)


@router.get("/admin-only", response_model=dict[str, str])
async def admin_only(user: Admin) -> Any:
    return {"role": user.role}


@router.get("/teachers-only", response_model=dict[str, str])
async def teachers_only(user: VerifiedTeacher) -> Any:
    return {"id": str(user.user_id)}


async def _count_verified(conn: Any, event: TeacherVerified) -> None:
    await conn.execute("INSERT INTO effects (event_user) VALUES ($1)", event.user_id)


def build(settings: SampleSettings) -> FastAPI:
    return create_app(
        ServiceSpec(
            name="sample",
            title="Sample",
            routers=[router],
            migrations=MIGRATIONS,
            consumers={"sample-teacher-verified": {TeacherVerified: _count_verified}},
        ),
        settings,
    )


@pytest.fixture
async def sample(services: Any) -> Any:
    return await services.start("sample", build, SampleSettings, MIGRATIONS)
