"""Keyset pagination with opaque, signed cursors.

A cursor carries the sort keys of the last item served and the list it belongs to; it is
signed, so a tampered cursor or one from another list is a 400, never a wrong page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request
from pydantic import BaseModel

from edu_common.errors import AppError

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=100, description="Page size, 1 to 100")]
Cursor = Annotated[
    str | None, Query(max_length=2048, description="Opaque cursor from the previous page")
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


def invalid_cursor() -> AppError:
    return AppError(400, "invalid_cursor", "the cursor is malformed or belongs to another list")


class CursorCodec:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(secret.encode()).digest()

    def _sign(self, body: bytes) -> bytes:
        return hmac.new(self._key, body, hashlib.sha256).digest()[:16]

    def encode(self, kind: str, values: list[Any]) -> str:
        body = json.dumps([kind, values], separators=(",", ":"), default=str).encode()
        return base64.urlsafe_b64encode(self._sign(body) + body).rstrip(b"=").decode()

    def decode(self, kind: str, cursor: str) -> list[Any]:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise invalid_cursor() from None
        signature, body = raw[:16], raw[16:]
        if len(signature) != 16 or not hmac.compare_digest(signature, self._sign(body)):
            raise invalid_cursor()
        try:
            found_kind, values = json.loads(body)
        except (ValueError, TypeError):
            raise invalid_cursor() from None
        if found_kind != kind or not isinstance(values, list):
            raise invalid_cursor()
        return values


def _cursors(request: Request) -> CursorCodec:
    cursors: CursorCodec = request.app.state.cursors
    return cursors


# The app's codec (the app factory keys it with the service's cursor secret).
Cursors = Annotated[CursorCodec, Depends(_cursors)]
