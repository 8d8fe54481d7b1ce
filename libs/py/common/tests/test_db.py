"""Transactions on real PostgreSQL: taken at the first query, committed or rolled back with the
block, after-commit steps, and a busy pool or a dead connection answered as 503."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Database

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any, cast

import asyncpg
import pytest
from edu_common.db import DatabaseUnavailableError, after_commit, create_pool, transaction
from edu_common.settings import ServiceSettings
from edu_devstack.testing import RunningService, Tokens, assert_problem


@pytest.fixture
async def one_connection(event_db: Any) -> AsyncIterator[asyncpg.Pool]:
    """A pool of exactly one connection on the test's database."""
    pool = await asyncpg.create_pool(event_db.url, min_size=1, max_size=1)
    try:
        yield pool
    finally:
        await pool.close()


async def test_transaction_takes_its_connection_at_the_first_query(
    one_connection: asyncpg.Pool,
) -> None:
    pool = one_connection
    async with transaction(pool, timeout=0.2) as conn:
        assert not conn.has_connection
        assert pool.get_idle_size() == 1
        assert await conn.fetchval("SELECT 1") == 1
        assert conn.has_connection
        # mypy keeps `has_connection` narrowed to False, but the query above changed it.
        assert pool.get_idle_size() == 0  # type: ignore[unreachable]
    assert not conn.has_connection
    assert pool.get_idle_size() == 1


async def test_request_that_does_not_query_holds_no_connection(
    sample_one_connection: RunningService,
) -> None:
    svc = sample_one_connection
    async with svc.pool.acquire():  # the only connection, held elsewhere
        r = await svc.client.get("/no-query")
        assert r.status_code == 200, r.text
        assert r.json() == {"holds_connection": False}
        assert_problem(await svc.client.get("/notes/1"), 503, "database_unavailable")


async def test_statements_share_one_transaction_that_commits_with_the_block(
    event_db: Database,
) -> None:
    pool = event_db.pool
    async with transaction(pool) as conn:
        await conn.execute("INSERT INTO effects (event_id, info) VALUES (gen_random_uuid(), 'a')")
        await conn.executemany(
            "INSERT INTO effects (event_id, info) VALUES (gen_random_uuid(), $1)", [("b",), ("c",)]
        )
        # Not visible outside before the commit.
        assert await pool.fetchval("SELECT count(*) FROM effects") == 0
        assert await conn.fetchval("SELECT count(*) FROM effects") == 3
        # An aggregate always answers with one row.
        row = cast(asyncpg.Record, await conn.fetchrow("SELECT count(*) AS n FROM effects"))
        assert row["n"] == 3
        assert len(await conn.fetch("SELECT info FROM effects")) == 3
    assert await pool.fetchval("SELECT count(*) FROM effects") == 3


async def test_reads_run_outside_any_transaction_each_on_a_connection_for_itself(
    one_connection: asyncpg.Pool,
) -> None:
    pool = one_connection
    steps: list[str] = []
    async with transaction(pool, timeout=0.2, reads_only=True) as conn:
        assert not conn.has_connection
        after_commit(conn, _record(steps, "after"))
        # No BEGIN was sent: the server sees no transaction block around the statements.
        first = await conn.fetchval("SELECT transaction_timestamp()")
        # The connection went back to the pool with the statement's answer.
        assert not conn.has_connection
        assert pool.get_idle_size() == 1
        second = await conn.fetchval("SELECT transaction_timestamp()")
        assert first < second
        # A failing statement leaves no aborted transaction behind: the next one runs.
        with pytest.raises(asyncpg.UndefinedTableError):
            await conn.fetchval("SELECT 1 FROM no_such_table")
        assert await conn.fetchval("SELECT 2") == 2
    assert steps == ["after"]
    assert pool.get_idle_size() == 1

    async def fails() -> None:
        async with transaction(pool, timeout=0.2, reads_only=True) as conn:
            after_commit(conn, _record(steps, "never"))
            await conn.fetchval("SELECT 1")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        await fails()
    assert steps == ["after"]
    assert pool.get_idle_size() == 1


def _record(steps: list[str], name: str) -> Any:
    async def step() -> None:
        steps.append(name)

    return step


