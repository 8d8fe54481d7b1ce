"""Plain-SQL migrations: numbered files per component, a version table, an advisory lock.

Several workers of one service may start together; the advisory lock makes one of them apply
the files while the others wait and then find nothing left to do.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

logger = logging.getLogger("edu.migrations")

COMMON_MIGRATIONS = Path(__file__).parent / "sql"
_FILE = re.compile(r"^(\d{3,})_[a-z0-9_]+\.sql$")
_LOCK_KEY = 0x6564755F6D6967  # "edu_mig"


@dataclass(frozen=True)
class Migration:
    component: str
    version: str
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(component: str, directory: Path) -> list[Migration]:
    found = []
    for path in sorted(directory.iterdir()):
        match = _FILE.match(path.name)
        if match:
            found.append(Migration(component, match.group(1), path.name, path.read_text()))
        elif path.suffix == ".sql":
            raise ValueError(f"migration file name not understood: {path}")
    # By number, not by name: 1000_x.sql comes after 999_y.sql.
    found.sort(key=lambda m: int(m.version))
    return found


class MigrationError(RuntimeError):
    pass


async def migrate(conn: asyncpg.Connection, sources: list[tuple[str, Path]]) -> list[str]:
    """Apply every pending migration of each (component, directory), in order. Returns names."""
    applied_now: list[str] = []
    # A migration (and the wait for another worker's) may take longer than a request may.
    await conn.execute("SET statement_timeout = 0")
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                component text NOT NULL,
                version text NOT NULL,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (component, version)
            )
            """
        )
        rows = await conn.fetch("SELECT component, version, checksum FROM schema_migrations")
        done = {(r["component"], r["version"]): r["checksum"] for r in rows}
        for component, directory in sources:
            for migration in discover(component, directory):
                key = (component, migration.version)
                if key in done:
                    if done[key] != migration.checksum:
                        raise MigrationError(
                            f"{component}/{migration.name} changed after it was applied"
                        )
                    continue
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (component, version, name, checksum)"
                        " VALUES ($1, $2, $3, $4)",
                        component,
                        migration.version,
                        migration.name,
                        migration.checksum,
                    )
                applied_now.append(f"{component}/{migration.name}")
                logger.info("migration applied", extra={"migration": migration.name})
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
        # The pool does not reset a connection it gets back (edu_common.db): put the
        # connection's statement_timeout back to the pool's own.
        await conn.execute("RESET statement_timeout")
    return applied_now
