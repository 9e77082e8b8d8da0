"""The heartbeat repository on a real SQLite file, and the read-only reader `climabot health` uses."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.database import Database
from storage.heartbeat import HeartbeatRepository, HeartbeatUnavailable, read_heartbeat

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


async def test_no_heartbeat_until_a_bot_beats(migrated_db: Database) -> None:
    """A database no bot has run on has no heartbeat, for the repository and the reader alike."""
    assert await HeartbeatRepository(migrated_db).read() is None
    assert read_heartbeat(migrated_db.path) is None


async def test_beat_is_replaced_by_the_next_and_read_by_another_process(migrated_db: Database) -> None:
    """Each beat replaces the last one; the read-only reader sees what the bot wrote."""
    repo = HeartbeatRepository(migrated_db)
    await repo.beat(pid=41, host="box", started_at=START, now=START, connected=False)
    await repo.beat(pid=41, host="box", started_at=START, now=START + timedelta(seconds=30), connected=True)
    seen = read_heartbeat(migrated_db.path)
    assert seen is not None
    assert (seen.pid, seen.host, seen.connected, seen.stopped_at) == (41, "box", True, None)
    assert seen.beat_at == START + timedelta(seconds=30) and seen.started_at == START
    assert await repo.read() == seen


async def test_stopped_marks_only_this_process_and_a_new_bot_clears_it(migrated_db: Database) -> None:
    """A bot that stops marks the row; an old process stopping late does not hide a newer bot."""
    repo = HeartbeatRepository(migrated_db)
    await repo.beat(pid=41, host="box", started_at=START, now=START, connected=True)
    await repo.stopped(pid=41, now=START + timedelta(minutes=1))
    stopped = await repo.read()
    assert stopped is not None and stopped.stopped_at == START + timedelta(minutes=1)
    assert not stopped.connected
    later = START + timedelta(minutes=2)
    await repo.beat(pid=42, host="box", started_at=later, now=later, connected=True)
    await repo.stopped(pid=41, now=later)
    current = await repo.read()
    assert current is not None and current.pid == 42 and current.stopped_at is None and current.connected


def test_reader_never_creates_a_database(tmp_path: Path) -> None:
    """No file: the reader says so and leaves nothing behind."""
    missing = tmp_path / "none.sqlite3"
    with pytest.raises(HeartbeatUnavailable, match="no database at"):
        read_heartbeat(missing)
    assert not missing.exists()


def test_reader_on_a_database_without_the_table_says_migrate(tmp_path: Path) -> None:
    """An old or foreign database: the reader names the fix instead of failing with SQL."""
    path = tmp_path / "old.sqlite3"
    sqlite3.connect(path).close()
    with pytest.raises(HeartbeatUnavailable, match="run climabot migrate"):
        read_heartbeat(path)


def test_reader_on_a_file_that_is_no_database(tmp_path: Path) -> None:
    """A file that is not SQLite is reported in one line."""
    path = tmp_path / "notes.sqlite3"
    path.write_text("not a database\n" * 100)
    with pytest.raises(HeartbeatUnavailable, match="cannot read"):
        read_heartbeat(path)
