"""Fixtures for storage tests: real SQLite files in a temporary folder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.database import Database
from storage.migrate import apply_migrations


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test's database file lives (inside a folder that does not exist yet)."""
    return tmp_path / "data" / "climabot.sqlite3"


@pytest.fixture
async def db(db_path: Path) -> AsyncIterator[Database]:
    """An open, empty database, closed after the test."""
    database = Database(db_path)
    await database.open()
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def migrated_db(db: Database) -> Database:
    """An open database with every real migration applied."""
    await apply_migrations(db)
    return db
