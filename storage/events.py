"""Webinars and workshops (mirrors of Discord scheduled events) and their timed notices.

An event row is written only after its Discord scheduled event exists; its notices (reminders
before the start, a follow-up at the end) are written with it in one transaction. A notice job
claims its row ('sending') in its own transaction before posting and records the outcome in
another, so a restart never posts a notice twice: a row still 'sending' at start is reported as
uncertain. When notices come is decided by the caller (pure logic in cogs/events).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from storage.base import Repository
from storage.claims import Claim, decide_claim
from storage.times import from_db_time, to_db_time

KINDS = ("reminder", "followup")
FINAL_OUTCOMES = ("sent", "failed", "cancelled")
START_STATES = ("missed", "uncertain")

_EVENT_COLUMNS = (
    "id, guild_id, discord_event_id, title, description, location, starts_at, ends_at, timezone, "
    "campaign, state, announcement_message_id, created_by, created_at, cancelled_by, cancelled_at"
)
_NOTICE_COLUMNS = (
    "n.id, n.event_id, e.guild_id, n.kind, n.offset_seconds, n.due_at, n.state, n.message_id, n.note"
)
_NOTICE_FROM = "FROM event_notices n JOIN events e ON e.id = n.event_id"


@dataclass(frozen=True)
class EventInput:
    """A new event as a moderator asked for it, validated, with its Discord scheduled event's id."""

    discord_event_id: int
    title: str
    description: str
    location: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    campaign: str | None = None


@dataclass(frozen=True)
class NoticePlan:
    """One notice to store with a new event: its kind, offset before the start, and due time."""

    kind: str
    offset: timedelta
    due_at: datetime


@dataclass(frozen=True)
class Event:
    """A webinar or workshop of one server."""

    id: int
    guild_id: int
    discord_event_id: int
    title: str
    description: str
    location: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    campaign: str | None
    state: str
    announcement_message_id: int | None
    created_by: int
    created_at: datetime
    cancelled_by: int | None
    cancelled_at: datetime | None


@dataclass(frozen=True)
class Notice:
    """One timed notice about an event: a reminder before it starts or the follow-up after it."""

    id: int
    event_id: int
    guild_id: int
    kind: str
    offset: timedelta
    due_at: datetime
    state: str
    message_id: int | None
    note: str | None


def event_from_row(row: aiosqlite.Row) -> Event:
    """Build an Event from a row."""
    return Event(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        discord_event_id=int(row["discord_event_id"]),
        title=row["title"],
        description=row["description"],
        location=row["location"],
        starts_at=from_db_time(row["starts_at"]),
        ends_at=from_db_time(row["ends_at"]),
        timezone=row["timezone"],
        campaign=row["campaign"],
        state=row["state"],
        announcement_message_id=row["announcement_message_id"],
        created_by=int(row["created_by"]),
        created_at=from_db_time(row["created_at"]),
        cancelled_by=row["cancelled_by"],
        cancelled_at=from_db_time(row["cancelled_at"]),
    )


def notice_from_row(row: aiosqlite.Row) -> Notice:
    """Build a Notice from a row."""
    return Notice(
        id=int(row["id"]),
        event_id=int(row["event_id"]),
        guild_id=int(row["guild_id"]),
        kind=row["kind"],
        offset=timedelta(seconds=int(row["offset_seconds"])),
        due_at=from_db_time(row["due_at"]),
        state=row["state"],
        message_id=row["message_id"],
        note=row["note"],
    )


async def _event_in(conn: aiosqlite.Connection, event_id: int) -> Event | None:
    """Read one event inside a transaction."""
    async with conn.execute(f"SELECT {_EVENT_COLUMNS} FROM events WHERE id = ?", (event_id,)) as cursor:
        row = await cursor.fetchone()
    return None if row is None else event_from_row(row)


