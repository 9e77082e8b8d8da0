"""Open forms: the per-use state of a modal, found by the token in its custom_id."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from storage.base import Repository
from storage.times import from_db_time, to_db_time


@dataclass(frozen=True)
class OpenForm:
    """One opened form: who opened it where, what it is about, and until when it may be sent."""

    token: str
    kind: str
    guild_id: int | None
    user_id: int
    state: dict[str, Any]
    opened_at: datetime
    expires_at: datetime


def form_from_row(row: aiosqlite.Row) -> OpenForm:
    """Build an OpenForm from an open_forms row."""
    return OpenForm(
        token=row["token"],
        kind=row["kind"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        state=json.loads(row["state"]),
        opened_at=from_db_time(row["opened_at"]),
        expires_at=from_db_time(row["expires_at"]),
    )


_COLUMNS = "token, kind, guild_id, user_id, state, opened_at, expires_at"
# A form is found only by its token, for the member who opened it, in the place it was opened.
_MINE = "token = ? AND user_id = ? AND guild_id IS ? AND expires_at > ?"


class FormsRepository(Repository):
    """Records opened forms and hands each one out exactly once."""

    async def open(
        self,
        token: str,
        kind: str,
        *,
        guild_id: int | None,
        user_id: int,
        state: dict[str, Any],
        opened_at: datetime,
        expires_at: datetime,
    ) -> OpenForm:
        """Record a form just shown to a member; state must be JSON-serialisable."""
        encoded = json.dumps(state, ensure_ascii=False, sort_keys=True)
        async with self._db.transaction() as conn:
            await conn.execute(
                f"INSERT INTO open_forms ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (token, kind, guild_id, user_id, encoded, to_db_time(opened_at), to_db_time(expires_at)),
            )
        return OpenForm(token, kind, guild_id, user_id, json.loads(encoded), opened_at, expires_at)

    async def claim(
        self, token: str, *, user_id: int, guild_id: int | None, now: datetime
    ) -> OpenForm | None:
        """Take a member's form for its one use, removing it; None if unknown, not theirs, used or expired."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                f"DELETE FROM open_forms WHERE {_MINE} RETURNING {_COLUMNS}",
                (token, user_id, guild_id, to_db_time(now)),
            )
            row = await cursor.fetchone()
        return form_from_row(row) if row is not None else None

    async def peek(self, token: str, *, user_id: int, guild_id: int | None, now: datetime) -> OpenForm | None:
        """Read a member's open form without using it; None if unknown, not theirs or expired."""
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM open_forms WHERE {_MINE}", (token, user_id, guild_id, to_db_time(now))
        )
        return form_from_row(row) if row is not None else None

    async def count_open(self, user_id: int, kind: str, *, now: datetime) -> int:
        """How many unexpired forms of one kind a member holds open."""
        row = await self._db.fetchone(
            "SELECT count(*) AS n FROM open_forms WHERE user_id = ? AND kind = ? AND expires_at > ?",
            (user_id, kind, to_db_time(now)),
        )
        return int(row["n"]) if row is not None else 0

    async def remove_expired(self, *, now: datetime) -> list[OpenForm]:
        """Delete every expired form and return them, so their held files can be cleaned up."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                f"DELETE FROM open_forms WHERE expires_at <= ? RETURNING {_COLUMNS}", (to_db_time(now),)
            )
            rows = await cursor.fetchall()
        return [form_from_row(row) for row in rows]

    async def held_states(self, kind: str) -> list[dict[str, Any]]:
        """The states of every open form of a kind (to know which held files are still in use)."""
        rows = await self._db.fetchall("SELECT state FROM open_forms WHERE kind = ?", (kind,))
        return [json.loads(row["state"]) for row in rows]

    async def forget_member(self, guild_id: int, user_id: int) -> list[OpenForm]:
        """Remove a member's open forms in a server (erasure) and return them for file clean-up."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                f"DELETE FROM open_forms WHERE guild_id = ? AND user_id = ? RETURNING {_COLUMNS}",
                (guild_id, user_id),
            )
            rows = await cursor.fetchall()
        return [form_from_row(row) for row in rows]
