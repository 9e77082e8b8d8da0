"""One SQLite database: a single serialized writer connection and a separate reader connection.

Writes go through `transaction()` (an async block, one thread hop per statement) or `write()` (a plain
function for short hot transactions such as a vote: run at once on the loop when the writer is idle,
else queued and run with the other waiting writes in one hop to the writer's thread). The WAL is
copied into the database file by a checkpoint on a connection and thread of its own, never inside a
commit, so no write waits for one.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import Any, TypeVar, cast

import aiosqlite

log = logging.getLogger(__name__)
# An erasure's checkpoint is tried this often, this far apart, while a reader holds old WAL frames.
CHECKPOINT_ATTEMPTS = 3
CHECKPOINT_PAUSE_SECONDS = 0.25
# After this many commits a background checkpoint copies the WAL into the database file (PASSIVE: it
# never blocks a writer). SQLite's own automatic checkpoint would run inside the commit that crosses
# 1000 pages (on the event loop's thread when write() runs there) and wait for fsync; it stays on as a
# backstop at a size only a huge transaction reaches between two background checkpoints.
CHECKPOINT_AFTER_COMMITS = 100
BACKSTOP_CHECKPOINT_PAGES = 20000

Params = Iterable[Any] | Mapping[str, Any]
T = TypeVar("T")
# A write() on the writer's thread: its outcome (True and the value, or False and the error) and duration.
_Outcome = tuple[bool, Any, float]


class DatabaseOpenError(Exception):
    """The database file cannot be created or opened; the message is one line naming the file."""


class Database:
    """An SQLite file in WAL mode with one writer (transactions) and one reader (queries)."""

    def __init__(self, path: Path, *, busy_timeout_ms: int = 5000) -> None:
        """Remember where the database lives; nothing is opened until `open()`."""
        if busy_timeout_ms < 0:
            raise ValueError("busy_timeout_ms must not be negative")
        self._path = Path(path)
        self._busy_timeout_ms = busy_timeout_ms
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        # The task inside transaction(); lets a nested call fail loudly instead of deadlocking.
        self._lock_owner: asyncio.Task[Any] | None = None
        # Told how long each write transaction took (seconds), e.g. for metrics; storage knows no more.
        self.on_transaction: Callable[[float], None] | None = None
        # write() calls waiting for the writer's thread, and the task that hands them over in batches.
        self._queued: list[tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any]]] = []
        self._drainer: asyncio.Task[None] | None = None
        # The background checkpoint's own connection, the one running now, and commits since the last.
        self._checkpointer: sqlite3.Connection | None = None
        self._checkpointing: asyncio.Future[None] | None = None
        self._commits = 0

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def is_open(self) -> bool:
        """Whether `open()` has succeeded and `close()` has not been called since."""
        return self._writer is not None

    async def open(self) -> None:
        """Create parent folders and open the writer and reader connections, or raise DatabaseOpenError."""
        if self._writer is not None:
            raise RuntimeError(f"database {self._path} is already open")
        try:
            await asyncio.to_thread(_probe, self._path)
            await self._open_connections()
        except (OSError, sqlite3.Error) as exc:
            raise DatabaseOpenError(f"cannot open database {self._path}: {_reason(exc)}") from exc

    async def _open_connections(self) -> None:
        """Open the writer (switching the file to WAL) and then the read-only reader."""
        # The writer may be used from the loop's thread too (write(), only while no one holds the lock).
        writer = await self._connect(check_same_thread=False)
        try:
            # WAL is a property of the file, so it is set once through the writer before the reader opens.
            async with writer.execute("PRAGMA journal_mode=WAL") as cursor:
                row = await cursor.fetchone()
            mode = str(row[0]).lower() if row is not None else ""
            if mode != "wal":
                raise DatabaseOpenError(
                    f"cannot open database {self._path}: no WAL journal mode (got {mode!r})"
                )
            # Deleted rows are overwritten with zeros, so erased text does not linger in free pages.
            await writer.execute("PRAGMA secure_delete=ON")
            await writer.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_CHECKPOINT_PAGES}")
            reader = await self._connect()
        except BaseException:
            await writer.close()
            raise
        try:
            # A reader that cannot write keeps every change inside transaction().
            await reader.execute("PRAGMA query_only=ON")
            checkpointer = await asyncio.to_thread(_open_checkpointer, self._path)
        except BaseException:
            await reader.close()
            await writer.close()
            raise
        self._writer, self._reader, self._checkpointer = writer, reader, checkpointer

    async def _connect(self, *, check_same_thread: bool = True) -> aiosqlite.Connection:
        """Open one connection with autocommit semantics and the per-connection pragmas."""
        # isolation_level=None stops Python's sqlite3 from issuing implicit BEGINs; we issue our own.
        conn = await aiosqlite.connect(self._path, isolation_level=None, check_same_thread=check_same_thread)
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute(f"PRAGMA busy_timeout={int(self._busy_timeout_ms)}")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA synchronous=NORMAL")
        except BaseException:
            await conn.close()
            raise
        return conn

    async def close(self) -> None:
        """Wait for a running transaction to finish, then close both connections; safe to call twice."""
        if self._writer is None and self._reader is None:
            return
        if self._lock_owner is not None and self._lock_owner is asyncio.current_task():
            raise RuntimeError("close() called inside this database's own transaction")
        async with self._write_lock:
            writer, reader, checkpointer = self._writer, self._reader, self._checkpointer
            self._writer = self._reader = self._checkpointer = None
            try:
                if self._checkpointing is not None:
                    # Its thread still uses the connection: let it finish (a failure was logged).
                    await asyncio.wait([self._checkpointing])
                if checkpointer is not None:
                    checkpointer.close()
                if reader is not None:
                    await reader.close()
            finally:
                # Closed last, the writer copies what is left in the WAL into the file and removes it.
                if writer is not None:
                    await writer.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Yield the writer inside BEGIN IMMEDIATE; commit on success, roll back and re-raise on error."""
        if self._lock_owner is not None and self._lock_owner is asyncio.current_task():
            raise RuntimeError("transaction() is not re-entrant: this task already holds the write lock")
        async with self._write_lock:
            conn = self._require(self._writer)
            self._lock_owner = asyncio.current_task()
            started = time.perf_counter()
            try:
                try:
                    await conn.execute("BEGIN IMMEDIATE")
                    yield conn
                    await conn.commit()
                except BaseException:
                    await _rollback_quietly(conn)
                    raise
            finally:
                self._lock_owner = None
                if self.on_transaction is not None:
                    self.on_transaction(time.perf_counter() - started)
                self._committed(1)

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work(conn)` in its own BEGIN IMMEDIATE transaction and return its value once committed.

        For short hot transactions (a vote): when nothing else holds the writer, the transaction runs
        at once on the event loop's thread. It costs tens of microseconds there, less than handing it
        to the writer's thread and back (two thread wake-ups, each a wait for a CPU on a busy machine).
        While another write holds the writer, writes queue and go to the writer's thread together in
        one hop, each still its own transaction committed (or rolled back on an error, which is raised
        here) before the next begins. Either way a caller hears of its write only after its COMMIT.
        `work` must only use `conn` and its arguments, be short, and never commit; a caller cancelled
        while its write waits in the queue does not stop the write.
        """
        if self._lock_owner is not None and self._lock_owner is asyncio.current_task():
            raise RuntimeError("write() called inside this database's own transaction")
        if not self._write_lock.locked() and not self._queued:
            writer = self._require(self._writer)
            # Nobody holds the write lock, so the writer's thread has no statement of this connection
            # in flight, and nothing else runs on the loop until this returns.
            ((ok, value, seconds),) = _run_writes(writer._conn, [work])
            if self.on_transaction is not None:
                self.on_transaction(seconds)
            self._committed(1)
            if ok:
                return cast(T, value)
            raise value
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queued.append((work, future))
        if self._drainer is None:
            self._drainer = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        """Hand the queued writes to the writer's thread, all that are waiting in each hop (group hop)."""
        try:
            async with self._write_lock:
                while self._queued:
                    batch, self._queued = self._queued, []
                    try:
                        writer = self._require(self._writer)
                        # aiosqlite runs a function on its connection's thread only through _execute.
                        outcomes = await writer._execute(_run_writes, writer._conn, [w for w, _ in batch])
                    except BaseException as error:
                        for _, future in batch:
                            if not future.done():
                                future.set_exception(error)
                        if not isinstance(error, Exception):
                            raise
                        continue
                    self._committed(len(batch))
                    for (_, future), (ok, value, seconds) in zip(batch, outcomes, strict=True):
                        if self.on_transaction is not None:
                            self.on_transaction(seconds)
                        if future.done():
                            continue
                        if ok:
                            future.set_result(value)
                        else:
                            future.set_exception(value)
        finally:
            self._drainer = None
            # Only when the hop itself was cancelled: nothing will run these any more.
            left, self._queued = self._queued, []
            for _, future in left:
                if not future.done():
                    future.set_exception(RuntimeError(f"database {self._path}: write not run (cancelled)"))

    def _committed(self, transactions: int) -> None:
        """Count write transactions; every CHECKPOINT_AFTER_COMMITS start a background checkpoint."""
        self._commits += transactions
        if self._commits < CHECKPOINT_AFTER_COMMITS or self._checkpointing is not None:
            return
        checkpointer = self._checkpointer
        if checkpointer is None:
            return
        self._commits = 0
        try:
            # Off the loop's thread: sqlite3 releases the GIL while it copies pages and waits for fsync.
            future = asyncio.get_running_loop().run_in_executor(None, _checkpoint_passive, checkpointer)
        except RuntimeError:
            # The loop is shutting down its threads; closing the writer copies the WAL over instead.
            return
        self._checkpointing = future
        future.add_done_callback(self._checkpointed)

    def _checkpointed(self, future: asyncio.Future[None]) -> None:
        """Forget the finished background checkpoint; a failure is logged (the next one catches up)."""
        self._checkpointing = None
        error = None if future.cancelled() else future.exception()
        if error is not None:
            log.warning("background WAL checkpoint of %s failed: %s", self._path, _reason(error))

    async def checkpoint_truncate(self, *, attempts: int = CHECKPOINT_ATTEMPTS) -> bool:
        """Copy the WAL into the database file and empty it; True if the WAL is now empty.

        Called after an erasure: with secure_delete the database file holds zeros where erased rows
        were, but older frames of the WAL still hold them until it is checkpointed and truncated.
        A reader holding an old snapshot past busy_timeout makes an attempt fail; a few more follow,
        a short pause apart and without the write lock, so the erasure is not left in the WAL.
        """
        if self._lock_owner is not None and self._lock_owner is asyncio.current_task():
            raise RuntimeError("checkpoint_truncate() called inside this database's own transaction")
        for attempt in range(1, attempts + 1):
            if attempt > 1:
                await asyncio.sleep(CHECKPOINT_PAUSE_SECONDS)
            async with self._write_lock:
                writer = self._require(self._writer)
                # TRUNCATE waits (busy_timeout) for readers of older frames, then sets the WAL to zero bytes.
                async with writer.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
                    row = await cursor.fetchone()
            if row is not None and int(row[0]) == 0:
                return True
            log.debug("WAL checkpoint of %s: attempt %d of %d blocked", self._path, attempt, attempts)
        log.warning(
            "WAL checkpoint of %s did not complete after %d attempts: a reader held it", self._path, attempts
        )
        return False

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """Run a query on the reader connection and return its first row, if any."""
        reader = self._require(self._reader)
        # One hop to the reader's thread for the statement and its row (not three: execute, fetch, close).
        return await reader._execute(_fetchone, reader._conn, sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """Run a query on the reader connection and return all rows."""
        reader = self._require(self._reader)
        return await reader._execute(_fetchall, reader._conn, sql, params)

    def _require(self, conn: aiosqlite.Connection | None) -> aiosqlite.Connection:
        """Return the connection, or explain that the database is not open."""
        if conn is None:
            raise RuntimeError(f"database {self._path} is not open")
        return conn


def _run_writes(conn: sqlite3.Connection, works: list[Callable[[sqlite3.Connection], Any]]) -> list[_Outcome]:
    """On the writer's thread: run each write in its own transaction; note its outcome and duration."""
    outcomes: list[_Outcome] = []
    for work in works:
        started = time.perf_counter()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                value = work(conn)
                conn.execute("COMMIT")
            except BaseException:
                _rollback_on_thread(conn)
                raise
        except Exception as error:
            outcomes.append((False, error, time.perf_counter() - started))
        else:
            outcomes.append((True, value, time.perf_counter() - started))
    return outcomes


def _open_checkpointer(path: Path) -> sqlite3.Connection:
    """Open the connection that only runs background checkpoints (used from one thread at a time)."""
    return sqlite3.connect(path, isolation_level=None, check_same_thread=False)


def _checkpoint_passive(conn: sqlite3.Connection) -> None:
    """Copy as much of the WAL into the database file as no reader still needs; writers go on meanwhile."""
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").close()


def _bound(params: Params) -> Sequence[Any] | Mapping[str, Any]:
    """Parameters as sqlite3 takes them (aiosqlite accepted any iterable)."""
    return params if isinstance(params, Mapping) else tuple(params)


def _fetchone(conn: sqlite3.Connection, sql: str, params: Params) -> aiosqlite.Row | None:
    """On the reader's thread: run a query and return its first row."""
    with closing(conn.execute(sql, _bound(params))) as cursor:
        row: aiosqlite.Row | None = cursor.fetchone()
        return row


def _fetchall(conn: sqlite3.Connection, sql: str, params: Params) -> list[aiosqlite.Row]:
    """On the reader's thread: run a query and return all its rows."""
    with closing(conn.execute(sql, _bound(params))) as cursor:
        return list(cursor.fetchall())


def _rollback_on_thread(conn: sqlite3.Connection) -> None:
    """Roll back a failed write() if still open; a failure is logged so the write's own error is raised."""
    try:
        if conn.in_transaction:
            conn.rollback()
    except sqlite3.Error:
        log.exception("rollback failed")


def _probe(path: Path) -> None:
    """Create the parent folders and read the file's schema version with plain sqlite3."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A file aiosqlite cannot open fails inside its worker thread, which then reports to an event loop
    # that may already be closed; failing here first keeps the error a plain exception.
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA schema_version")
    finally:
        conn.close()


def _reason(exc: BaseException) -> str:
    """Say in one line why a file could not be opened."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
    return " ".join(str(exc).split()) or type(exc).__name__


async def _rollback_quietly(conn: aiosqlite.Connection) -> None:
    """Roll back if a transaction is open; a failure is logged so the original error is the one raised."""
    try:
        # sqlite3's rollback() is a no-op outside a transaction, and aiosqlite runs it after every
        # statement already queued on this connection, so it also covers a BEGIN interrupted by a
        # cancellation before it was confirmed.
        await conn.rollback()
    except Exception:
        log.exception("rollback failed")
