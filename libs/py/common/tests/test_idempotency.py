"""The Idempotency-Key dependency on a real app and PostgreSQL: replays, a different body under
the same key, its scope, rollbacks, concurrent repeats, and claims that span transactions."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from edu_common.app import ServiceSpec, create_app
from edu_common.errors import AppError, error_responses
from edu_common.idempotency import Idempotent
from edu_common.settings import ServiceSettings
from edu_common.transactions import DbTransactions
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel

MIGRATIONS = Path(__file__).parent / "sample_migrations"


class SampleSettings(ServiceSettings):
    pass


class NoteIn(BaseModel):
    text: str
    fail: bool = False
    # Ends after claiming the key in a committed transaction, without a response.
    abandon: bool = False
    release: bool = False


router = APIRouter()


@router.post("/keyed-notes", status_code=201, responses=error_responses(409, 422))
async def keyed_note(
    body: NoteIn, transactions: DbTransactions, idempotency: Idempotent
) -> JSONResponse:
    if body.abandon or body.release:
        async with transactions.begin() as conn:
            assert await idempotency.claim(conn, body) is None
        if body.release:
            async with transactions.begin() as conn:
                await idempotency.release(conn)
        raise AppError(409, "abandoned", "the request ends without a response")
    async with transactions.begin() as conn:
        replay = await idempotency.claim(conn, body)
        if replay is not None:
            return replay
        note_id = await conn.fetchval(
            "INSERT INTO notes (owner, text) VALUES ($1, $2) RETURNING id",
            uuid.uuid4(),
            body.text,
        )
        if body.fail:
            raise AppError(409, "rolled_back", "the write and the claim are rolled back")
        return await idempotency.respond(conn, {"id": note_id, "text": body.text}, 201)


def build(settings: SampleSettings) -> FastAPI:
    spec = ServiceSpec(name="sample", title="Sample", routers=[router], migrations=MIGRATIONS)
    return create_app(spec, settings)


@pytest.fixture
async def sample(services: Any) -> Any:
    return await services.start("sample", build, SampleSettings, MIGRATIONS)


async def _notes(sample: Any) -> int:
    count: int = await sample.pool.fetchval("SELECT count(*) FROM notes")
    return count


async def test_a_repeat_replays_the_first_response(sample: Any, tokens: Any) -> None:
    user_id, headers = tokens.student()
    keyed = {**headers, "Idempotency-Key": "one"}
    first = await sample.client.post("/keyed-notes", json={"text": "a"}, headers=keyed)
    assert first.status_code == 201, first.text
    again = await sample.client.post("/keyed-notes", json={"text": "a"}, headers=keyed)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert await _notes(sample) == 1
    scope = await sample.pool.fetchval("SELECT scope FROM idempotency_keys")
    assert scope == f"POST /keyed-notes:{user_id}"
    # Without a key nothing is replayed.
    for _ in range(2):
        r = await sample.client.post("/keyed-notes", json={"text": "a"}, headers=headers)
        assert r.status_code == 201
    assert await _notes(sample) == 3


async def test_another_body_is_409_and_another_user_has_keys_of_their_own(
    sample: Any, tokens: Any
) -> None:
    _, headers = tokens.student()
    keyed = {**headers, "Idempotency-Key": "shared"}
    assert (await sample.client.post("/keyed-notes", json={"text": "a"}, headers=keyed)).is_success
    r = await sample.client.post("/keyed-notes", json={"text": "b"}, headers=keyed)
    assert r.status_code == 409
    assert r.json()["code"] == "idempotency_key_reused"
    _, other = tokens.student()
    r = await sample.client.post(
        "/keyed-notes", json={"text": "b"}, headers={**other, "Idempotency-Key": "shared"}
    )
    assert r.status_code == 201
    assert await _notes(sample) == 2


async def test_a_failed_request_leaves_the_key_free(sample: Any, tokens: Any) -> None:
    _, headers = tokens.student()
    keyed = {**headers, "Idempotency-Key": "retry"}
    r = await sample.client.post("/keyed-notes", json={"text": "a", "fail": True}, headers=keyed)
    assert r.status_code == 409
    assert await sample.pool.fetchval("SELECT count(*) FROM idempotency_keys") == 0
    r = await sample.client.post("/keyed-notes", json={"text": "a"}, headers=keyed)
    assert r.status_code == 201
    assert await _notes(sample) == 1


async def test_concurrent_repeats_have_one_effect(sample: Any, tokens: Any) -> None:
    _, headers = tokens.student()
    keyed = {**headers, "Idempotency-Key": str(uuid.uuid4())}
    responses = await asyncio.gather(
        *(sample.client.post("/keyed-notes", json={"text": "a"}, headers=keyed) for _ in range(10))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert await _notes(sample) == 1


async def test_a_claim_committed_without_a_response(sample: Any, tokens: Any) -> None:
    _, headers = tokens.student()
    keyed = {**headers, "Idempotency-Key": "spans"}
    body = {"text": "a", "abandon": True}
    r = await sample.client.post("/keyed-notes", json=body, headers=keyed)
    assert r.status_code == 409
    assert await sample.pool.fetchval("SELECT status FROM idempotency_keys") is None
    # The same request finds the key claimed and unanswered: it is its to answer too.
    r = await sample.client.post("/keyed-notes", json=body, headers=keyed)
    assert r.json()["code"] == "abandoned"
    # Another body is still refused.
    r = await sample.client.post("/keyed-notes", json={"text": "b"}, headers=keyed)
    assert r.json()["code"] == "idempotency_key_reused"
    # Released, the key takes any body again.
    other = {**headers, "Idempotency-Key": "released"}
    r = await sample.client.post("/keyed-notes", json={"text": "a", "release": True}, headers=other)
    assert r.json()["code"] == "abandoned"
    assert await sample.pool.fetchval("SELECT count(*) FROM idempotency_keys") == 1
    r = await sample.client.post("/keyed-notes", json={"text": "c"}, headers=other)
    assert r.status_code == 201
