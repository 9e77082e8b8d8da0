"""Ordered SQL migrations: each `NNNN_name.sql` file runs with its version record in one transaction."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from storage.database import Database
from storage.times import to_db_time

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

_FILE_NAME = re.compile(r"^(\d{4})_([A-Za-z0-9_]+)\.sql$")

_CREATE_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
)
"""


class MigrationError(Exception):
    """A migration file is misnamed, duplicated or failed to apply."""


@dataclass(frozen=True)
class Migration:
    """One migration file: its version number, its name and where it lives."""

    version: int
    name: str
    path: Path


def discover_migrations(directory: Path | None = None) -> list[Migration]:
    """List the migration files in a folder, sorted by version, rejecting bad names and duplicates."""
    folder = MIGRATIONS_DIR if directory is None else directory
    if not folder.is_dir():
        raise MigrationError(f"migrations folder {folder} does not exist")
    by_version: dict[int, Migration] = {}
    for path in sorted(folder.iterdir()):
        if path.is_dir():
            continue
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise MigrationError(f"{path.name}: migration files must be named NNNN_name.sql (in {folder})")
        version = int(match.group(1))
        if version == 0:
            raise MigrationError(f"{path.name}: migration versions start at 0001")
        if version in by_version:
            raise MigrationError(
                f"{path.name}: version {version} is also used by {by_version[version].path.name}"
            )
        by_version[version] = Migration(version, match.group(2), path)
    return [by_version[v] for v in sorted(by_version)]


def split_statements(script: str) -> list[str]:
    """Split an SQL script into complete statements, keeping semicolons inside strings and triggers."""
    statements: list[str] = []
    buffer = ""
    pieces = script.split(";")
    for index, piece in enumerate(pieces):
        buffer += piece
        if index < len(pieces) - 1:
            buffer += ";"
            # complete_statement knows about quotes, comments and CREATE TRIGGER ... END bodies.
            if sqlite3.complete_statement(buffer):
                statements.append(buffer.strip())
                buffer = ""
    if _has_sql(buffer):
        statements.append(buffer.strip())
    return statements


def _has_sql(text: str) -> bool:
    """Whether text holds anything besides whitespace and comments."""
    without_block = re.sub(r"/\*.*?(\*/|$)", " ", text, flags=re.DOTALL)
    without_line = re.sub(r"--[^\n]*", " ", without_block)
    return bool(without_line.strip())


async def current_version(db: Database) -> int:
    """The highest applied migration version, or 0 for a database that has none."""
    if not await _has_version_table(db):
        return 0
    row = await db.fetchone("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
    return int(row[0]) if row is not None else 0


async def apply_migrations(db: Database, directory: Path | None = None) -> list[int]:
    """Apply every pending migration in version order and return the versions applied."""
    # File reads happen off the event loop; every file is read and split before anything is applied.
    loaded = await asyncio.to_thread(_load_migrations, directory)
    known = {migration.version for migration, _ in loaded}
    async with db.transaction() as conn:
        await conn.execute(_CREATE_VERSION_TABLE)
        applied = await _applied_versions(conn)
    for version, name in applied.items():
        if version not in known:
            raise MigrationError(
                f"database has migration {version:04d}_{name} which is not in {directory or MIGRATIONS_DIR};"
                " this code is older than the database"
            )
    done: list[int] = []
    for migration, statements in loaded:
        if migration.version in applied:
            continue
        if await _apply_one(db, migration, statements):
            done.append(migration.version)
    return done


def _load_migrations(directory: Path | None) -> list[tuple[Migration, list[str]]]:
    """Discover the migration files and split each into statements."""
    loaded = []
    for migration in discover_migrations(directory):
        try:
            script = migration.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise MigrationError(f"{migration.path.name}: cannot read: {_one_line(exc)}") from exc
        loaded.append((migration, split_statements(script)))
    return loaded


async def _apply_one(db: Database, migration: Migration, statements: list[str]) -> bool:
    """Run one migration and record it in the same transaction; False if someone else already did."""
    async with db.transaction() as conn:
        # Re-checked under the write lock: another process may have applied it since we looked.
        if migration.version in await _applied_versions(conn):
            return False
        for number, statement in enumerate(statements, start=1):
            try:
                await conn.execute(statement)
            except sqlite3.Error as exc:
                raise MigrationError(
                    f"{migration.path.name} failed at statement {number}: {_one_line(exc)}"
                ) from exc
        await conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
            (migration.version, migration.name, to_db_time(datetime.now(UTC), timespec="seconds")),
        )
    return True


async def _applied_versions(conn: aiosqlite.Connection) -> dict[int, str]:
    """Applied versions and their names, read on the given connection."""
    async with conn.execute("SELECT version, name FROM schema_migrations") as cursor:
        return {int(row[0]): str(row[1]) for row in await cursor.fetchall()}


async def _has_version_table(db: Database) -> bool:
    """Whether the schema_migrations table exists yet."""
    row = await db.fetchone("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    return row is not None


def _one_line(exc: BaseException) -> str:
    """An exception's message collapsed onto one line."""
    return " ".join(str(exc).split()) or type(exc).__name__
