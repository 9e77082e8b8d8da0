"""Scheduled announcements, once or repeating, and what happened to each occurrence.

A job claims its row ('sending') in its own transaction before posting and records the delivery and
the next occurrence in another; a row still 'sending' at start was interrupted mid-send and is
reported as uncertain, never resent. When occurrences come is decided by the caller (pure logic).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from storage.base import Repository
from storage.call_reminders import EARLY_TOLERANCE, Claim
from storage.times import from_db_time, to_db_time

REPEATS = ("none", "daily", "weekly", "monthly")
_COLUMNS = (
    "id, guild_id, channel_id, message, ping_role_id, call_id, repeat, timezone, first_local, occurrence, "
    "next_due_at, state, sent_count, last_message_id, created_by, created_at, note"
)


@dataclass(frozen=True)
class AnnouncementInput:
    """A new announcement as a moderator asked for it, already validated."""

    channel_id: int
    message: str
    repeat: str
    timezone: str
    first_local: datetime  # naive wall-clock time of the first occurrence in `timezone`
    due_at: datetime  # the UTC instant of that first occurrence
    ping_role_id: int | None = None
    call_id: int | None = None


@dataclass(frozen=True)
class Announcement:
    """A stored announcement."""

    id: int
    guild_id: int
    channel_id: int
    message: str
    ping_role_id: int | None
    call_id: int | None
    repeat: str
    timezone: str
    first_local: datetime
    occurrence: int
    next_due_at: datetime
    state: str
    sent_count: int
    last_message_id: int | None
    created_by: int
    created_at: datetime
    note: str | None


@dataclass(frozen=True)
class Delivery:
    """What happened to one occurrence of an announcement."""

    occurrence: int
    due_at: datetime
    outcome: str  # sent | missed | uncertain | failed
    message_id: int | None


@dataclass(frozen=True)
class Advance:
    """Where a repeating announcement goes next: occurrence number and due time, or None (finished)."""

    occurrence: int
    due_at: datetime


def announcement_from_row(row: aiosqlite.Row) -> Announcement:
    """Build an Announcement from a row."""
    return Announcement(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        channel_id=int(row["channel_id"]),
        message=row["message"],
        ping_role_id=row["ping_role_id"],
        call_id=row["call_id"],
        repeat=row["repeat"],
        timezone=row["timezone"],
        first_local=datetime.fromisoformat(row["first_local"]),
        occurrence=int(row["occurrence"]),
        next_due_at=from_db_time(row["next_due_at"]),
        state=row["state"],
        sent_count=int(row["sent_count"]),
        last_message_id=row["last_message_id"],
        created_by=int(row["created_by"]),
        created_at=from_db_time(row["created_at"]),
        note=row["note"],
    )


def _check_input(data: AnnouncementInput) -> None:
    """Refuse an announcement the schema or the scheduler could not use."""
    if data.repeat not in REPEATS:
        raise ValueError(f"unknown repeat {data.repeat!r}")
    if data.first_local.tzinfo is not None:
        raise ValueError("first_local is a naive wall-clock time")


class AnnouncementsRepository(Repository):
    """Reads and writes scheduled announcements."""

    async def schedule(
        self, guild_id: int, data: AnnouncementInput, *, created_by: int, now: datetime
    ) -> Announcement:
        """Store a new pending announcement and return it."""
        _check_input(data)
        async with self._db.transaction() as conn:
            return await self._insert(conn, guild_id, data, created_by, now)

    async def schedule_for_call_once(
        self, guild_id: int, data: AnnouncementInput, *, created_by: int, now: datetime, since: datetime
    ) -> tuple[Announcement, bool]:
        """Store a call's announcement unless one was made for it since `since`; return (row, created)."""
        # Check and insert share one transaction, so two quick clicks on "Announce now" make one post.
        if data.call_id is None:
            raise ValueError("schedule_for_call_once needs a call_id")
        _check_input(data)
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT id FROM announcements WHERE call_id = ? AND created_at >= ? "
                "AND state IN ('pending', 'sending', 'done') ORDER BY id DESC LIMIT 1",
                (data.call_id, to_db_time(since)),
            ) as cursor:
                row = await cursor.fetchone()
            if row is not None:
                earlier = await self._get(conn, int(row[0]))
                assert earlier is not None
                return earlier, False
            return await self._insert(conn, guild_id, data, created_by, now), True

    async def get(self, announcement_id: int) -> Announcement | None:
        """Return one announcement."""
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM announcements WHERE id = ?", (announcement_id,)
        )
        return None if row is None else announcement_from_row(row)

    async def pending(self, guild_id: int, *, limit: int = 100) -> list[Announcement]:
        """Return a server's announcements still to come (pending or being sent), soonest first."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM announcements WHERE guild_id = ? AND state IN ('pending', 'sending') "
            "ORDER BY next_due_at, id LIMIT ?",
            (guild_id, limit),
        )
        return [announcement_from_row(r) for r in rows]

    async def open_rows(self) -> list[Announcement]:
        """Return every announcement still pending or left 'sending', in every server (used at start)."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM announcements WHERE state IN ('pending', 'sending') "
            "ORDER BY next_due_at, id"
        )
        return [announcement_from_row(r) for r in rows]

    async def for_call(self, call_id: int, *, since: datetime) -> list[Announcement]:
        """Return a call's announcements created since a time, newest first."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM announcements WHERE call_id = ? AND created_at >= ? ORDER BY id DESC",
            (call_id, to_db_time(since)),
        )
        return [announcement_from_row(r) for r in rows]

    async def deliveries(self, announcement_id: int) -> list[Delivery]:
        """Return the recorded occurrences of an announcement, in order."""
        rows = await self._db.fetchall(
            "SELECT occurrence, due_at, outcome, message_id FROM announcement_deliveries "
            "WHERE announcement_id = ? ORDER BY occurrence",
            (announcement_id,),
        )
        return [Delivery(int(r[0]), from_db_time(r[1]), r[2], r[3]) for r in rows]

    async def cancel(self, guild_id: int, announcement_id: int, *, by: int) -> Announcement | None:
        """Cancel a pending announcement of this server; None if there is no such pending one."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE announcements SET state = 'cancelled', cancelled_by = ? "
                "WHERE id = ? AND guild_id = ? AND state = 'pending'",
                (by, announcement_id, guild_id),
            )
            if cursor.rowcount != 1:
                return None
            return await self._get(conn, announcement_id)

    async def claim(self, announcement_id: int, *, now: datetime, grace: timedelta) -> Claim:
        """Mark a due pending announcement 'sending'; return MISSED (nothing changed) if too late."""
        async with self._db.transaction() as conn:
            found = await self._get(conn, announcement_id)
            if found is None or found.state != "pending":
                return Claim.GONE
            if found.next_due_at > now + EARLY_TOLERANCE:
                return Claim.EARLY
            if now - found.next_due_at > grace:
                # The caller records the miss and moves a repeating announcement on with record().
                return Claim.MISSED
            await conn.execute(
                "UPDATE announcements SET state = 'sending', claimed_at = ? "
                "WHERE id = ? AND state = 'pending'",
                (to_db_time(now), announcement_id),
            )
        return Claim.CLAIMED

    async def record(
        self,
        announcement_id: int,
        *,
        outcome: str,
        message_id: int | None,
        advance: Advance | None,
        now: datetime,
        note: str | None = None,
    ) -> Announcement | None:
        """Record the current occurrence's outcome and move on to `advance` (or finish) in one transaction."""
        if outcome not in ("sent", "missed", "uncertain", "failed"):
            raise ValueError(f"unknown outcome {outcome!r}")
        async with self._db.transaction() as conn:
            found = await self._get(conn, announcement_id)
            if found is None:
                return None
            await self._add_delivery(conn, found, outcome, message_id, now)
            sent = 1 if outcome == "sent" else 0
            if found.state == "cancelled":
                state = "cancelled"
            elif advance is not None:
                state = "pending"
            else:
                state = {"sent": "done", "missed": "missed", "uncertain": "uncertain", "failed": "failed"}[
                    outcome
                ]
            await self._move_on(conn, found, state, advance, sent=sent, message_id=message_id, note=note)
            return await self._get(conn, announcement_id)

    async def record_many(
        self, items: Sequence[tuple[int, str, Advance | None]], *, now: datetime, note: str
    ) -> None:
        """Record outcome (missed/uncertain) and advance for many announcements in one transaction."""
        async with self._db.transaction() as conn:
            for announcement_id, outcome, advance in items:
                found = await self._get(conn, announcement_id)
                if found is None or found.state not in ("pending", "sending"):
                    continue
                await self._add_delivery(conn, found, outcome, None, now)
                state = "pending" if advance is not None else outcome
                await self._move_on(conn, found, state, advance, sent=0, message_id=None, note=note)

    @staticmethod
    async def _move_on(
        conn: aiosqlite.Connection,
        found: Announcement,
        state: str,
        advance: Advance | None,
        *,
        sent: int,
        message_id: int | None,
        note: str | None,
    ) -> None:
        """Store an occurrence's outcome: new state, next occurrence (or the same), counts and note."""
        await conn.execute(
            "UPDATE announcements SET state = ?, occurrence = ?, next_due_at = ?, "
            "sent_count = sent_count + ?, last_message_id = COALESCE(?, last_message_id), "
            "note = COALESCE(?, note), claimed_at = NULL WHERE id = ?",
            (
                state,
                found.occurrence if advance is None else advance.occurrence,
                to_db_time(found.next_due_at if advance is None else advance.due_at),
                sent,
                message_id,
                note,
                found.id,
            ),
        )

    async def _insert(
        self,
        conn: aiosqlite.Connection,
        guild_id: int,
        data: AnnouncementInput,
        created_by: int,
        now: datetime,
    ) -> Announcement:
        """Insert a pending announcement on the writer connection and return it."""
        cursor = await conn.execute(
            "INSERT INTO announcements (guild_id, channel_id, message, ping_role_id, call_id, repeat, "
            "timezone, first_local, next_due_at, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                data.channel_id,
                data.message,
                data.ping_role_id,
                data.call_id,
                data.repeat,
                data.timezone,
                data.first_local.isoformat(timespec="seconds"),
                to_db_time(data.due_at),
                created_by,
                to_db_time(now),
            ),
        )
        found = await self._get(conn, int(cursor.lastrowid or 0))
        assert found is not None
        return found

    async def _add_delivery(
        self,
        conn: aiosqlite.Connection,
        found: Announcement,
        outcome: str,
        message_id: int | None,
        now: datetime,
    ) -> None:
        """Record what happened to an announcement's current occurrence (once per occurrence)."""
        await conn.execute(
            "INSERT OR IGNORE INTO announcement_deliveries "
            "(announcement_id, occurrence, due_at, outcome, message_id, at) VALUES (?, ?, ?, ?, ?, ?)",
            (found.id, found.occurrence, to_db_time(found.next_due_at), outcome, message_id, to_db_time(now)),
        )

    async def _get(self, conn: aiosqlite.Connection, announcement_id: int) -> Announcement | None:
        """Read an announcement on the writer connection."""
        async with conn.execute(
            f"SELECT {_COLUMNS} FROM announcements WHERE id = ?", (announcement_id,)
        ) as cursor:
            row = await cursor.fetchone()
        return None if row is None else announcement_from_row(row)

    async def member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Announcements a moderator scheduled or cancelled in a server (for /mydata export)."""
        rows = await self._db.fetchall(
            "SELECT id, channel_id, message, repeat, state, created_at, created_by, cancelled_by"
            " FROM announcements WHERE guild_id = ? AND (created_by = ? OR cancelled_by = ?) ORDER BY id",
            (guild_id, user_id, user_id),
        )
        scheduled = [
            {k: row[k] for k in ("id", "channel_id", "message", "repeat", "state", "created_at")}
            for row in rows
            if row["created_by"] == user_id
        ]
        cancelled = [{"id": row["id"]} for row in rows if row["cancelled_by"] == user_id]
        return {
            "moderator_actions": {
                "announcements_scheduled": scheduled,
                "announcements_cancelled": cancelled,
            }
        }
