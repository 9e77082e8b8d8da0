"""Twinned pairs of cities: their private thread and the schedule of their check-ins."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from storage.base import Repository
from storage.times import SECONDS, from_db_time, now_db_time, to_db_time

_COLUMNS = (
    "id, guild_id, city_a_id, city_b_id, channel_id, thread_id, created_by, created_at, next_checkin_at,"
    " last_checkin_at, checkins_sent, checkins_missed, ended_at"
)


@dataclass(frozen=True)
class Twin:
    """A twinning of two cities (city_a_id < city_b_id)."""

    id: int
    guild_id: int
    city_a_id: int
    city_b_id: int
    channel_id: int
    thread_id: int
    created_by: int
    created_at: str
    next_checkin_at: datetime | None
    last_checkin_at: str | None
    checkins_sent: int
    checkins_missed: int
    ended_at: str | None

    @property
    def active(self) -> bool:
        """Whether the twinning is still running."""
        return self.ended_at is None


class DuplicateTwinError(Exception):
    """These two cities are already twinned."""


def twin_from_row(row: aiosqlite.Row) -> Twin:
    """Build a Twin from a row selected with _COLUMNS."""
    return Twin(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        city_a_id=int(row["city_a_id"]),
        city_b_id=int(row["city_b_id"]),
        channel_id=int(row["channel_id"]),
        thread_id=int(row["thread_id"]),
        created_by=int(row["created_by"]),
        created_at=str(row["created_at"]),
        next_checkin_at=from_db_time(row["next_checkin_at"]) if row["next_checkin_at"] else None,
        last_checkin_at=row["last_checkin_at"],
        checkins_sent=int(row["checkins_sent"]),
        checkins_missed=int(row["checkins_missed"]),
        ended_at=row["ended_at"],
    )


def ordered_pair(city_x: int, city_y: int) -> tuple[int, int]:
    """Return two distinct city ids in the order the twins table stores them."""
    if city_x == city_y:
        raise ValueError("a city cannot be twinned with itself")
    return (city_x, city_y) if city_x < city_y else (city_y, city_x)


class TwinsRepository(Repository):
    """Reads and writes the twins table."""

    async def find_active(self, city_x: int, city_y: int) -> Twin | None:
        """Return the running twinning of two cities, in either order."""
        a, b = ordered_pair(city_x, city_y)
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM twins WHERE city_a_id = ? AND city_b_id = ? AND ended_at IS NULL",
            (a, b),
        )
        return twin_from_row(row) if row is not None else None

    async def create(
        self,
        *,
        guild_id: int,
        city_x: int,
        city_y: int,
        channel_id: int,
        thread_id: int,
        created_by: int,
        first_checkin_at: datetime,
    ) -> Twin:
        """Record a twinning whose thread exists; DuplicateTwinError if the pair is already twinned."""
        a, b = ordered_pair(city_x, city_y)
        try:
            async with self._db.transaction() as conn:
                cursor = await conn.execute(
                    "INSERT INTO twins (guild_id, city_a_id, city_b_id, channel_id, thread_id, created_by,"
                    " created_at, next_checkin_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        guild_id,
                        a,
                        b,
                        channel_id,
                        thread_id,
                        created_by,
                        now_db_time(timespec=SECONDS),
                        to_db_time(first_checkin_at, timespec=SECONDS),
                    ),
                )
                async with conn.execute(
                    f"SELECT {_COLUMNS} FROM twins WHERE id = ?", (cursor.lastrowid,)
                ) as c:
                    row = await c.fetchone()
        except sqlite3.IntegrityError as exc:
            if "twins" in str(exc) and "UNIQUE" in str(exc):
                raise DuplicateTwinError(f"cities {a} and {b} are already twinned") from exc
            raise
        assert row is not None
        return twin_from_row(row)

    async def get(self, twin_id: int) -> Twin | None:
        """Return a twinning by id."""
        row = await self._db.fetchone(f"SELECT {_COLUMNS} FROM twins WHERE id = ?", (twin_id,))
        return twin_from_row(row) if row is not None else None

    async def of_guild(self, guild_id: int, *, include_ended: bool = False) -> list[Twin]:
        """Return the server's twinnings, oldest first."""
        ended = "" if include_ended else " AND ended_at IS NULL"
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM twins WHERE guild_id = ?{ended} ORDER BY id", (guild_id,)
        )
        return [twin_from_row(r) for r in rows]

    async def of_city(self, city_id: int) -> list[Twin]:
        """Return the running twinnings a city is part of."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM twins WHERE (city_a_id = ? OR city_b_id = ?) AND ended_at IS NULL"
            " ORDER BY id",
            (city_id, city_id),
        )
        return [twin_from_row(r) for r in rows]

    async def pending(self) -> list[Twin]:
        """Return every running twinning with its next check-in, soonest first (for scheduling)."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM twins WHERE ended_at IS NULL ORDER BY next_checkin_at"
        )
        return [twin_from_row(r) for r in rows]

    async def claim_checkin(self, twin_id: int, due: datetime, next_due: datetime) -> bool:
        """Mark the check-in due at `due` as sent and move to next_due; False if it was done already."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE twins SET next_checkin_at = ?, last_checkin_at = ?, checkins_sent = checkins_sent + 1"
                " WHERE id = ? AND next_checkin_at = ? AND ended_at IS NULL",
                (
                    to_db_time(next_due, timespec=SECONDS),
                    now_db_time(timespec=SECONDS),
                    twin_id,
                    to_db_time(due, timespec=SECONDS),
                ),
            )
            return cursor.rowcount == 1

    async def skip_missed(self, twin_id: int, due: datetime, next_due: datetime, missed: int) -> bool:
        """Record `missed` check-ins lost while the bot was down and move to next_due; False if stale."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE twins SET next_checkin_at = ?, checkins_missed = checkins_missed + ?"
                " WHERE id = ? AND next_checkin_at = ? AND ended_at IS NULL",
                (to_db_time(next_due, timespec=SECONDS), missed, twin_id, to_db_time(due, timespec=SECONDS)),
            )
            return cursor.rowcount == 1

    async def end(self, twin_id: int) -> bool:
        """Stop a twinning (its thread is gone); False if it had ended already."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE twins SET ended_at = ?, next_checkin_at = NULL WHERE id = ? AND ended_at IS NULL",
                (now_db_time(timespec=SECONDS), twin_id),
            )
            return cursor.rowcount == 1

    async def member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Twin threads a member was added to (as a member of a twinned city) and twinnings they created.

        Nothing per member is stored for a thread: the bot adds every member of both cities, so the
        list follows from the member's cities (for /mydata export).
        """
        rows = await self._db.fetchall(
            "SELECT t.id, t.thread_id, a.name AS city_a, b.name AS city_b, t.created_at, t.ended_at,"
            " t.created_by, EXISTS (SELECT 1 FROM city_members m WHERE m.user_id = ?"
            " AND m.city_id IN (t.city_a_id, t.city_b_id)) AS member"
            " FROM twins t JOIN cities a ON a.id = t.city_a_id JOIN cities b ON b.id = t.city_b_id"
            " WHERE t.guild_id = ? ORDER BY t.id",
            (user_id, guild_id),
        )

        def item(row: aiosqlite.Row) -> dict[str, Any]:
            """One twinning as the export shows it."""
            return {
                "twin_id": int(row["id"]),
                "thread_id": int(row["thread_id"]),
                "cities": [str(row["city_a"]), str(row["city_b"])],
                "created_at": row["created_at"],
                "ended_at": row["ended_at"],
            }

        return {
            "twin_threads": [item(row) for row in rows if row["member"]],
            "moderator_actions": {
                "twinnings_created": [item(row) for row in rows if row["created_by"] == user_id]
            },
        }
