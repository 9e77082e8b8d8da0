"""Deadline reminders and members' reminder subscriptions (mixed into CallsRepository).

Reminder rows follow pending -> sending -> posted -> sent. A job claims its row ('sending') in its own
transaction before posting, records the post ('posted'), then claims each direct message before
sending it; so a restart never repeats a post or a direct message, it reports the uncertain ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from storage.base import Repository

# Claim and EARLY_TOLERANCE stay importable from here (storage.calls and storage.announcements do).
from storage.claims import EARLY_TOLERANCE as EARLY_TOLERANCE
from storage.claims import Claim as Claim
from storage.claims import decide_claim
from storage.times import from_db_time, to_db_time

ALL_PROGRAMMES = "*"
# Consecutive refused direct messages after which a member is skipped until they subscribe again.
DM_FAILURE_LIMIT = 3

REMINDER_COLUMNS = (
    "r.id, r.call_id, r.guild_id, r.offset_seconds, r.deadline_at, r.due_at, r.state, r.message_id, r.note"
)


@dataclass(frozen=True)
class Reminder:
    """One deadline reminder of a call."""

    id: int
    call_id: int
    guild_id: int
    offset: timedelta
    deadline_at: datetime
    due_at: datetime
    state: str
    message_id: int | None
    note: str | None


@dataclass(frozen=True)
class Subscription:
    """A member's reminder subscription."""

    programme: str  # a programme code, or ALL_PROGRAMMES
    dm_failures: int


def reminder_from_row(row: aiosqlite.Row) -> Reminder:
    """Build a Reminder from a row."""
    return Reminder(
        id=int(row["id"]),
        call_id=int(row["call_id"]),
        guild_id=int(row["guild_id"]),
        offset=timedelta(seconds=int(row["offset_seconds"])),
        deadline_at=from_db_time(row["deadline_at"]),
        due_at=from_db_time(row["due_at"]),
        state=row["state"],
        message_id=row["message_id"],
        note=row["note"],
    )


