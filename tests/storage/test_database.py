"""Database: pragmas, transactions, the single writer and the separate reader."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from storage.database import Database, DatabaseOpenError


async def _pragma(db: Database, name: str) -> object:
    """Read one pragma's value through the reader connection."""
    row = await db.fetchone(f"PRAGMA {name}")
    assert row is not None
    return row[0]


async def _make_counter(db: Database) -> None:
    """Create a one-row counter table starting at zero."""
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        await conn.execute("INSERT INTO counter (id, n) VALUES (1, 0)")


async def _increment(db: Database) -> None:
    """Read the counter and write it back plus one, yielding to other tasks in between."""
    async with db.transaction() as conn:
        async with conn.execute("SELECT n FROM counter WHERE id = 1") as cursor:
            row = await cursor.fetchone()
        assert row is not None
        await asyncio.sleep(0)
        await conn.execute("UPDATE counter SET n = ? WHERE id = 1", (row["n"] + 1,))


async def _counter(db: Database) -> int:
    """The counter's committed value."""
    row = await db.fetchone("SELECT n FROM counter WHERE id = 1")
    assert row is not None
    return int(row["n"])


async def test_open_creates_parent_folders_and_file(db_path: Path) -> None:
    """open() creates missing folders and the database file."""
    assert not db_path.parent.exists()
    db = Database(db_path)
    await db.open()
    try:
        assert await asyncio.to_thread(db_path.is_file)
        assert db.path == db_path
        assert db.is_open
    finally:
        await db.close()
    assert not db.is_open


@pytest.mark.parametrize("obstacle", ["folder", "file in the way", "not a database"])
async def test_unusable_path_is_one_clear_error(tmp_path: Path, obstacle: str) -> None:
    """A path that cannot hold a database raises DatabaseOpenError naming it, and leaves nothing open."""
    if obstacle == "folder":
        path = tmp_path / "db.sqlite3"
        path.mkdir()
    elif obstacle == "file in the way":
        (tmp_path / "blocker").write_text("a file where a folder should be", encoding="utf-8")
        path = tmp_path / "blocker" / "db.sqlite3"
    else:
        path = tmp_path / "db.sqlite3"
        path.write_bytes(b"this is not an SQLite file, only some text long enough to look like a header")
    db = Database(path)
    with pytest.raises(DatabaseOpenError, match=f"cannot open database {path}") as caught:
        await db.open()
    assert "\n" not in str(caught.value)
    assert not db.is_open


async def test_pragmas_on_reader(db: Database) -> None:
    """The reader runs with WAL, foreign keys, the busy timeout and synchronous=NORMAL."""
    assert await _pragma(db, "journal_mode") == "wal"
    assert await _pragma(db, "foreign_keys") == 1
    assert await _pragma(db, "busy_timeout") == 5000
    assert await _pragma(db, "synchronous") == 1  # NORMAL


async def test_pragmas_on_writer(db_path: Path) -> None:
    """The writer has the same pragmas, including a custom busy timeout."""
    db = Database(db_path, busy_timeout_ms=1234)
    await db.open()
    try:
        async with db.transaction() as conn:
            values = {}
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous"):
                async with conn.execute(f"PRAGMA {name}") as cursor:
                    row = await cursor.fetchone()
                assert row is not None
                values[name] = row[0]
        assert values == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 1234, "synchronous": 1}
        async with db.transaction() as conn, conn.execute("PRAGMA secure_delete") as cursor:
            row = await cursor.fetchone()
        assert row is not None and row[0] == 1, "the writer always overwrites deleted content"
    finally:
        await db.close()


async def test_foreign_keys_are_enforced(db: Database) -> None:
    """A row pointing at a missing parent is rejected and the transaction rolled back."""
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        await conn.execute(
            "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id))"
        )
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO child (id, parent_id) VALUES (1, 99)")
    assert await db.fetchall("SELECT * FROM child") == []


async def test_transaction_commits(db: Database) -> None:
    """Rows written in a successful transaction are visible to the reader afterwards."""
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE t (x INTEGER)")
        await conn.execute("INSERT INTO t (x) VALUES (?)", (42,))
    rows = await db.fetchall("SELECT x FROM t")
    assert [tuple(r) for r in rows] == [(42,)]
    row = await db.fetchone("SELECT x FROM t WHERE x = :x", {"x": 42})
    assert row is not None and row["x"] == 42


