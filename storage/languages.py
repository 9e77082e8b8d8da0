"""Members' languages per server: the one they chose, and the one their Discord client last showed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from storage.base import Repository
from storage.times import to_db_time


@dataclass(frozen=True)
class MemberLanguage:
    """A member's language codes in one server; None where not known."""

    chosen: str | None
    seen: str | None


_NOBODY = MemberLanguage(None, None)


class LanguagesRepository(Repository):
    """Reads and writes the member_languages table."""

    async def get(self, guild_id: int, user_id: int) -> MemberLanguage:
        """The member's chosen and last seen language in a server."""
        row = await self._db.fetchone(
            "SELECT chosen, seen FROM member_languages WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return MemberLanguage(row["chosen"], row["seen"]) if row is not None else _NOBODY

    async def chosen_in_guild(self, guild_id: int) -> dict[int, str]:
        """Every member of a server who chose a language, with that language (few: most never choose)."""
        rows = await self._db.fetchall(
            "SELECT user_id, chosen FROM member_languages WHERE guild_id = ? AND chosen IS NOT NULL",
            (guild_id,),
        )
        return {int(row["user_id"]): str(row["chosen"]) for row in rows}

    async def choose(self, guild_id: int, user_id: int, code: str | None) -> None:
        """Set (None: clear) the language the member chose in a server."""
        await self._upsert(guild_id, user_id, "chosen", code)

    async def seen(self, guild_id: int, user_id: int, code: str) -> None:
        """Record the language of the Discord client the member last used in a server."""
        await self._upsert(guild_id, user_id, "seen", code)

    async def seen_many(self, seen: Sequence[tuple[int, int, str]]) -> None:
        """Record (guild_id, user_id, code) last-seen client languages of many members in one transaction."""
        sql = _upsert_sql("seen")
        at = to_db_time(datetime.now(UTC), timespec="seconds")
        params = [(guild_id, user_id, code, at) for guild_id, user_id, code in seen]
        await self._db.write(lambda conn: conn.executemany(sql, params).close())

    async def _upsert(self, guild_id: int, user_id: int, column: str, code: str | None) -> None:
        """Insert or update one column of a member's row."""
        sql = _upsert_sql(column)
        params = (guild_id, user_id, code, to_db_time(datetime.now(UTC), timespec="seconds"))
        # One short write transaction (Database.write).
        await self._db.write(lambda conn: conn.execute(sql, params).close())

    async def member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """The member's language settings in a server, for /mydata export."""
        row = await self._db.fetchone(
            "SELECT chosen, seen, updated_at FROM member_languages WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        if row is None:
            return {"language": None}
        return {
            "language": {"chosen": row["chosen"], "last_seen": row["seen"], "updated_at": row["updated_at"]}
        }

    async def forget_member(self, guild_id: int, user_id: int) -> int:
        """Delete the member's language settings in a server; return how many rows went."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM member_languages WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
            return cursor.rowcount


def _upsert_sql(column: str) -> str:
    """The statement that inserts a member's row or updates one of its two language columns."""
    assert column in ("chosen", "seen")  # formatted into the SQL: only these two
    return (
        f"INSERT INTO member_languages (guild_id, user_id, {column}, updated_at) VALUES (?, ?, ?, ?) "
        f"ON CONFLICT (guild_id, user_id) DO UPDATE SET {column} = excluded.{column}, "
        "updated_at = excluded.updated_at"
    )
