"""Keyset pages against real PostgreSQL: every row once, in order, whatever the ties."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from edu_common.errors import AppError
from edu_common.pagination import (
    INTEGER,
    NUMBER,
    UUID,
    CursorCodec,
    Keyset,
    PageRequest,
    SortKey,
    newest_first,
    oldest_first,
    paginate,
)

OWNER = uuid.UUID(int=1)
OTHER_OWNER = uuid.UUID(int=2)
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
QUERY = "SELECT id, created_at, rating, price FROM items WHERE owner = $1"

RATING = Keyset(
    (
        SortKey("coalesce(rating, -1)", "rating", NUMBER, null_as=-1, cast="::float8::numeric"),
        SortKey("id", "id", UUID),
    )
)
PRICE_ASC = Keyset((SortKey("price", "price", INTEGER), SortKey("id", "id", UUID)), False)


@pytest.fixture
async def conn(blank_database: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(blank_database)
    try:
        await connection.execute(
            "CREATE TABLE items (id uuid PRIMARY KEY, owner uuid NOT NULL,"
            " created_at timestamptz NOT NULL, rating numeric(3, 2), price integer NOT NULL)"
        )
        yield connection
    finally:
        await connection.close()


@pytest.fixture
def codec() -> CursorCodec:
    return CursorCodec("test-secret")


async def add_items(conn: asyncpg.Connection, count: int, owner: uuid.UUID = OWNER) -> None:
    """`count` items, four to a timestamp, a rating (or none) and a price shared by many."""
    await conn.executemany(
        "INSERT INTO items (id, owner, created_at, rating, price) VALUES ($1, $2, $3, $4, $5)",
        [
            (
                uuid.uuid4(),
                owner,
                EPOCH + timedelta(minutes=i // 4),
                None if i % 3 == 0 else (i % 5) + 0.5,
                (i % 4) * 100,
            )
            for i in range(count)
        ],
    )


async def all_pages(
    conn: asyncpg.Connection, codec: CursorCodec, keyset: Keyset, limit: int, kind: str = "items"
) -> list[list[asyncpg.Record]]:
    pages: list[list[asyncpg.Record]] = []
    cursor: str | None = None
    while True:
        page = PageRequest.decode(codec, kind, limit, cursor)
        rows, cursor = await paginate(conn, QUERY, [OWNER], keyset, page)
        pages.append(rows)
        if cursor is None:
            return pages
        assert len(pages) < 100, "the pages never end"


async def expected(conn: asyncpg.Connection, order: str) -> list[uuid.UUID]:
    rows = await conn.fetch(f"SELECT id FROM items WHERE owner = $1 ORDER BY {order}", OWNER)  # noqa: S608 - ORDER BY from the test's own constants
    return [r["id"] for r in rows]


def ids(pages: list[list[asyncpg.Record]]) -> list[uuid.UUID]:
    return [row["id"] for page in pages for row in page]


@pytest.mark.parametrize(
    ("keyset", "order"),
    [
        (newest_first(), "created_at DESC, id DESC"),
        (oldest_first(), "created_at, id"),
        (RATING, "coalesce(rating, -1) DESC, id DESC"),
        (PRICE_ASC, "price, id"),
    ],
    ids=["newest", "oldest", "rating-with-nulls", "price-asc"],
)
async def test_pages_cover_every_row_once_in_order_across_ties(
    conn: asyncpg.Connection, codec: CursorCodec, keyset: Keyset, order: str
) -> None:
    await add_items(conn, 23)
    await add_items(conn, 5, owner=OTHER_OWNER)

    pages = await all_pages(conn, codec, keyset, limit=3)

    assert ids(pages) == await expected(conn, order)
    assert len(set(ids(pages))) == 23
    assert [len(p) for p in pages] == [3] * 7 + [2]


async def test_a_page_boundary_inside_a_tie_neither_repeats_nor_skips(
    conn: asyncpg.Connection, codec: CursorCodec
) -> None:
    # Ten rows with one timestamp: every page boundary falls inside the tie.
    await conn.executemany(
        "INSERT INTO items (id, owner, created_at, price) VALUES ($1, $2, $3, 0)",
        [(uuid.uuid4(), OWNER, EPOCH) for _ in range(10)],
    )

    pages = await all_pages(conn, codec, newest_first(), limit=4)

    assert ids(pages) == await expected(conn, "id DESC")
    assert [len(p) for p in pages] == [4, 4, 2]


@pytest.mark.parametrize(("count", "sizes"), [(0, [0]), (4, [4]), (5, [4, 1]), (8, [4, 4])])
async def test_the_extra_row_tells_whether_a_next_page_exists(
    conn: asyncpg.Connection, codec: CursorCodec, count: int, sizes: list[int]
) -> None:
    await add_items(conn, count)

    pages = await all_pages(conn, codec, newest_first(), limit=4)

    assert [len(p) for p in pages] == sizes


async def test_the_cursor_holds_the_last_rows_keys(
    conn: asyncpg.Connection, codec: CursorCodec
) -> None:
    await add_items(conn, 7)
    page = PageRequest.decode(codec, "items", 3, None)

    rows, cursor = await paginate(conn, QUERY, [OWNER], RATING, page)

    assert cursor is not None
    last = rows[-1]
    rating = -1.0 if last["rating"] is None else float(last["rating"])
    assert codec.decode("items", cursor) == [rating, str(last["id"])]


async def test_a_cursor_of_another_list_is_a_400(
    conn: asyncpg.Connection, codec: CursorCodec
) -> None:
    await add_items(conn, 5)
    _, cursor = await paginate(
        conn, QUERY, [OWNER], newest_first(), PageRequest.decode(codec, "items", 2, None)
    )
    assert cursor is not None

    with pytest.raises(AppError) as raised:
        PageRequest.decode(codec, "other_items", 2, cursor)
    assert (raised.value.status, raised.value.code) == (400, "invalid_cursor")


@pytest.mark.parametrize(
    "values",
    [
        ["2026-01-01T00:00:00+00:00"],
        ["2026-01-01T00:00:00+00:00", str(OWNER), "extra"],
        ["yesterday", str(OWNER)],
        [1767225600, str(OWNER)],
        ["2026-01-01T00:00:00+00:00", "not-a-uuid"],
        ["2026-01-01T00:00:00+00:00", None],
    ],
)
async def test_signed_values_that_do_not_fit_the_keys_are_a_400(
    conn: asyncpg.Connection, codec: CursorCodec, values: list[Any]
) -> None:
    page = PageRequest.decode(codec, "items", 2, codec.encode("items", values))

    with pytest.raises(AppError) as raised:
        await paginate(conn, QUERY, [OWNER], newest_first(), page)
    assert (raised.value.status, raised.value.code) == (400, "invalid_cursor")


@pytest.mark.parametrize("value", [True, "3.5", None])
async def test_a_number_key_takes_only_numbers(
    conn: asyncpg.Connection, codec: CursorCodec, value: Any
) -> None:
    page = PageRequest.decode(codec, "items", 2, codec.encode("items", [value, str(OWNER)]))

    with pytest.raises(AppError) as raised:
        await paginate(conn, QUERY, [OWNER], RATING, page)
    assert raised.value.status == 400


async def test_a_query_with_no_filter_pages_too(
    conn: asyncpg.Connection, codec: CursorCodec
) -> None:
    await add_items(conn, 5)
    await add_items(conn, 4, owner=OTHER_OWNER)
    rows_seen: list[uuid.UUID] = []
    cursor: str | None = None
    while True:
        page = PageRequest.decode(codec, "all_items", 4, cursor)
        rows, cursor = await paginate(
            conn, "SELECT id, created_at FROM items WHERE true", [], newest_first(), page
        )
        rows_seen += [r["id"] for r in rows]
        if cursor is None:
            break

    everything = await conn.fetch("SELECT id FROM items ORDER BY created_at DESC, id DESC")
    assert rows_seen == [r["id"] for r in everything]


async def test_qualified_columns_are_read_back_by_their_names(
    conn: asyncpg.Connection, codec: CursorCodec
) -> None:
    await add_items(conn, 6)
    keyset = newest_first("i.created_at", "i.id")
    seen: list[uuid.UUID] = []
    cursor: str | None = None
    while True:
        page = PageRequest.decode(codec, "joined", 4, cursor)
        rows, cursor = await paginate(
            conn,
            "SELECT i.id, i.created_at FROM items i JOIN items j ON j.id = i.id WHERE i.owner = $1",
            [OWNER],
            keyset,
            page,
        )
        seen += [r["id"] for r in rows]
        if cursor is None:
            break

    assert seen == await expected(conn, "created_at DESC, id DESC")