async def test_transaction_rolls_back_on_exception(db: Database) -> None:
    """An exception inside the block undoes its writes and is re-raised unchanged."""
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE t (x INTEGER)")

    class Boom(Exception):
        """An application error raised mid-transaction."""

    with pytest.raises(Boom):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO t (x) VALUES (1)")
            raise Boom
    assert await db.fetchone("SELECT x FROM t") is None
    # The writer is usable again afterwards.
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO t (x) VALUES (2)")
    assert [r["x"] for r in await db.fetchall("SELECT x FROM t")] == [2]


async def test_transaction_rolls_back_on_sql_error(db: Database) -> None:
    """A failing statement rolls back the earlier statements of the same transaction."""
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE t (x INTEGER UNIQUE)")
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO t (x) VALUES (1)")
            await conn.execute("INSERT INTO t (x) VALUES (1)")
    assert await db.fetchall("SELECT x FROM t") == []


async def test_concurrent_transactions_are_serialized(db: Database) -> None:
    """Fifty tasks each doing read-modify-write in a transaction produce exactly fifty."""
    await _make_counter(db)
    await asyncio.gather(*(_increment(db) for _ in range(50)))
    assert await _counter(db) == 50


async def test_two_database_objects_on_one_file(db: Database) -> None:
    """A second writer on the same file (like another process) waits via busy_timeout, losing nothing."""
    await _make_counter(db)
    other = Database(db.path)
    await other.open()
    try:
        await asyncio.gather(*(_increment(d) for _ in range(20) for d in (db, other)))
    finally:
        await other.close()
    assert await _counter(db) == 40


async def test_reader_does_not_see_uncommitted_write(db: Database) -> None:
    """While a transaction is open its writes are invisible to the reader; after commit they show."""
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE t (x INTEGER)")
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO t (x) VALUES (7)")
        assert await db.fetchone("SELECT x FROM t") is None
        async with conn.execute("SELECT x FROM t") as cursor:
            assert [r[0] for r in await cursor.fetchall()] == [7]
    row = await db.fetchone("SELECT x FROM t")
    assert row is not None and row["x"] == 7


async def test_reader_cannot_write(db: Database) -> None:
    """Writes through the read helpers are refused, so every change goes through transaction()."""
    with pytest.raises(sqlite3.OperationalError):
        await db.fetchall("CREATE TABLE sneaky (x INTEGER)")


async def test_nested_transaction_is_refused(db: Database) -> None:
    """Opening a transaction inside one's own transaction fails instead of deadlocking."""
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(RuntimeError, match="re-entrant"):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO t (x) VALUES (1)")
            async with db.transaction():
                pass
    assert await db.fetchall("SELECT x FROM t") == []


async def _hold_transaction(db: Database, release: asyncio.Event) -> asyncio.Task[None]:
    """Create table t, then start a task that inserts x=1 and keeps its transaction open until release."""
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE t (x INTEGER)")
    inside = asyncio.Event()

    async def writer() -> None:
        """Write a row, then wait inside the transaction."""
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO t (x) VALUES (1)")
            inside.set()
            await release.wait()

    task = asyncio.create_task(writer())
    await asyncio.wait_for(inside.wait(), timeout=5)
    return task


async def test_cancelled_transaction_rolls_back_and_releases_the_lock(db: Database) -> None:
    """Cancelling a task mid-transaction undoes its writes and lets the next transaction run."""
    task = await _hold_transaction(db, asyncio.Event())
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with asyncio.timeout(5):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO t (x) VALUES (2)")
    assert [r["x"] for r in await db.fetchall("SELECT x FROM t")] == [2]


async def test_close_is_idempotent_and_helpers_fail_after(db_path: Path) -> None:
    """close() twice is fine; using a closed database raises a clear error."""
    db = Database(db_path)
    await db.open()
    await db.close()
    await db.close()
    with pytest.raises(RuntimeError, match="not open"):
        await db.fetchone("SELECT 1")
    with pytest.raises(RuntimeError, match="not open"):
        async with db.transaction():
            pass


async def test_close_before_open_is_a_no_op(db_path: Path) -> None:
    """Closing a never-opened database does nothing and creates no file."""
    await Database(db_path).close()
    assert not await asyncio.to_thread(db_path.exists)


async def test_open_twice_is_refused(db: Database) -> None:
    """A second open() on an open database is an error, not a connection leak."""
    with pytest.raises(RuntimeError, match="already open"):
        await db.open()


