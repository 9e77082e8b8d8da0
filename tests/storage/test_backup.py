"""Backups: an online copy of a live database that passes integrity_check."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from storage.backup import BackupError, backup_database
from storage.database import Database


async def _fill(db: Database, rows: int) -> None:
    """Create a table holding rows numbered rows."""
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT NOT NULL)")
        await conn.executemany(
            "INSERT INTO t (id, label) VALUES (?, ?)", [(i, f"row {i}") for i in range(rows)]
        )


def _rows(path: Path) -> list[tuple[int, str]]:
    """All rows of table t in the file at path."""
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT id, label FROM t ORDER BY id").fetchall()


def _integrity(path: Path) -> str:
    """The integrity_check verdict for the file at path."""
    with closing(sqlite3.connect(path)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


async def test_backup_of_live_database_has_same_rows(db: Database, tmp_path: Path) -> None:
    """A backup taken while the database is open (data still in the WAL) matches it and checks out."""
    await _fill(db, 500)
    destination = tmp_path / "backups" / "nested" / "copy.sqlite3"
    backup_database(db.path, destination)
    assert destination.is_file()
    assert _rows(destination) == [(i, f"row {i}") for i in range(500)]
    assert _integrity(destination) == "ok"
    # The copy is standalone: no WAL sidecar files, and nothing left over from the temporary copy.
    assert sorted(p.name for p in destination.parent.iterdir()) == ["copy.sqlite3"]
    with closing(sqlite3.connect(destination)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


async def test_backup_during_open_transaction_has_only_committed_rows(db: Database, tmp_path: Path) -> None:
    """Uncommitted writes in progress are not part of the copy."""
    await _fill(db, 3)
    destination = tmp_path / "copy.sqlite3"
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO t (id, label) VALUES (99, 'pending')")
        backup_database(db.path, destination)
    assert [r[0] for r in _rows(destination)] == [0, 1, 2]


async def test_backup_replaces_an_older_backup_only_when_told(db: Database, tmp_path: Path) -> None:
    """An existing backup is kept (BackupError) unless overwrite=True replaces it with current contents."""
    await _fill(db, 2)
    destination = tmp_path / "copy.sqlite3"
    backup_database(db.path, destination)
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO t (id, label) VALUES (2, 'row 2')")
    with pytest.raises(BackupError, match="already exists"):
        backup_database(db.path, destination)
    assert len(_rows(destination)) == 2
    backup_database(db.path, destination, overwrite=True)
    assert len(_rows(destination)) == 3


def test_missing_source_raises_and_creates_nothing(tmp_path: Path) -> None:
    """A missing source is a BackupError and is not created as an empty database."""
    source = tmp_path / "missing.sqlite3"
    destination = tmp_path / "out" / "copy.sqlite3"
    with pytest.raises(BackupError, match="no such database file") as info:
        backup_database(source, destination)
    assert "\n" not in str(info.value)
    assert not source.exists()
    assert not destination.exists()


def test_source_that_is_not_a_database(tmp_path: Path) -> None:
    """A file that is not SQLite gives a one-line BackupError and leaves no destination file."""
    source = tmp_path / "notes.txt"
    source.write_text("this is not a database\n" * 100, encoding="utf-8")
    destination = tmp_path / "copy.sqlite3"
    with pytest.raises(BackupError, match="not a database") as info:
        backup_database(source, destination)
    assert "\n" not in str(info.value)
    assert list(tmp_path.iterdir()) == [source]


async def test_refuses_to_overwrite_the_source(db: Database) -> None:
    """Backing a database up onto itself is refused and the source is untouched."""
    await _fill(db, 5)
    with pytest.raises(BackupError, match="onto itself"):
        backup_database(db.path, db.path)
    with pytest.raises(BackupError, match="onto itself"):
        backup_database(db.path, db.path.parent / "." / db.path.name)
    assert len(await db.fetchall("SELECT id FROM t")) == 5


def test_corrupt_source_fails_the_check(tmp_path: Path) -> None:
    """A source with damaged pages yields a BackupError instead of a silently bad copy."""
    source = tmp_path / "src.sqlite3"
    with closing(sqlite3.connect(source)) as conn:
        conn.execute("PRAGMA page_size = 1024")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT)")
        conn.execute("CREATE INDEX t_label ON t (label)")
        conn.executemany("INSERT INTO t VALUES (?, ?)", [(i, f"label {i}" * 5) for i in range(2000)])
        conn.commit()
    data = bytearray(source.read_bytes())
    # Scribble over the middle of the file, past the header and schema page.
    middle = len(data) // 2
    data[middle : middle + 4096] = b"\xff" * 4096
    source.write_bytes(bytes(data))
    destination = tmp_path / "copy.sqlite3"
    with pytest.raises(BackupError) as info:
        backup_database(source, destination)
    assert "\n" not in str(info.value)
    assert not destination.exists()


def test_inconsistent_index_fails_the_check(tmp_path: Path) -> None:
    """A copy whose index disagrees with its table is rejected with a short summary of the problems."""
    source = tmp_path / "src.sqlite3"
    with closing(sqlite3.connect(source)) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT, other TEXT)")
        conn.execute("CREATE INDEX t_label ON t (label)")
        conn.executemany("INSERT INTO t VALUES (?, ?, ?)", [(i, f"label {i}", f"z{-i}") for i in range(50)])
        conn.commit()
        # Point the index definition at another column so its stored entries no longer match the rows.
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute(
            "UPDATE sqlite_master SET sql = 'CREATE INDEX t_label ON t (other)' WHERE name = 't_label'"
        )
        conn.commit()
    destination = tmp_path / "copy.sqlite3"
    with pytest.raises(BackupError, match="missing from index t_label") as info:
        backup_database(source, destination)
    message = str(info.value)
    assert "\n" not in message
    assert "more)" in message and len(message) < 300
    assert not destination.exists()