class EventsRepository(Repository):
    """Reads and writes the events and event_notices tables."""

    # --- events --------------------------------------------------------------------------------

    async def create(
        self,
        guild_id: int,
        data: EventInput,
        notices: Sequence[NoticePlan],
        *,
        created_by: int,
        now: datetime,
    ) -> tuple[Event, list[Notice]]:
        """Store a new event and its notices in one transaction; return them as stored."""
        for plan in notices:
            if plan.kind not in KINDS:
                raise ValueError(f"unknown notice kind {plan.kind!r}")
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO events (guild_id, discord_event_id, title, description, location, starts_at,"
                " ends_at, timezone, campaign, created_by, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    data.discord_event_id,
                    data.title,
                    data.description,
                    data.location,
                    to_db_time(data.starts_at),
                    to_db_time(data.ends_at),
                    data.timezone,
                    data.campaign,
                    created_by,
                    to_db_time(now),
                ),
            )
            event_id = cursor.lastrowid
            assert event_id is not None
            await conn.executemany(
                "INSERT INTO event_notices (event_id, kind, offset_seconds, due_at) VALUES (?, ?, ?, ?)",
                [(event_id, p.kind, int(p.offset.total_seconds()), to_db_time(p.due_at)) for p in notices],
            )
            event = await _event_in(conn, event_id)
            async with conn.execute(
                f"SELECT {_NOTICE_COLUMNS} {_NOTICE_FROM} WHERE n.event_id = ? ORDER BY n.due_at, n.id",
                (event_id,),
            ) as rows:
                stored = [notice_from_row(r) for r in await rows.fetchall()]
        assert event is not None
        return event, stored

    async def get(self, event_id: int) -> Event | None:
        """Return one event, whatever its server or state."""
        row = await self._db.fetchone(f"SELECT {_EVENT_COLUMNS} FROM events WHERE id = ?", (event_id,))
        return None if row is None else event_from_row(row)

    async def upcoming(self, guild_id: int, *, now: datetime, limit: int = 100) -> list[Event]:
        """Return a server's scheduled events that have not ended yet, soonest first."""
        rows = await self._db.fetchall(
            f"SELECT {_EVENT_COLUMNS} FROM events WHERE guild_id = ? AND state = 'scheduled'"
            " AND ends_at > ? ORDER BY starts_at, id LIMIT ?",
            (guild_id, to_db_time(now), limit),
        )
        return [event_from_row(r) for r in rows]

    async def count_upcoming(self, guild_id: int, *, now: datetime) -> int:
        """Count a server's scheduled events that have not ended yet."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) FROM events WHERE guild_id = ? AND state = 'scheduled' AND ends_at > ?",
            (guild_id, to_db_time(now)),
        )
        return int(row[0]) if row is not None else 0

    async def set_announcement(self, event_id: int, message_id: int) -> None:
        """Remember the message that announced an event."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE events SET announcement_message_id = ? WHERE id = ?", (message_id, event_id)
            )

    async def cancel(
        self, guild_id: int, event_id: int, *, by: int | None, now: datetime
    ) -> tuple[Event, list[int]] | None:
        """Mark a scheduled event of this server cancelled with its pending notices; None if there is none.

        Returns the cancelled event and the ids of the notices cancelled with it (their jobs must go).
        `by` is None when the event disappeared from Discord rather than being cancelled by someone.
        """
        async with self._db.transaction() as conn:
            event = await _event_in(conn, event_id)
            if event is None or event.guild_id != guild_id or event.state != "scheduled":
                return None
            await conn.execute(
                "UPDATE events SET state = 'cancelled', cancelled_by = ?, cancelled_at = ? WHERE id = ?",
                (by, to_db_time(now), event_id),
            )
            async with conn.execute(
                "SELECT id FROM event_notices WHERE event_id = ? AND state = 'pending' ORDER BY id",
                (event_id,),
            ) as cursor:
                notice_ids = [int(r[0]) for r in await cursor.fetchall()]
            await conn.execute(
                "UPDATE event_notices SET state = 'cancelled', finished_at = ?, note = 'event cancelled'"
                " WHERE event_id = ? AND state = 'pending'",
                (to_db_time(now), event_id),
            )
            cancelled = await _event_in(conn, event_id)
        assert cancelled is not None
        return cancelled, notice_ids

    # --- notices -------------------------------------------------------------------------------

    async def notice(self, notice_id: int) -> Notice | None:
        """Return one notice."""
        row = await self._db.fetchone(f"SELECT {_NOTICE_COLUMNS} {_NOTICE_FROM} WHERE n.id = ?", (notice_id,))
        return None if row is None else notice_from_row(row)

    async def notices_of(self, event_id: int) -> list[Notice]:
        """Return every notice of an event, by due time."""
        rows = await self._db.fetchall(
            f"SELECT {_NOTICE_COLUMNS} {_NOTICE_FROM} WHERE n.event_id = ? ORDER BY n.due_at, n.id",
            (event_id,),
        )
        return [notice_from_row(r) for r in rows]

    async def open_notices(self) -> list[Notice]:
        """Return every notice not finished yet (pending or sending), by due time, for the start-up pass."""
        rows = await self._db.fetchall(
            f"SELECT {_NOTICE_COLUMNS} {_NOTICE_FROM} WHERE n.state IN ('pending', 'sending')"
            " ORDER BY n.due_at, n.id"
        )
        return [notice_from_row(r) for r in rows]

    async def claim(self, notice_id: int, *, now: datetime, grace: timedelta) -> Claim:
        """Mark a pending notice of a scheduled event 'sending' if due and not too late (else missed)."""
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT n.state, n.due_at, e.state AS event_state " + _NOTICE_FROM + " WHERE n.id = ?",
                (notice_id,),
            ) as cursor:
                row = await cursor.fetchone()
            due: datetime | None = None
            if row is not None and row["state"] == "pending" and row["event_state"] == "scheduled":
                due = from_db_time(row["due_at"])
            claim = decide_claim(due, now=now, grace=grace)
            if claim in (Claim.GONE, Claim.EARLY):
                return claim
            late = claim is Claim.MISSED
            state = "missed" if late else "sending"
            await conn.execute(
                "UPDATE event_notices SET state = ?, claimed_at = ?, finished_at = ?, note = ?"
                " WHERE id = ? AND state = 'pending'",
                (
                    state,
                    to_db_time(now),
                    to_db_time(now) if late else None,
                    "came due while the bot was busy or offline" if late else None,
                    notice_id,
                ),
            )
        return claim

    async def finish(
        self, notice_id: int, *, outcome: str, message_id: int | None, note: str | None, now: datetime
    ) -> bool:
        """Record how a claimed notice ended (sent, failed, cancelled); False if it was not claimed."""
        if outcome not in FINAL_OUTCOMES:
            raise ValueError(f"unknown notice outcome {outcome!r}")
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE event_notices SET state = ?, message_id = ?, note = ?, finished_at = ?"
                " WHERE id = ? AND state = 'sending'",
                (outcome, message_id, note, to_db_time(now), notice_id),
            )
            return cursor.rowcount == 1

    async def mark_notices(self, ids: Sequence[int], state: str, *, now: datetime, note: str) -> None:
        """Mark open notices missed or uncertain in one transaction (used at start)."""
        if state not in START_STATES:
            raise ValueError(f"not a start-up notice state: {state!r}")
        async with self._db.transaction() as conn:
            await conn.executemany(
                "UPDATE event_notices SET state = ?, note = ?, finished_at = ?"
                " WHERE id = ? AND state IN ('pending', 'sending')",
                [(state, note, to_db_time(now), notice_id) for notice_id in ids],
            )

    # --- a member's own data -----------------------------------------------------------------------

    async def member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """The events a moderator created or cancelled in a server (/mydata); members leave no other trace."""
        created = await self._db.fetchall(
            "SELECT id, title, starts_at, created_at FROM events WHERE guild_id = ? AND created_by = ?"
            " ORDER BY id",
            (guild_id, user_id),
        )
        cancelled = await self._db.fetchall(
            "SELECT id, title, cancelled_at FROM events WHERE guild_id = ? AND cancelled_by = ? ORDER BY id",
            (guild_id, user_id),
        )
        return {
            "moderator_actions": {
                "events_created": [dict(row) for row in created],
                "events_cancelled": [dict(row) for row in cancelled],
            }
        }