class ReminderStore(Repository):
    """Reminder rows, their direct messages and the subscriptions that decide who gets them."""

    # --- subscriptions -----------------------------------------------------------------------

    async def subscribe(self, guild_id: int, user_id: int, programme: str, *, now: datetime) -> bool:
        """Subscribe a member (programme code or ALL_PROGRAMMES); True if new. Resets DM failures."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO call_subscriptions (guild_id, user_id, programme, created_at) "
                "VALUES (?, ?, ?, ?)",
                (guild_id, user_id, programme, to_db_time(now)),
            )
            added = cursor.rowcount == 1
            # Subscribing again is how a member whose DMs were closed says "try me again".
            await conn.execute(
                "UPDATE call_subscriptions SET dm_failures = 0 WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
        return added

    async def unsubscribe(self, guild_id: int, user_id: int, programme: str | None) -> int:
        """Remove one subscription, or all of a member's with None; return how many went."""
        async with self._db.transaction() as conn:
            if programme is None:
                cursor = await conn.execute(
                    "DELETE FROM call_subscriptions WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
                )
            else:
                cursor = await conn.execute(
                    "DELETE FROM call_subscriptions WHERE guild_id = ? AND user_id = ? AND programme = ?",
                    (guild_id, user_id, programme),
                )
            return cursor.rowcount

    async def subscriptions(self, guild_id: int, user_id: int) -> list[Subscription]:
        """Return a member's subscriptions in a server."""
        rows = await self._db.fetchall(
            "SELECT programme, dm_failures FROM call_subscriptions WHERE guild_id = ? AND user_id = ? "
            "ORDER BY programme",
            (guild_id, user_id),
        )
        return [Subscription(r["programme"], int(r["dm_failures"])) for r in rows]

    async def recipients(self, reminder_id: int, guild_id: int, programme: str) -> list[int]:
        """Members to DM for a reminder: subscribed, not given up on, and not yet tried for it."""
        rows = await self._db.fetchall(
            "SELECT DISTINCT s.user_id FROM call_subscriptions s "
            "WHERE s.guild_id = ? AND s.programme IN (?, ?) AND s.dm_failures < ? "
            "AND NOT EXISTS (SELECT 1 FROM call_reminder_dms d "
            "WHERE d.reminder_id = ? AND d.user_id = s.user_id) "
            "ORDER BY s.user_id",
            (guild_id, programme, ALL_PROGRAMMES, DM_FAILURE_LIMIT, reminder_id),
        )
        return [int(r[0]) for r in rows]

    # --- reminders ---------------------------------------------------------------------------

    async def reminder(self, reminder_id: int) -> Reminder | None:
        """Return one reminder."""
        row = await self._db.fetchone(
            f"SELECT {REMINDER_COLUMNS} FROM call_reminders r WHERE r.id = ?", (reminder_id,)
        )
        return None if row is None else reminder_from_row(row)

    async def reminders_of(self, call_id: int) -> list[Reminder]:
        """Return every reminder row of a call, by due time."""
        rows = await self._db.fetchall(
            f"SELECT {REMINDER_COLUMNS} FROM call_reminders r WHERE r.call_id = ? ORDER BY r.due_at, r.id",
            (call_id,),
        )
        return [reminder_from_row(r) for r in rows]

    async def open_reminders(self) -> list[Reminder]:
        """Return every reminder not finished yet (pending, sending or posted), by due time."""
        rows = await self._db.fetchall(
            f"SELECT {REMINDER_COLUMNS} FROM call_reminders r "
            "WHERE r.state IN ('pending', 'sending', 'posted') ORDER BY r.due_at, r.id"
        )
        return [reminder_from_row(r) for r in rows]

    async def claim_reminder(self, reminder_id: int, *, now: datetime, grace: timedelta) -> Claim:
        """Mark a pending reminder 'sending' if it is due and not too late (then it is missed)."""
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT state, due_at FROM call_reminders WHERE id = ?", (reminder_id,)
            ) as cursor:
                row = await cursor.fetchone()
            due = from_db_time(row["due_at"]) if row is not None and row["state"] == "pending" else None
            claim = decide_claim(due, now=now, grace=grace)
            if claim in (Claim.MISSED, Claim.CLAIMED):
                await conn.execute(
                    "UPDATE call_reminders SET state = ?, claimed_at = ? WHERE id = ? AND state = 'pending'",
                    ("missed" if claim is Claim.MISSED else "sending", to_db_time(now), reminder_id),
                )
        return claim

    async def mark_posted(
        self, reminder_id: int, *, message_id: int | None, note: str | None, now: datetime
    ) -> None:
        """Record that the channel post of a claimed reminder is done (or was impossible: note)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE call_reminders SET state = 'posted', message_id = ?, note = ?, finished_at = ? "
                "WHERE id = ? AND state = 'sending'",
                (message_id, note, to_db_time(now), reminder_id),
            )

    async def claim_dm(self, reminder_id: int, user_id: int, *, now: datetime) -> bool:
        """Record that a member's reminder DM is about to be sent; False if it was already tried."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO call_reminder_dms (reminder_id, user_id, state, at) "
                "SELECT id, ?, 'sending', ? FROM call_reminders WHERE id = ?",
                (user_id, to_db_time(now), reminder_id),
            )
            return cursor.rowcount == 1

    async def finish_dm(
        self, reminder_id: int, guild_id: int, user_id: int, outcome: str, *, now: datetime
    ) -> None:
        """Record a DM's outcome (sent, closed, failed) and count consecutive refusals per member."""
        if outcome not in ("sent", "closed", "failed"):
            raise ValueError(f"unknown DM outcome {outcome!r}")
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE call_reminder_dms SET state = ?, at = ? WHERE reminder_id = ? AND user_id = ?",
                (outcome, to_db_time(now), reminder_id, user_id),
            )
            if outcome == "sent":
                change = "dm_failures = 0"
            elif outcome == "closed":
                change = "dm_failures = dm_failures + 1"
            else:
                return
            await conn.execute(
                f"UPDATE call_subscriptions SET {change} WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )

    async def uncertain_dms(self, reminder_id: int) -> list[int]:
        """Members whose DM for a reminder was claimed but never confirmed (the bot stopped mid-send)."""
        rows = await self._db.fetchall(
            "SELECT user_id FROM call_reminder_dms WHERE reminder_id = ? AND state = 'sending'",
            (reminder_id,),
        )
        return [int(r[0]) for r in rows]

    async def dm_outcomes(self, reminder_id: int) -> dict[int, str]:
        """Map member id to the outcome of their DM for a reminder."""
        rows = await self._db.fetchall(
            "SELECT user_id, state FROM call_reminder_dms WHERE reminder_id = ?", (reminder_id,)
        )
        return {int(r[0]): str(r[1]) for r in rows}

    async def finish_reminder(self, reminder_id: int, *, now: datetime) -> None:
        """Mark a posted reminder sent: every subscriber has been tried."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE call_reminders SET state = 'sent', finished_at = ? WHERE id = ? AND state = 'posted'",
                (to_db_time(now), reminder_id),
            )

    async def mark_reminders(self, ids: Sequence[int], state: str, *, now: datetime, note: str) -> None:
        """Mark reminders missed, uncertain or failed in one transaction (used at start)."""
        if state not in ("missed", "uncertain", "failed"):
            raise ValueError(f"not a final reminder state: {state!r}")
        async with self._db.transaction() as conn:
            await conn.executemany(
                "UPDATE call_reminders SET state = ?, note = ?, finished_at = ? "
                "WHERE id = ? AND state IN ('pending', 'sending', 'posted')",
                [(state, note, to_db_time(now), rid) for rid in ids],
            )

    # --- a member's own data -----------------------------------------------------------------------

    async def member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """A member's subscriptions, reminder DMs and the calls they registered in a server (/mydata)."""
        subscriptions = await self._db.fetchall(
            "SELECT programme, created_at, dm_failures FROM call_subscriptions"
            " WHERE guild_id = ? AND user_id = ? ORDER BY programme",
            (guild_id, user_id),
        )
        dms = await self._db.fetchall(
            "SELECT c.identifier, r.offset_seconds, r.deadline_at, d.state, d.at FROM call_reminder_dms d"
            " JOIN call_reminders r ON r.id = d.reminder_id JOIN calls c ON c.id = r.call_id"
            " WHERE r.guild_id = ? AND d.user_id = ? ORDER BY d.at",
            (guild_id, user_id),
        )
        created = await self._db.fetchall(
            "SELECT identifier, title, created_at FROM calls WHERE guild_id = ? AND created_by = ?"
            " ORDER BY id",
            (guild_id, user_id),
        )
        return {
            "call_subscriptions": [dict(row) for row in subscriptions],
            "call_reminder_dms": [
                {
                    "call": row["identifier"],
                    "days_before_deadline": round(int(row["offset_seconds"]) / 86400, 2),
                    "deadline_at": row["deadline_at"],
                    "state": row["state"],
                    "at": row["at"],
                }
                for row in dms
            ],
            "moderator_actions": {"calls_registered": [dict(row) for row in created]},
        }

    async def forget_member(self, guild_id: int, user_id: int) -> dict[str, int]:
        """Erase a member's subscriptions and reminder DM records in a server (/mydata forget)."""
        return await self._count_each(
            {
                "call_subscriptions": (
                    "DELETE FROM call_subscriptions WHERE guild_id = ? AND user_id = ?",
                    (guild_id, user_id),
                ),
                "call_reminder_dms": (
                    "DELETE FROM call_reminder_dms WHERE user_id = ?"
                    " AND reminder_id IN (SELECT id FROM call_reminders WHERE guild_id = ?)",
                    (user_id, guild_id),
                ),
            }
        )
