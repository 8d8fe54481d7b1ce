"""Plain-SQL migrations on a real PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from edu_common.migrations import COMMON_MIGRATIONS, MigrationError, migrate


def write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(exist_ok=True)
    for name, sql in files.items():
        (directory / name).write_text(sql)
    return directory


@pytest.fixture
async def conn(blank_database: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(blank_database)
    try:
        yield connection
    finally:
        await connection.close()


async def test_applies_in_order_and_records_versions(
    conn: asyncpg.Connection, tmp_path: Path
) -> None:
    source = write(
        tmp_path / "m",
        {
            "002_add_column.sql": "ALTER TABLE items ADD COLUMN label text;",
            "001_create.sql": "CREATE TABLE items (id int PRIMARY KEY);",
            "010_seed.sql": "INSERT INTO items (id, label) VALUES (1, 'first');",
            "README.md": "not a migration",
        },
    )
    applied = await migrate(conn, [("common", COMMON_MIGRATIONS), ("shop", source)])
    assert applied == [
        "common/001_events.sql",
        "common/002_mail_give_up.sql",
        "shop/001_create.sql",
        "shop/002_add_column.sql",
        "shop/010_seed.sql",
    ]
    rows = await conn.fetch(
        "SELECT component, version, name, checksum FROM schema_migrations ORDER BY 1, 2"
    )
    assert [(r["component"], r["version"], r["name"]) for r in rows] == [
        ("common", "001", "001_events.sql"),
        ("common", "002", "002_mail_give_up.sql"),
        ("shop", "001", "001_create.sql"),
        ("shop", "002", "002_add_column.sql"),
        ("shop", "010", "010_seed.sql"),
    ]
    assert all(len(r["checksum"]) == 64 for r in rows)
    assert await conn.fetchval("SELECT label FROM items WHERE id = 1") == "first"

    # A second run has nothing to do; a new file is picked up on the next.
    assert await migrate(conn, [("common", COMMON_MIGRATIONS), ("shop", source)]) == []
    write(source, {"011_more.sql": "INSERT INTO items (id) VALUES (2);"})
    assert await migrate(conn, [("shop", source)]) == ["shop/011_more.sql"]
    assert await conn.fetchval("SELECT count(*) FROM items") == 2


async def test_versions_are_ordered_as_numbers(conn: asyncpg.Connection, tmp_path: Path) -> None:
    source = write(
        tmp_path / "m",
        {
            "999_create.sql": "CREATE TABLE items (id int);",
            "1000_seed.sql": "INSERT INTO items VALUES (1);",
        },
    )
    assert await migrate(conn, [("shop", source)]) == ["shop/999_create.sql", "shop/1000_seed.sql"]


async def test_concurrent_runs_apply_each_file_once(blank_database: str, tmp_path: Path) -> None:
    source = write(
        tmp_path / "m",
        {
            "001_create.sql": "CREATE TABLE runs (n int); SELECT pg_sleep(0.2);",
            "002_seed.sql": "INSERT INTO runs VALUES (1); SELECT pg_sleep(0.1);",
            "003_seed.sql": "INSERT INTO runs VALUES (2);",
        },
    )
    conns = [await asyncpg.connect(blank_database) for _ in range(4)]
    try:
        results = await asyncio.gather(*(migrate(c, [("w", source)]) for c in conns))
        assert sorted(len(r) for r in results) == [0, 0, 0, 3]
        assert await conns[0].fetchval("SELECT count(*) FROM runs") == 2
        assert await conns[0].fetchval("SELECT count(*) FROM schema_migrations") == 3
        # The lock is released by every run: a later one gets it at once.
        assert await asyncio.wait_for(migrate(conns[1], [("w", source)]), 5) == []
    finally:
        for c in conns:
            await c.close()


async def test_a_changed_file_is_refused(conn: asyncpg.Connection, tmp_path: Path) -> None:
    source = write(tmp_path / "m", {"001_create.sql": "CREATE TABLE items (id int);"})
    await migrate(conn, [("shop", source)])
    write(source, {"001_create.sql": "CREATE TABLE items (id bigint);"})
    with pytest.raises(MigrationError, match="changed after it was applied"):
        await migrate(conn, [("shop", source)])
    # The advisory lock was released despite the failure.
    assert await conn.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == 0


@pytest.mark.parametrize("name", ["1_short.sql", "001-dashes.sql", "001_Upper.sql", "abc.sql"])
async def test_badly_named_file_is_refused(
    conn: asyncpg.Connection, tmp_path: Path, name: str
) -> None:
    source = write(tmp_path / "m", {"001_ok.sql": "SELECT 1;", name: "SELECT 1;"})
    with pytest.raises(ValueError, match="not understood"):
        await migrate(conn, [("shop", source)])
    assert await conn.fetchval("SELECT count(*) FROM schema_migrations") == 0


async def test_failing_migration_rolls_back_and_is_retried(
    conn: asyncpg.Connection, tmp_path: Path
) -> None:
    source = write(
        tmp_path / "m",
        {
            "001_create.sql": "CREATE TABLE items (id int);",
            "002_broken.sql": "INSERT INTO items VALUES (1); SELECT no_such_function();",
        },
    )
    with pytest.raises(asyncpg.PostgresError):
        await migrate(conn, [("shop", source)])
    assert await conn.fetchval("SELECT count(*) FROM items") == 0
    assert await conn.fetchval("SELECT array_agg(version) FROM schema_migrations") == ["001"]
    write(source, {"002_broken.sql": "INSERT INTO items VALUES (1);"})
    assert await migrate(conn, [("shop", source)]) == ["shop/002_broken.sql"]
