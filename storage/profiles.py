"""Members' profiles: the mission target group they belong to and their home city."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Final

import aiosqlite

from storage.base import Repository
from storage.times import SECONDS, now_db_time

# The mission's target groups, as stored (and as offered in /profile set).
TARGET_GROUPS: Final = ("citizen", "policy-maker", "researcher", "end-user", "civil-society", "business")


class Keep(enum.Enum):
    """Type of the KEEP sentinel: "leave this field as it is" (None clears it)."""

    KEEP = enum.auto()


KEEP: Final = Keep.KEEP


@dataclass(frozen=True)
class Profile:
    """A member's profile in one server; None fields are not set."""

    guild_id: int
    user_id: int
    target_group: str | None
    city_id: int | None
    updated_at: str


def profile_from_row(row: aiosqlite.Row) -> Profile:
    """Build a Profile from a profiles row."""
    return Profile(
        guild_id=int(row["guild_id"]),
        user_id=int(row["user_id"]),
        target_group=row["target_group"],
        city_id=row["city_id"],
        updated_at=str(row["updated_at"]),
    )


_SELECT = "SELECT guild_id, user_id, target_group, city_id, updated_at FROM profiles"


class ProfilesRepository(Repository):
    """Reads and writes the profiles table."""

    async def get(self, guild_id: int, user_id: int) -> Profile | None:
        """Return a member's profile, or None if they never set one."""
        row = await self._db.fetchone(f"{_SELECT} WHERE guild_id = ? AND user_id = ?", (guild_id, user_id))
        return profile_from_row(row) if row is not None else None

    async def set(
        self,
        guild_id: int,
        user_id: int,
        *,
        target_group: str | Keep | None = KEEP,
        city_id: int | Keep | None = KEEP,
    ) -> tuple[Profile, bool]:
        """Change the given fields; a home city also joins it. Return the profile and whether it joined."""
        if isinstance(target_group, str) and target_group not in TARGET_GROUPS:
            raise ValueError(f"unknown target group {target_group!r}")
        joined = False
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO profiles (guild_id, user_id, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (guild_id, user_id) DO UPDATE SET updated_at = excluded.updated_at",
                (guild_id, user_id, now_db_time(timespec=SECONDS)),
            )
            if target_group is not KEEP:
                await conn.execute(
                    "UPDATE profiles SET target_group = ? WHERE guild_id = ? AND user_id = ?",
                    (target_group, guild_id, user_id),
                )
            if city_id is not KEEP:
                await conn.execute(
                    "UPDATE profiles SET city_id = ? WHERE guild_id = ? AND user_id = ?",
                    (city_id, guild_id, user_id),
                )
                if city_id is not None:
                    cursor = await conn.execute(
                        "INSERT OR IGNORE INTO city_members (city_id, user_id, joined_at) VALUES (?, ?, ?)",
                        (city_id, user_id, now_db_time(timespec=SECONDS)),
                    )
                    joined = cursor.rowcount == 1
            async with conn.execute(
                f"{_SELECT} WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            ) as cursor:
                row = await cursor.fetchone()
        assert row is not None
        return profile_from_row(row), joined

    async def group_counts(self, guild_id: int) -> dict[str, int]:
        """Return how many members of the server chose each target group (every group listed)."""
        rows = await self._db.fetchall(
            "SELECT target_group, COUNT(*) FROM profiles WHERE guild_id = ? AND target_group IS NOT NULL"
            " GROUP BY target_group",
            (guild_id,),
        )
        counts = dict.fromkeys(TARGET_GROUPS, 0)
        counts.update({str(r[0]): int(r[1]) for r in rows})
        return counts

    async def groups_of(self, guild_id: int, user_ids: list[int]) -> dict[int, str]:
        """Return the target group of each of these members who set one (for breakdowns)."""
        if not user_ids:
            return {}
        result: dict[int, str] = {}
        # Chunked: SQLite limits the number of bound parameters in one statement.
        for start in range(0, len(user_ids), 500):
            chunk = user_ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = await self._db.fetchall(
                f"SELECT user_id, target_group FROM profiles WHERE guild_id = ? AND user_id IN ({marks})"
                " AND target_group IS NOT NULL",
                [guild_id, *chunk],
            )
            result.update({int(r[0]): str(r[1]) for r in rows})
        return result

    async def forget(self, guild_id: int, user_id: int) -> int:
        """Erase a member's profile and city memberships in the server; return the rows removed."""
        return sum((await self.forget_member(guild_id, user_id)).values())

    async def forget_profile(self, guild_id: int, user_id: int) -> int:
        """Erase a member's profile in the server, keeping city memberships (the cities erase those)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM profiles WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
            return cursor.rowcount

    async def forget_member(self, guild_id: int, user_id: int) -> dict[str, int]:
        """Erase a member's profile and city memberships in the server; count each (/mydata forget)."""
        return await self._count_each(
            {
                "profile": ("DELETE FROM profiles WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)),
                "city_memberships": (
                    "DELETE FROM city_members WHERE user_id = ?"
                    " AND city_id IN (SELECT id FROM cities WHERE guild_id = ?)",
                    (user_id, guild_id),
                ),
            }
        )

    async def member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """A member's profile in the server, with the name of their home city (for /mydata export)."""
        row = await self._db.fetchone(
            "SELECT p.target_group, p.city_id, c.name AS city_name, p.updated_at FROM profiles p"
            " LEFT JOIN cities c ON c.id = p.city_id WHERE p.guild_id = ? AND p.user_id = ?",
            (guild_id, user_id),
        )
        if row is None:
            return {"profile": None}
        home = None if row["city_id"] is None else {"city_id": row["city_id"], "name": row["city_name"]}
        return {"profile": {"group": row["target_group"], "home_city": home, "updated_at": row["updated_at"]}}
