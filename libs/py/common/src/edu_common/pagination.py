"""Keyset pagination with opaque, signed cursors.

A cursor carries the sort keys of the last item served and the list it belongs to; it is
signed, so a tampered cursor or one from another list is a 400, never a wrong page.

Every list pages the same way: the service turns the query parameters into a `PageRequest`
(`PageRequest.decode(cursors, kind, limit, cursor)`), the repository describes its order as a
`Keyset` and hands its SQL to `paginate`, which returns the page's rows and the next cursor.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, Self, TypeVar

import asyncpg
from fastapi import Depends, Query, Request
from pydantic import BaseModel

from edu_common.errors import AppError

T = TypeVar("T")

MAX_LIMIT = 100
MAX_CURSOR_CHARS = 2048

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1 to {MAX_LIMIT}")]
Cursor = Annotated[
    str | None,
    Query(max_length=MAX_CURSOR_CHARS, description="Opaque cursor from the previous page"),
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


async def _cursors(request: Request) -> CursorCodec:
    cursors: CursorCodec = request.app.state.cursors
    return cursors


# The app's codec (the app factory keys it with the service's cursor secret).
Cursors = Annotated[CursorCodec, Depends(_cursors)]


def _timestamp(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError("a timestamp travels as an ISO 8601 string")
    return datetime.fromisoformat(value)


def _uuid(value: Any) -> uuid.UUID:
    if not isinstance(value, str):
        raise TypeError("an id travels as a string")
    return uuid.UUID(value)


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("not an integer")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError("not a number")
    return float(value)


@dataclass(frozen=True)
class KeyType:
    """How a sort key's value travels in a cursor: `dump` to JSON, `load` back (raising
    ValueError or TypeError for anything this list could not have written)."""

    dump: Callable[[Any], Any]
    load: Callable[[Any], Any]


TIMESTAMP = KeyType(dump=lambda value: value.isoformat(), load=_timestamp)
UUID = KeyType(dump=str, load=_uuid)
INTEGER = KeyType(dump=int, load=_integer)
NUMBER = KeyType(dump=float, load=_number)


@dataclass(frozen=True)
class SortKey:
    """One key of a keyset.

    `sql` is the expression the rows are ordered and compared by, as the query can say it
    (`"e.created_at"`, `"coalesce(avg_rating, -1)"`: an index should exist on it, and it is
    never NULL, since a row comparison with NULL matches nothing). `field` is the column of
    the query's result holding its value (`null_as` stands for a NULL there, the value the
    expression's coalesce gives). `cast` follows the cursor's parameter in the SQL, for an
    expression whose type the parameter does not take by itself (`"::float8::numeric"`).
    """

    sql: str
    field: str
    type: KeyType
    null_as: Any = None
    cast: str = ""

    def value(self, row: Mapping[str, Any]) -> Any:
        found = row[self.field]
        return self.type.dump(self.null_as if found is None else found)


@dataclass(frozen=True)
class Keyset:
    """A list's order: unique together (the last key is the row's id), all in one direction,
    so `(a, b) < ($1, $2)` (or `>`, ascending) is the position after a row, and one index on
    the keys (after the list's equality filters) serves both the order and the comparison."""

    keys: tuple[SortKey, ...]
    descending: bool = True

    def order_by(self) -> str:
        direction = " DESC" if self.descending else ""
        return ", ".join(key.sql + direction for key in self.keys)

    def after(self, values: list[Any] | None, first_arg: int) -> tuple[str, list[Any]]:
        """The condition (with its leading AND) for rows after `values`, and its args,
        numbered from `first_arg`; 400 for values that do not fit the keys."""
        if values is None:
            return "", []
        if len(values) != len(self.keys):
            raise invalid_cursor()
        try:
            args = [key.type.load(value) for key, value in zip(self.keys, values, strict=True)]
        except (ValueError, TypeError):
            raise invalid_cursor() from None
        columns = ", ".join(key.sql for key in self.keys)
        params = ", ".join(f"${first_arg + i}{key.cast}" for i, key in enumerate(self.keys))
        return f" AND ({columns}) {'<' if self.descending else '>'} ({params})", args

    def cursor_values(self, row: Mapping[str, Any]) -> list[Any]:
        return [key.value(row) for key in self.keys]


def _by_creation(created_at: str, id_: str, *, descending: bool) -> Keyset:
    return Keyset(
        (
            SortKey(created_at, created_at.rpartition(".")[2], TIMESTAMP),
            SortKey(id_, id_.rpartition(".")[2], UUID),
        ),
        descending=descending,
    )


def newest_first(created_at: str = "created_at", id_: str = "id") -> Keyset:
    """`created_at DESC, id DESC`, the order of most lists (columns as the query names
    them, e.g. `newest_first("e.created_at", "e.id")`; the cursor reads `created_at`, `id`)."""
    return _by_creation(created_at, id_, descending=True)


def oldest_first(created_at: str = "created_at", id_: str = "id") -> Keyset:
    """`created_at, id`: queues served in the order they formed."""
    return _by_creation(created_at, id_, descending=False)


@dataclass(frozen=True)
class PageRequest:
    """One page asked of a list: its cursor kind (the list and its filters, so a cursor of
    another list is a 400), the page size and the decoded cursor (the keys of the last row
    served), checked against the codec's signature as the request is built."""

    cursors: CursorCodec
    kind: str
    limit: int
    after: list[Any] | None = None

    @classmethod
    def decode(cls, cursors: CursorCodec, kind: str, limit: int, cursor: str | None) -> Self:
        return cls(cursors, kind, limit, None if cursor is None else cursors.decode(kind, cursor))


async def paginate(
    conn: asyncpg.Connection,
    query: str,
    args: Sequence[Any],
    keyset: Keyset,
    page: PageRequest,
) -> tuple[list[asyncpg.Record], str | None]:
    """One page of `query`'s rows in the keyset's order, and the cursor of the next page (None
    on the last one).

    `query` is a constant SELECT that ends with its WHERE clause (`WHERE true` when it has
    no condition; an OR in it in parentheses, as the position is ANDed to it), with `args` as
    its `$1..$n`; this appends the position after the cursor, the ORDER BY and
    `LIMIT page.limit + 1` (the extra row tells whether a next page exists and is not
    returned). In a repository::

        NEWEST = newest_first()

        async def of_student(self, student_id, page: PageRequest):
            rows, next_cursor = await paginate(
                self.conn,
                f"SELECT {_COLUMNS} FROM payments WHERE student_id = $1",
                [student_id],
                NEWEST,
                page,
            )
            return [Payment(**dict(r)) for r in rows], next_cursor

    and in the service: `PageRequest.decode(cursors, "my_payments", limit, cursor)`.
    """
    condition, after_args = keyset.after(page.after, len(args) + 1)
    limit_arg = len(args) + len(after_args) + 1
    # Composed of constants only: the caller's SQL text, the keyset's expressions and
    # numbered placeholders; every value travels as a parameter.
    sql = f"{query}{condition} ORDER BY {keyset.order_by()} LIMIT ${limit_arg}"
    rows: list[asyncpg.Record] = await conn.fetch(sql, *args, *after_args, page.limit + 1)
    if len(rows) <= page.limit:
        return rows, None
    rows = rows[: page.limit]
    return rows, page.cursors.encode(page.kind, keyset.cursor_values(rows[-1]))