async def test_close_waits_for_running_transaction(db: Database) -> None:
    """close() lets an in-flight transaction commit before closing the writer."""
    release = asyncio.Event()
    task = await _hold_transaction(db, release)
    closer = asyncio.create_task(db.close())
    await asyncio.sleep(0)
    assert not closer.done()
    release.set()
    await asyncio.wait_for(asyncio.gather(task, closer), timeout=5)
    with closing(sqlite3.connect(db.path)) as check:
        assert check.execute("SELECT x FROM t").fetchall() == [(1,)]


def _files_holding(db_path: Path, needle: bytes) -> list[str]:
    """Names of the database file and its WAL whose raw bytes contain needle."""
    paths = [db_path, db_path.with_name(db_path.name + "-wal")]
    return [p.name for p in paths if p.exists() and needle in p.read_bytes()]


async def test_deleted_text_leaves_no_bytes_after_a_truncating_checkpoint(
    db: Database, db_path: Path
) -> None:
    """secure_delete zeroes the deleted row; checkpoint_truncate copies that out and empties the WAL."""
    secret = b"Xq9-deleted-text-marker"
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        await conn.executemany(
            "INSERT INTO notes (body) VALUES (?)", [(f"keep {n} " * 20,) for n in range(50)]
        )
        await conn.execute("INSERT INTO notes (body) VALUES (?)", (secret.decode() + " story",))
        # Rows after it too: without secure_delete a cell in the middle of a page keeps its bytes.
        await conn.executemany(
            "INSERT INTO notes (body) VALUES (?)", [(f"after {n} " * 20,) for n in range(50)]
        )
    assert await db.checkpoint_truncate()
    # In the file now, and not only in the WAL: the test would fail without secure_delete.
    assert _files_holding(db_path, secret) == [db_path.name]
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM notes WHERE body LIKE ?", (secret.decode() + "%",))
    # The zeroed page waits in the WAL; the file keeps the text until a checkpoint copies it over.
    assert _files_holding(db_path, secret) == [db_path.name]

    assert await db.checkpoint_truncate()
    assert _files_holding(db_path, secret) == []
    assert db_path.with_name(db_path.name + "-wal").stat().st_size == 0
    assert len(await db.fetchall("SELECT id FROM notes")) == 100


async def test_checkpoint_inside_own_transaction_is_refused(db: Database) -> None:
    """A checkpoint needs the write lock, so calling it from inside a transaction fails instead of hanging."""
    with pytest.raises(RuntimeError, match="own transaction"):
        async with db.transaction():
            await db.checkpoint_truncate()


async def _wal_with_unread_frames(db: Database, db_path: Path) -> sqlite3.Connection:
    """A table with a row, another connection holding a snapshot of it, then a write it has not seen."""
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        await conn.execute("INSERT INTO notes (body) VALUES ('first')")
    reader = sqlite3.connect(db_path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT * FROM notes").fetchall()
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO notes (body) VALUES ('second')")
    return reader


async def test_checkpoint_retries_until_a_reader_lets_go_of_the_wal(db_path: Path) -> None:
    """A reader holding an old snapshot for a moment delays the erasure checkpoint, it does not defeat it."""
    db = Database(db_path, busy_timeout_ms=50)
    await db.open()
    try:
        reader = await _wal_with_unread_frames(db, db_path)
        with closing(reader):
            asyncio.get_running_loop().call_later(0.2, reader.commit)
            assert await db.checkpoint_truncate()
        assert db_path.with_name(db_path.name + "-wal").stat().st_size == 0
    finally:
        await db.close()


async def test_checkpoint_gives_up_after_a_bounded_time_and_warns(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A reader that never lets go: the checkpoint reports failure within its bound and logs a warning."""
    db = Database(db_path, busy_timeout_ms=50)
    await db.open()
    try:
        reader = await _wal_with_unread_frames(db, db_path)
        with closing(reader):
            loop = asyncio.get_running_loop()
            began = loop.time()
            assert not await db.checkpoint_truncate()
            assert loop.time() - began < 3
            reader.commit()
        assert "did not complete" in caplog.text
        # Writes still work after the failed attempts, and the next checkpoint succeeds.
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO notes (body) VALUES ('third')")
        assert await db.checkpoint_truncate()
    finally:
        await db.close()
