"""The running bot's heartbeat: written by the bot, read by `climabot health` from another process."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiosqlite

from storage.base import Repository
from storage.times import from_db_time, to_db_time


@dataclass(frozen=True)
class Heartbeat:
    """The last sign of life of the bot that runs on this database."""

    pid: int
    host: str
    started_at: datetime
    beat_at: datetime
    connected: bool
    stopped_at: datetime | None


class HeartbeatUnavailable(Exception):
    """The heartbeat cannot be read: no database file, or one that was never migrated."""


def heartbeat_from_row(row: aiosqlite.Row | sqlite3.Row) -> Heartbeat:
    """Build a Heartbeat from the heartbeat row."""
    return Heartbeat(
        pid=row["pid"],
        host=row["host"],
        started_at=from_db_time(row["started_at"]),
        beat_at=from_db_time(row["beat_at"]),
        connected=bool(row["connected"]),
        stopped_at=from_db_time(row["stopped_at"]),
    )


_SELECT = "SELECT pid, host, started_at, beat_at, connected, stopped_at FROM heartbeat WHERE id = 1"


class HeartbeatRepository(Repository):
    """Keeps the one heartbeat row of the bot running on this database."""

    async def beat(
        self, *, pid: int, host: str, started_at: datetime, now: datetime, connected: bool
    ) -> None:
        """Record that this bot is alive now, and whether it is connected to Discord."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO heartbeat (id, pid, host, started_at, beat_at, connected, stopped_at)"
                " VALUES (1, ?, ?, ?, ?, ?, NULL)"
                " ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host,"
                " started_at = excluded.started_at, beat_at = excluded.beat_at,"
                " connected = excluded.connected, stopped_at = NULL",
                (pid, host, to_db_time(started_at), to_db_time(now), int(connected)),
            )

    async def stopped(self, *, pid: int, now: datetime) -> None:
        """Mark the heartbeat stopped, if it is still this process's (a newer bot may have taken over)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE heartbeat SET connected = 0, stopped_at = ? WHERE id = 1 AND pid = ?",
                (to_db_time(now), pid),
            )

    async def read(self) -> Heartbeat | None:
        """Return the last heartbeat, or None if no bot has run on this database yet."""
        row = await self._db.fetchone(_SELECT)
        return heartbeat_from_row(row) if row is not None else None


def read_heartbeat(database_path: Path) -> Heartbeat | None:
    """Read the heartbeat without creating, migrating or locking the database (for the health check)."""
    path = Path(database_path)
    if not path.is_file():
        raise HeartbeatUnavailable(f"no database at {path}")
    try:
        # mode=ro: a health check must never create a database or take the writer's place.
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            conn.row_factory = sqlite3.Row
            row = conn.execute(_SELECT).fetchone()
        finally:
            conn.close()
    except sqlite3.OperationalError as problem:
        if "no such table" in str(problem):
            missing = f"database {path} has no heartbeat table; run climabot migrate"
            raise HeartbeatUnavailable(missing) from None
        raise HeartbeatUnavailable(f"cannot read {path}: {' '.join(str(problem).split())}") from None
    except sqlite3.DatabaseError as problem:
        raise HeartbeatUnavailable(f"cannot read {path}: {' '.join(str(problem).split())}") from None
    return heartbeat_from_row(row) if row is not None else None
