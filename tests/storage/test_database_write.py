"""Database.write(): a whole transaction in one call, inline when the writer is idle, batched when busy."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from storage import database as database_module
from storage.database import Database


async def _make_table(db: Database) -> None:
    """A table with a uniqueness rule, so one write in a batch can fail on its own."""
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE ballots (voter INTEGER PRIMARY KEY, option INTEGER NOT NULL)")


def _vote(voter: int, option: int = 0) -> Callable[[sqlite3.Connection], int]:
    """A write that inserts one ballot and returns the thread it ran on."""

    def work(conn: sqlite3.Connection) -> int:
        """Insert the ballot."""
        conn.execute("INSERT INTO ballots (voter, option) VALUES (?, ?)", (voter, option))
        return threading.get_ident()

    return work


async def _voters(db: Database) -> list[int]:
    """The committed ballots' voters, as the reader sees them."""
    return [int(row["voter"]) for row in await db.fetchall("SELECT voter FROM ballots ORDER BY voter")]


async def test_an_idle_writer_commits_at_once_on_the_loop_thread(db: Database) -> None:
    """With nobody writing, the transaction runs inline and is committed (visible to the reader) on return."""
    await _make_table(db)
    durations: list[float] = []
    db.on_transaction = durations.append
    ran_on = await db.write(_vote(1))
    assert ran_on == threading.get_ident()
    assert await _voters(db) == [1]
    assert len(durations) == 1 and durations[0] >= 0


async def test_a_failed_write_rolls_back_and_raises(db: Database) -> None:
    """An error inside the work leaves nothing behind, and the writer takes the next write."""
    await _make_table(db)

    def half_then_fail(conn: sqlite3.Connection) -> None:
        """Insert, then break the unique rule."""
        conn.execute("INSERT INTO ballots (voter, option) VALUES (5, 0)")
        conn.execute("INSERT INTO ballots (voter, option) VALUES (5, 1)")

    with pytest.raises(sqlite3.IntegrityError):
        await db.write(half_then_fail)
    assert await _voters(db) == []
    await db.write(_vote(6))
    assert await _voters(db) == [6]


async def test_writes_while_the_writer_is_busy_go_together_each_in_its_own_transaction(db: Database) -> None:
    """Queued behind a transaction(), writes run in one hop; one failing does not undo the others."""
    await _make_table(db)
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO ballots (voter, option) VALUES (1, 0)")
        waiting = [asyncio.ensure_future(db.write(_vote(voter))) for voter in (2, 1, 3)]
        await asyncio.sleep(0.01)
        assert not any(task.done() for task in waiting)  # nothing is answered before its commit
    done = await asyncio.gather(*waiting, return_exceptions=True)
    assert isinstance(done[1], sqlite3.IntegrityError)  # voter 1 was already there
    assert done[0] == done[2] != threading.get_ident()  # the writer's thread, in the same hop
    assert await _voters(db) == [1, 2, 3]


async def test_write_inside_own_transaction_is_refused(db: Database) -> None:
    """A write() from the task holding transaction() would wait for itself: refused loudly."""
    await _make_table(db)
    async with db.transaction():
        with pytest.raises(RuntimeError, match="own transaction"):
            await db.write(_vote(1))


async def test_many_concurrent_writes_are_all_committed(db: Database) -> None:
    """Writes from many tasks at once, mixed with transaction() users, all land exactly once."""
    await _make_table(db)

    async def through_transaction(voter: int) -> None:
        """The slow path, interleaved with the fast one."""
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO ballots (voter, option) VALUES (?, 1)", (voter,))

    jobs: list[Awaitable[Any]] = [db.write(_vote(voter)) for voter in range(0, 200, 2)]
    jobs += [through_transaction(voter) for voter in range(1, 200, 2)]
    await asyncio.gather(*jobs)
    assert await _voters(db) == list(range(200))


async def test_the_wal_is_copied_over_by_a_background_checkpoint_not_by_a_commit(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Commits never checkpoint (no vote waits for one); every CHECKPOINT_AFTER_COMMITS a thread does."""
    threads: list[int] = []
    checkpoint = database_module._checkpoint_passive

    def noted(conn: sqlite3.Connection) -> None:
        """Run the real checkpoint, noting the thread it ran on."""
        threads.append(threading.get_ident())
        checkpoint(conn)

    monkeypatch.setattr(database_module, "_checkpoint_passive", noted)
    marker = "Zr7-ballot-marker"
    async with db.transaction() as conn:
        async with conn.execute("PRAGMA wal_autocheckpoint") as cursor:
            assert (await cursor.fetchone())[0] == database_module.BACKSTOP_CHECKPOINT_PAGES  # type: ignore[index]
        await conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")

    def note(body: str) -> Callable[[sqlite3.Connection], None]:
        """A write that inserts one note."""
        return lambda conn: conn.execute("INSERT INTO notes (body) VALUES (?)", (body,)).close()

    for n in range(database_module.CHECKPOINT_AFTER_COMMITS - 2):
        await db.write(note(f"{marker} {n}"))
    # Everything is committed, yet only in the WAL: no commit copied it over.
    assert len(await db.fetchall("SELECT id FROM notes")) == database_module.CHECKPOINT_AFTER_COMMITS - 2
    assert threads == [] and marker.encode() not in db.path.read_bytes()
    await db.write(note("last"))
    running = db._checkpointing
    assert running is not None
    await running
    assert len(threads) == 1 and threads[0] != threading.get_ident()
    assert marker.encode() in db.path.read_bytes()