async def test_block_that_raises_rolls_back_and_runs_no_after_commit_step(
    event_db: Database,
) -> None:
    pool = event_db.pool
    ran: list[str] = []

    async def step() -> None:
        ran.append("step")

    async def write_then_fail() -> None:
        async with transaction(pool) as conn:
            await conn.execute(
                "INSERT INTO effects (event_id, info) VALUES (gen_random_uuid(), 'x')"
            )
            after_commit(conn, step)
            raise LookupError

    with pytest.raises(LookupError):
        await write_then_fail()
    assert ran == []
    assert await pool.fetchval("SELECT count(*) FROM effects") == 0
    assert pool.get_idle_size() == pool.get_size()


async def test_after_commit_steps_run_in_order_once_the_commit_is_visible(
    event_db: Database,
) -> None:
    pool = event_db.pool
    seen: list[tuple[str, int]] = []

    def looking(name: str) -> Any:
        async def step() -> None:
            # Another connection: it sees the row only once the transaction has committed.
            seen.append((name, await pool.fetchval("SELECT count(*) FROM effects")))

        return step

    async with transaction(pool) as conn:
        after_commit(conn, looking("first"))
        await conn.execute("INSERT INTO effects (event_id, info) VALUES (gen_random_uuid(), 'x')")
        after_commit(conn, looking("second"))
        assert seen == []
    assert seen == [("first", 1), ("second", 1)]


async def test_failing_after_commit_step_keeps_the_commit_and_the_other_steps(
    event_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    pool = event_db.pool
    ran: list[str] = []

    async def broken() -> None:
        raise RuntimeError("cache down")

    async def fine() -> None:
        ran.append("fine")

    async with transaction(pool) as conn:
        await conn.execute("INSERT INTO effects (event_id, info) VALUES (gen_random_uuid(), 'x')")
        after_commit(conn, broken)
        after_commit(conn, fine)
    assert ran == ["fine"]
    assert await pool.fetchval("SELECT count(*) FROM effects") == 1
    assert "after-commit step failed" in caplog.text


async def test_after_commit_step_runs_even_when_nothing_was_queried(event_db: Database) -> None:
    ran: list[str] = []

    async def step() -> None:
        ran.append("step")

    async with transaction(event_db.pool) as conn:
        after_commit(conn, step)
    assert ran == ["step"]


async def test_after_commit_refuses_a_bare_connection_and_an_ended_transaction(
    event_db: Database,
) -> None:
    async def step() -> None:
        return None

    async with event_db.pool.acquire() as raw:
        with pytest.raises(TypeError):
            after_commit(raw, step)
    async with transaction(event_db.pool) as conn:
        pass
    with pytest.raises(asyncpg.InterfaceError):
        after_commit(conn, step)
    with pytest.raises(asyncpg.InterfaceError):
        await conn.fetchval("SELECT 1")


async def test_request_after_commit_step_runs_before_the_response_and_only_on_commit(
    sample: RunningService, tokens: Tokens
) -> None:
    svc = sample
    _, headers = tokens.student()
    seen = svc.app.state.seen_after_commit
    r = await svc.client.post("/notes", json={"text": "kept"}, headers=headers)
    assert r.status_code == 201, r.text
    assert seen == ["kept"]
    r = await svc.client.post(
        "/notes", json={"text": "gone", "fail_after_write": True}, headers=headers
    )
    assert_problem(r, 409, "rolled_back")
    assert seen == ["kept"]


async def test_exhausted_pool_is_database_unavailable(one_connection: asyncpg.Pool) -> None:
    pool = one_connection
    async with pool.acquire():  # the only connection, held elsewhere
        with pytest.raises(DatabaseUnavailableError) as raised:
            async with transaction(pool, timeout=0.2) as conn:
                await conn.fetchval("SELECT 1")
    assert raised.value.status == 503
    assert raised.value.code == "database_unavailable"
    assert raised.value.headers == {"Retry-After": "1"}
    async with transaction(pool, timeout=0.2) as conn:
        assert await conn.fetchval("SELECT 1") == 1


def _terminate_blocking(url: str, pid: int) -> None:
    """Ends a backend and waits until it is gone, blocking the caller's event loop meanwhile,
    so the pool cannot notice the closed socket before it next hands the connection out."""

    async def terminate() -> None:
        admin = await asyncpg.connect(url)
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1, 5000)", pid)
        finally:
            await admin.close()

    thread = threading.Thread(target=asyncio.run, args=(terminate(),))
    thread.start()
    thread.join()


