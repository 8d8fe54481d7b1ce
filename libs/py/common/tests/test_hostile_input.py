"""What a hostile client sends, and what every service (here the sample one) answers: text
that hides or reorders what a reader sees, bodies that are not JSON, methods a path does not
take, and an OpenAPI document that says what the service really does."""

from __future__ import annotations

import uuid

import pytest
from edu_common.sanitize import clean_text
from edu_common.security.sessions import EndedSessions
from edu_devstack.testing import RunningService, Tokens, assert_problem

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("\u2066isolate\u2069 and \u200fmark", "isolate and mark"),
        ("bell\x07 escape\x1b[31m del\x7f", "bell escape[31m del"),
        ("non\ufffechar\uffff\ufdd0acters", "noncharacters"),
        ("e\u0301cole", "\u00e9cole"),  # NFC: one code point, as the same word typed composed
        ("&#x202e;encoded", "encoded"),
        ("<\u202escript>alert(1)</script>after", "after"),
        ("\u200bpadded\u200b\ufeff", "padded"),
        ("one\ntwo\tthree\r\nfour", "one two three four"),
    ],
)
def test_single_line_text_loses_what_a_reader_cannot_see(raw: str, clean: str) -> None:
    assert clean_text(raw, multiline=False) == clean


def test_multi_line_text_keeps_line_breaks_and_tabs() -> None:
    assert clean_text("a\r\nb\tc\rd\u2028e\x0bf", multiline=True) == "a\nb\tc\nd\nef"


@pytest.mark.parametrize(
    "invisible", ["\u200b\u200b\u200b", "\u200d\u2060\ufeff", " \u00a0\u3000", "\u3164", "\u202e"]
)
async def test_text_with_nothing_visible_is_blank(
    sample: RunningService, tokens: Tokens, invisible: str
) -> None:
    _, student = tokens.student()
    r = await sample.client.post("/notes", json={"text": invisible}, headers=student)
    body = assert_problem(r, 422, "validation_error")
    assert "text" in body["detail"]


async def test_stored_text_is_normalized_and_stripped(
    sample: RunningService, tokens: Tokens
) -> None:
    _, student = tokens.student()
    r = await sample.client.post(
        "/notes", json={"text": "\u202eevil\u0000 e\u0301\ufffe\x1b"}, headers=student
    )
    assert r.status_code == 201, r.text
    note = (await sample.client.get(f"/notes/{r.json()['id']}")).json()
    assert note["text"] == "evil \u00e9"


async def test_max_length_counts_the_text_as_sent(sample: RunningService, tokens: Tokens) -> None:
    _, student = tokens.student()
    # 200 visible characters inside spaces and markup: over the 200 that OpenAPI promises.
    for text in (" " * 10 + "x" * 200, "<b>" + "x" * 199 + "</b>"):
        r = await sample.client.post("/notes", json={"text": text}, headers=student)
        assert_problem(r, 422, "validation_error")
    r = await sample.client.post("/notes", json={"text": "x" * 200}, headers=student)
    assert r.status_code == 201
    spec = (await sample.client.get("/openapi.json")).json()
    text = spec["components"]["schemas"]["NoteIn"]["properties"]["text"]
    assert (text["minLength"], text["maxLength"]) == (1, 200)


@pytest.mark.parametrize(
    "body",
    [
        b'{"text": "\xff\xfe"}',
        b"\xc3\x28",
        b'{"text": "a", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b"[" * 1001 + b"]" * 1001,
    ],
    ids=["invalid-utf8-in-string", "invalid-utf8", "nested-5000", "nested-1001"],
)
async def test_undecodable_body_is_malformed_json(
    sample: RunningService, tokens: Tokens, body: bytes
) -> None:
    _, student = tokens.student()
    r = await sample.client.post("/notes", content=body, headers={**student, **JSON})
    assert_problem(r, 400, "malformed_json")


async def test_405_names_every_method_the_path_takes(
    sample: RunningService, tokens: Tokens
) -> None:
    _, student = tokens.student()
    r = await sample.client.put("/notes", json={"text": "a"}, headers=student)
    assert_problem(r, 405, "method_not_allowed")
    assert set(r.headers["allow"].split(", ")) == {"GET", "POST"}
    r = await sample.client.delete("/notes/1", headers=student)
    assert set(r.headers["allow"].split(", ")) == {"GET"}


async def test_openapi_documents_the_413_and_400_on_every_body(sample: RunningService) -> None:
    spec = (await sample.client.get("/openapi.json")).json()
    create = spec["paths"]["/notes"]["post"]
    assert "413" in create["responses"]
    # A body that is not JSON is a 400 malformed_json, on every route that reads one.
    assert "400" in create["responses"]
    assert "Problem" in spec["components"]["schemas"]
    # Routes without a body cannot be too large.
    assert "413" not in spec["paths"]["/notes"]["get"]["responses"]
    assert "400" not in spec["paths"]["/notes"]["get"]["responses"]


async def test_every_service_refuses_a_token_whose_session_ended(
    sample: RunningService, tokens: Tokens
) -> None:
    session = uuid.uuid4()
    user = uuid.uuid4()
    ended = {
        "Authorization": "Bearer "
        + tokens.signer.sign_access(user, "admin", True, session_id=session)
    }
    live = {
        "Authorization": "Bearer "
        + tokens.signer.sign_access(user, "admin", True, session_id=uuid.uuid4())
    }
    assert (await sample.client.get("/admin-only", headers=ended)).status_code == 200
    await EndedSessions(sample.app.state.redis).end([str(session)], ttl_seconds=60)
    assert_problem(await sample.client.get("/admin-only", headers=ended), 401, "invalid_token")
    assert (await sample.client.get("/admin-only", headers=live)).status_code == 200
    # Service tokens name no session and are not affected.
    _, service = tokens.service()
    assert (await sample.client.get("/notes", headers=service)).status_code == 200


async def test_the_ended_session_check_fails_open_without_valkey(
    sample_without_cache: RunningService, tokens: Tokens
) -> None:
    token = tokens.signer.sign_access(uuid.uuid4(), "admin", True, session_id=uuid.uuid4())
    r = await sample_without_cache.client.get(
        "/admin-only", headers={"Authorization": f"Bearer {token}"}
    )
    # Valkey is a cache here: its outage must not sign every user out of every service.
    assert r.status_code == 200
