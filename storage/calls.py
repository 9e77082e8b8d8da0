"""Funding calls: the register of a server's calls; their reminders live in storage.call_reminders."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from storage.call_reminders import (
    ALL_PROGRAMMES,
    DM_FAILURE_LIMIT,
    EARLY_TOLERANCE,
    REMINDER_COLUMNS,
    Claim,
    Reminder,
    ReminderStore,
    Subscription,
    reminder_from_row,
)
from storage.times import from_db_time, to_db_time

__all__ = [
    "ALL_PROGRAMMES",
    "DM_FAILURE_LIMIT",
    "EARLY_TOLERANCE",
    "Call",
    "CallChange",
    "CallInput",
    "CallStatus",
    "CallsRepository",
    "Claim",
    "DuplicateCallError",
    "Reminder",
    "ReminderPlanner",
    "RemovedCall",
    "Subscription",
]

# (deadline, zone name, now) -> [(offset, due time)] for the reminders still ahead.
ReminderPlanner = Callable[[datetime, str, datetime], Sequence[tuple[timedelta, datetime]]]

_CALL_COLUMNS = (
    "id, guild_id, identifier, title, programme, opens_at, deadline_at, timezone, link, summary, tags, "
    "revision, created_by, created_at, updated_at"
)


class CallStatus(enum.StrEnum):
    """Where a call stands relative to now."""

    UPCOMING = "upcoming"  # opening date still ahead
    OPEN = "open"  # open for submissions, deadline ahead
    CLOSED = "closed"  # deadline passed


class DuplicateCallError(Exception):
    """A call with this identifier already exists in the server."""


@dataclass(frozen=True)
class CallInput:
    """A call as a moderator or an import file describes it, already validated."""

    identifier: str
    title: str
    programme: str
    deadline_at: datetime
    timezone: str
    link: str | None = None
    summary: str = ""
    tags: tuple[str, ...] = ()
    opens_at: datetime | None = None


@dataclass(frozen=True)
class Call:
    """A stored funding call."""

    id: int
    guild_id: int
    identifier: str
    title: str
    programme: str
    opens_at: datetime | None
    deadline_at: datetime
    timezone: str
    link: str | None
    summary: str
    tags: tuple[str, ...]
    revision: int
    created_by: int
    created_at: datetime
    updated_at: datetime

    def status(self, now: datetime) -> CallStatus:
        """Say whether the call is upcoming, open or closed at `now`."""
        if self.deadline_at <= now:
            return CallStatus.CLOSED
        if self.opens_at is not None and self.opens_at > now:
            return CallStatus.UPCOMING
        return CallStatus.OPEN

    def matches(self, data: CallInput) -> bool:
        """Tell whether storing `data` would change nothing."""
        return (
            self.title == data.title
            and self.programme == data.programme
            and self.deadline_at == data.deadline_at
            and self.timezone == data.timezone
            and self.link == data.link
            and self.summary == data.summary
            and self.tags == data.tags
            and self.opens_at == data.opens_at
        )


@dataclass(frozen=True)
class CallChange:
    """The result of storing one call: what happened and which reminder jobs to drop and add."""

    call: Call
    outcome: str  # added | updated | unchanged
    cancelled_reminders: tuple[int, ...] = ()
    new_reminders: tuple[Reminder, ...] = ()


@dataclass(frozen=True)
class RemovedCall:
    """A deleted call and the ids of the scheduled rows that went with it."""

    call: Call
    cancelled_reminders: tuple[int, ...]
    cancelled_announcements: tuple[int, ...]


def call_from_row(row: aiosqlite.Row) -> Call:
    """Build a Call from a row."""
    return Call(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        identifier=row["identifier"],
        title=row["title"],
        programme=row["programme"],
        opens_at=from_db_time(row["opens_at"]),
        deadline_at=from_db_time(row["deadline_at"]),
        timezone=row["timezone"],
        link=row["link"],
        summary=row["summary"],
        tags=tuple(t for t in row["tags"].split(", ") if t),
        revision=int(row["revision"]),
        created_by=int(row["created_by"]),
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
    )


def _like_pattern(text: str) -> str:
    """Turn member text into a LIKE pattern matching it anywhere, with wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class CallsRepository(ReminderStore):
    """Reads and writes calls; reminders and subscriptions come from ReminderStore."""

    # --- the register ------------------------------------------------------------------------

    async def add(
        self, guild_id: int, data: CallInput, *, created_by: int, planner: ReminderPlanner, now: datetime
    ) -> CallChange:
        """Store a new call with its reminders; raise DuplicateCallError if the identifier is taken."""
        async with self._db.transaction() as conn:
            if await self._get(conn, guild_id, data.identifier) is not None:
                raise DuplicateCallError(data.identifier)
            return await self._insert(conn, guild_id, data, created_by, planner, now)

    async def update(
        self, guild_id: int, identifier: str, data: CallInput, *, planner: ReminderPlanner, now: datetime
    ) -> CallChange | None:
        """Change a call (not its identifier); move its pending reminders if the deadline moved."""
        async with self._db.transaction() as conn:
            existing = await self._get(conn, guild_id, identifier)
            if existing is None:
                return None
            return await self._update(conn, existing, data, planner, now)

    async def upsert_many(
        self,
        guild_id: int,
        rows: Sequence[CallInput],
        *,
        created_by: int,
        planner: ReminderPlanner,
        now: datetime,
    ) -> list[CallChange]:
        """Add or update many calls by identifier in one transaction (re-importing never duplicates)."""
        changes = []
        async with self._db.transaction() as conn:
            for data in rows:
                existing = await self._get(conn, guild_id, data.identifier)
                if existing is None:
                    changes.append(await self._insert(conn, guild_id, data, created_by, planner, now))
                else:
                    changes.append(await self._update(conn, existing, data, planner, now))
        return changes

    async def remove(self, guild_id: int, identifier: str) -> RemovedCall | None:
        """Delete a call, its reminders and its pending announcements; return what went with it."""
        async with self._db.transaction() as conn:
            call = await self._get(conn, guild_id, identifier)
            if call is None:
                return None
            reminders = await _ids(
                conn,
                "SELECT id FROM call_reminders "
                "WHERE call_id = ? AND state IN ('pending', 'sending', 'posted')",
                (call.id,),
            )
            announcements = await _ids(
                conn, "SELECT id FROM announcements WHERE call_id = ? AND state = 'pending'", (call.id,)
            )
            await conn.execute(
                "UPDATE announcements SET state = 'cancelled', note = 'call removed' "
                "WHERE call_id = ? AND state = 'pending'",
                (call.id,),
            )
            await conn.execute("DELETE FROM calls WHERE id = ?", (call.id,))
        return RemovedCall(call, tuple(reminders), tuple(announcements))

    async def get(self, guild_id: int, identifier: str) -> Call | None:
        """Return a call by its identifier in a server."""
        row = await self._db.fetchone(
            f"SELECT {_CALL_COLUMNS} FROM calls WHERE guild_id = ? AND identifier = ?", (guild_id, identifier)
        )
        return None if row is None else call_from_row(row)

    async def get_by_id(self, call_id: int) -> Call | None:
        """Return a call by its row id."""
        row = await self._db.fetchone(f"SELECT {_CALL_COLUMNS} FROM calls WHERE id = ?", (call_id,))
        return None if row is None else call_from_row(row)

    async def list_calls(
        self,
        guild_id: int,
        *,
        status: CallStatus,
        now: datetime,
        programme: str | None = None,
        offset: int = 0,
        limit: int = 10,
    ) -> tuple[list[Call], int]:
        """Return one page of a server's calls in a status, by deadline, and how many there are."""
        at = to_db_time(now)
        where = "guild_id = ?"
        params: list[object] = [guild_id]
        if status is CallStatus.OPEN:
            where += " AND deadline_at > ? AND (opens_at IS NULL OR opens_at <= ?)"
            params += [at, at]
        elif status is CallStatus.UPCOMING:
            where += " AND deadline_at > ? AND opens_at > ?"
            params += [at, at]
        else:
            where += " AND deadline_at <= ?"
            params.append(at)
        if programme is not None:
            where += " AND programme = ?"
            params.append(programme)
        # Closed calls: the most recently closed first; the others: the nearest deadline first.
        order = "deadline_at DESC" if status is CallStatus.CLOSED else "deadline_at ASC"
        total_row = await self._db.fetchone(f"SELECT COUNT(*) FROM calls WHERE {where}", params)
        rows = await self._db.fetchall(
            f"SELECT {_CALL_COLUMNS} FROM calls WHERE {where} ORDER BY {order}, identifier LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [call_from_row(r) for r in rows], int(total_row[0]) if total_row else 0

    async def search(self, guild_id: int, text: str, *, now: datetime, limit: int = 25) -> list[Call]:
        """Return calls whose identifier or title contains text: still open ones first, by deadline."""
        pattern = _like_pattern(text.strip())
        rows = await self._db.fetchall(
            f"SELECT {_CALL_COLUMNS} FROM calls WHERE guild_id = ? "
            "AND (identifier LIKE ? ESCAPE '\\' OR title LIKE ? ESCAPE '\\') "
            "ORDER BY deadline_at <= ?, deadline_at LIMIT ?",
            (guild_id, pattern, pattern, to_db_time(now), limit),
        )
        return [call_from_row(r) for r in rows]

    async def open_calls(self, guild_id: int, *, now: datetime, programme: str | None = None) -> list[Call]:
        """Return every call of a server whose deadline is still ahead, by deadline."""
        calls, _ = await self.list_calls(
            guild_id, status=CallStatus.OPEN, now=now, programme=programme, limit=-1
        )
        upcoming, _ = await self.list_calls(
            guild_id, status=CallStatus.UPCOMING, now=now, programme=programme, limit=-1
        )
        return sorted([*calls, *upcoming], key=lambda c: (c.deadline_at, c.identifier))

    # --- inside a transaction ----------------------------------------------------------------

    async def _get(self, conn: aiosqlite.Connection, guild_id: int, identifier: str) -> Call | None:
        """Read a call on the writer connection."""
        async with conn.execute(
            f"SELECT {_CALL_COLUMNS} FROM calls WHERE guild_id = ? AND identifier = ?", (guild_id, identifier)
        ) as cursor:
            row = await cursor.fetchone()
        return None if row is None else call_from_row(row)

    async def _insert(
        self,
        conn: aiosqlite.Connection,
        guild_id: int,
        data: CallInput,
        created_by: int,
        planner: ReminderPlanner,
        now: datetime,
    ) -> CallChange:
        """Insert a call and its reminders."""
        at = to_db_time(now)
        cursor = await conn.execute(
            "INSERT INTO calls (guild_id, identifier, title, programme, opens_at, deadline_at, timezone, "
            "link, summary, tags, created_by, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (guild_id, data.identifier, *_content(data), created_by, at, at),
        )
        call_id = int(cursor.lastrowid or 0)
        reminders = await self._plan_reminders(conn, call_id, guild_id, data, planner, now)
        call = await self._get(conn, guild_id, data.identifier)
        assert call is not None
        return CallChange(call, "added", (), reminders)

    async def _update(
        self,
        conn: aiosqlite.Connection,
        existing: Call,
        data: CallInput,
        planner: ReminderPlanner,
        now: datetime,
    ) -> CallChange:
        """Update a call; replace its pending reminders when the deadline or zone changed."""
        if existing.matches(data):
            return CallChange(existing, "unchanged")
        await conn.execute(
            "UPDATE calls SET title = ?, programme = ?, opens_at = ?, deadline_at = ?, timezone = ?, "
            "link = ?, summary = ?, tags = ?, revision = revision + 1, updated_at = ? WHERE id = ?",
            (*_content(data), to_db_time(now), existing.id),
        )
        cancelled: list[int] = []
        reminders: tuple[Reminder, ...] = ()
        if existing.deadline_at != data.deadline_at or existing.timezone != data.timezone:
            cancelled = await _ids(
                conn, "SELECT id FROM call_reminders WHERE call_id = ? AND state = 'pending'", (existing.id,)
            )
            await conn.execute(
                "DELETE FROM call_reminders WHERE call_id = ? AND state = 'pending'", (existing.id,)
            )
            reminders = await self._plan_reminders(conn, existing.id, existing.guild_id, data, planner, now)
        call = await self._get(conn, existing.guild_id, existing.identifier)
        assert call is not None
        return CallChange(call, "updated", tuple(cancelled), reminders)

    async def _plan_reminders(
        self,
        conn: aiosqlite.Connection,
        call_id: int,
        guild_id: int,
        data: CallInput,
        planner: ReminderPlanner,
        now: datetime,
    ) -> tuple[Reminder, ...]:
        """Insert the reminders still ahead for a call's deadline (never one already sent for it)."""
        deadline = to_db_time(data.deadline_at)
        for offset, due in planner(data.deadline_at, data.timezone, now):
            await conn.execute(
                "INSERT OR IGNORE INTO call_reminders "
                "(call_id, guild_id, offset_seconds, deadline_at, due_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (call_id, guild_id, int(offset.total_seconds()), deadline, to_db_time(due)),
            )
        async with conn.execute(
            f"SELECT {REMINDER_COLUMNS} FROM call_reminders r "
            "WHERE r.call_id = ? AND r.deadline_at = ? AND r.state = 'pending' ORDER BY r.due_at",
            (call_id, deadline),
        ) as cursor:
            return tuple(reminder_from_row(r) for r in await cursor.fetchall())


def _content(data: CallInput) -> tuple[object, ...]:
    """The stored columns of a call after its identifier, in insert/update order."""
    return (
        data.title,
        data.programme,
        None if data.opens_at is None else to_db_time(data.opens_at),
        to_db_time(data.deadline_at),
        data.timezone,
        data.link,
        data.summary,
        ", ".join(data.tags),
    )


async def _ids(conn: aiosqlite.Connection, sql: str, params: Sequence[object]) -> list[int]:
    """Run a query returning ids on the writer connection."""
    async with conn.execute(sql, params) as cursor:
        return [int(r[0]) for r in await cursor.fetchall()]