async def test_connection_found_dead_before_any_statement_is_replaced(
    event_db: Database, one_connection: asyncpg.Pool, caplog: pytest.LogCaptureFixture
) -> None:
    pool = one_connection
    async with transaction(pool) as conn:
        dead_pid = await conn.fetchval("SELECT pg_backend_pid()")
    _terminate_blocking(event_db.url, dead_pid)
    async with transaction(pool, timeout=5) as conn:
        pid = await conn.fetchval("SELECT pg_backend_pid()")
        await conn.execute("INSERT INTO effects (event_id, info) VALUES (gen_random_uuid(), 'x')")
    assert pid != dead_pid
    assert "database connection lost, retrying on a new one" in caplog.text
    assert await pool.fetchval("SELECT count(*) FROM effects") == 1


async def test_connection_lost_after_a_write_is_database_unavailable(
    event_db: Database, one_connection: asyncpg.Pool
) -> None:
    pool = one_connection

    async def write_then_lose_the_connection() -> None:
        async with transaction(pool, timeout=5) as conn:
            await conn.execute(
                "INSERT INTO effects (event_id, info) VALUES (gen_random_uuid(), 'lost')"
            )
            _terminate_blocking(event_db.url, await conn.fetchval("SELECT pg_backend_pid()"))
            # Not retried on another connection: the insert before it is gone.
            await conn.execute(
                "INSERT INTO effects (event_id, info) VALUES (gen_random_uuid(), 'half')"
            )

    with pytest.raises(DatabaseUnavailableError):
        await write_then_lose_the_connection()
    # The dead connection was dropped: the pool serves the next transaction on a new one.
    async with transaction(pool, timeout=5) as conn:
        assert await conn.fetchval("SELECT count(*) FROM effects") == 0
    assert pool.get_size() == 1


async def test_connection_lost_at_commit_is_database_unavailable(
    event_db: Database, one_connection: asyncpg.Pool
) -> None:
    pool = one_connection
    pids: list[int] = []

    async def lose_the_connection_before_commit() -> None:
        async with transaction(pool, timeout=5) as conn:
            pids.append(await conn.fetchval("SELECT pg_backend_pid()"))
            _terminate_blocking(event_db.url, pids[0])

    with pytest.raises(DatabaseUnavailableError):
        await lose_the_connection_before_commit()
    async with transaction(pool, timeout=5) as conn:
        assert await conn.fetchval("SELECT pg_backend_pid()") != pids[0]


async def test_request_on_a_dead_connection_is_served_on_a_new_one(
    sample_one_connection: RunningService,
) -> None:
    svc = sample_one_connection
    async with svc.pool.acquire() as conn:
        dead_pid = await conn.fetchval("SELECT pg_backend_pid()")
    _terminate_blocking(svc.settings.database_url, dead_pid)
    assert_problem(await svc.client.get("/notes/1"), 404, "not_found")


async def test_a_statement_past_the_statement_timeout_is_database_unavailable(
    event_db: Any,
) -> None:
    settings = ServiceSettings(database_url=event_db.url, db_statement_timeout=0.2)
    pool = await create_pool(settings, min_size=1, max_size=1)
    try:
        with pytest.raises(DatabaseUnavailableError) as raised:
            async with transaction(pool, timeout=5) as conn:
                await conn.fetchval("SELECT pg_sleep(30)")
        assert raised.value.status == 503
        assert raised.value.headers == {"Retry-After": "1"}
        # The connection was fine: it serves the next transaction.
        async with transaction(pool, timeout=5) as conn:
            assert await conn.fetchval("SHOW statement_timeout") == "200ms"
    finally:
        await pool.close()


async def test_a_statement_the_client_gave_up_on_is_database_unavailable(event_db: Any) -> None:
    settings = ServiceSettings(
        database_url=event_db.url, db_statement_timeout=0, db_command_timeout=0.2
    )
    pool = await create_pool(settings, min_size=1, max_size=1)
    try:
        with pytest.raises(DatabaseUnavailableError):
            async with transaction(pool, timeout=5) as conn:
                await conn.fetchval("SELECT pg_sleep(30)")
        async with transaction(pool, timeout=5) as conn:
            assert await conn.fetchval("SELECT 1") == 1
    finally:
        await pool.close()
