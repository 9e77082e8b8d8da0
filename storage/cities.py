"""The city register of a server and which members belong to which city."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aiosqlite

from storage.base import Repository
from storage.times import SECONDS, now_db_time

MAX_NAME_LENGTH = 60

_CITY_COLUMNS = "id, guild_id, name, country, mission_city, role_id, created_at"


def tidy_name(name: str) -> str:
    """Return a city name with Unicode normalised and runs of whitespace collapsed to one space."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


def city_key(name: str) -> str:
    """Return the case-insensitive form under which a city name must be unique in a server."""
    return tidy_name(name).casefold()


@dataclass(frozen=True)
class City:
    """A registered city."""

    id: int
    guild_id: int
    name: str
    country: str
    mission_city: bool
    role_id: int | None
    created_at: str


@dataclass(frozen=True)
class ImportCounts:
    """What a bulk registration did."""

    added: int
    updated: int
    unchanged: int


class DuplicateCityError(Exception):
    """A city with the same name (ignoring case) is already registered."""

    def __init__(self, existing: City) -> None:
        """Keep the city that is already there."""
        super().__init__(f"city {existing.name!r} already exists")
        self.existing = existing


def city_from_row(row: aiosqlite.Row) -> City:
    """Build a City from a row selected with _CITY_COLUMNS."""
    return City(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        name=str(row["name"]),
        country=str(row["country"]),
        mission_city=bool(row["mission_city"]),
        role_id=row["role_id"],
        created_at=str(row["created_at"]),
    )


class CitiesRepository(Repository):
    """Reads and writes the cities and city_members tables."""

    async def add(
        self, guild_id: int, name: str, country: str, *, mission_city: bool, created_by: int | None
    ) -> City:
        """Register a city, raising DuplicateCityError if the name (ignoring case) is taken."""
        name = tidy_name(name)
        if not 1 <= len(name) <= MAX_NAME_LENGTH:
            raise ValueError(f"city names have 1 to {MAX_NAME_LENGTH} characters")
        async with self._db.transaction() as conn:
            existing = await self._find(conn, guild_id, name)
            if existing is not None:
                raise DuplicateCityError(existing)
            cursor = await conn.execute(
                "INSERT INTO cities (guild_id, name, name_key, country, mission_city, created_by, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    name,
                    city_key(name),
                    country,
                    int(mission_city),
                    created_by,
                    now_db_time(timespec=SECONDS),
                ),
            )
            city_id = cursor.lastrowid
            async with conn.execute(f"SELECT {_CITY_COLUMNS} FROM cities WHERE id = ?", (city_id,)) as cur:
                row = await cur.fetchone()
        assert row is not None
        return city_from_row(row)

    async def import_many(
        self, guild_id: int, rows: Iterable[tuple[str, str, bool]], *, created_by: int | None = None
    ) -> ImportCounts:
        """Register (name, country, mission_city) rows in one transaction; known names are updated."""
        added = updated = unchanged = 0
        async with self._db.transaction() as conn:
            for name, country, mission in rows:
                name = tidy_name(name)
                existing = await self._find(conn, guild_id, name)
                if existing is None:
                    await conn.execute(
                        "INSERT INTO cities (guild_id, name, name_key, country, mission_city, created_by,"
                        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (
                            guild_id,
                            name,
                            city_key(name),
                            country,
                            int(mission),
                            created_by,
                            now_db_time(timespec=SECONDS),
                        ),
                    )
                    added += 1
                elif (existing.country, existing.mission_city) == (country, mission):
                    unchanged += 1
                else:
                    await conn.execute(
                        "UPDATE cities SET country = ?, mission_city = ? WHERE id = ?",
                        (country, int(mission), existing.id),
                    )
                    updated += 1
        return ImportCounts(added, updated, unchanged)

    @staticmethod
    async def _find(conn: aiosqlite.Connection, guild_id: int, name: str) -> City | None:
        """Look a city up by name inside a transaction."""
        sql = f"SELECT {_CITY_COLUMNS} FROM cities WHERE guild_id = ? AND name_key = ?"
        async with conn.execute(sql, (guild_id, city_key(name))) as cursor:
            row = await cursor.fetchone()
        return city_from_row(row) if row is not None else None

    async def get(self, city_id: int) -> City | None:
        """Return a city by id."""
        row = await self._db.fetchone(f"SELECT {_CITY_COLUMNS} FROM cities WHERE id = ?", (city_id,))
        return city_from_row(row) if row is not None else None

    async def find(self, guild_id: int, name: str) -> City | None:
        """Return the server's city with this name, ignoring case and spacing."""
        row = await self._db.fetchone(
            f"SELECT {_CITY_COLUMNS} FROM cities WHERE guild_id = ? AND name_key = ?",
            (guild_id, city_key(name)),
        )
        return city_from_row(row) if row is not None else None

    async def all(self, guild_id: int) -> list[City]:
        """Return every city of the server, by name."""
        rows = await self._db.fetchall(
            f"SELECT {_CITY_COLUMNS} FROM cities WHERE guild_id = ? ORDER BY name_key", (guild_id,)
        )
        return [city_from_row(r) for r in rows]

    async def page(
        self, guild_id: int, *, country: str | None, offset: int, limit: int
    ) -> tuple[list[City], int]:
        """Return one page of the server's cities by name (optionally of one country) and the total."""
        where = "guild_id = ?" + (" AND country = ?" if country else "")
        params: list[object] = [guild_id, *([country] if country else [])]
        total_row = await self._db.fetchone(f"SELECT COUNT(*) FROM cities WHERE {where}", params)
        rows = await self._db.fetchall(
            f"SELECT {_CITY_COLUMNS} FROM cities WHERE {where} ORDER BY name_key LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [city_from_row(r) for r in rows], int(total_row[0]) if total_row else 0

    async def member_counts(self, city_ids: Iterable[int]) -> dict[int, int]:
        """Return how many members each of these cities has."""
        ids = list(city_ids)
        if not ids:
            return {}
        marks = ", ".join("?" for _ in ids)
        rows = await self._db.fetchall(
            f"SELECT city_id, COUNT(*) FROM city_members WHERE city_id IN ({marks}) GROUP BY city_id", ids
        )
        counts = dict.fromkeys(ids, 0)
        counts.update({int(r[0]): int(r[1]) for r in rows})
        return counts

    async def complete(self, guild_id: int, text: str, *, limit: int = 25) -> list[City]:
        """Return cities whose name contains text, those starting with it first (for autocomplete)."""
        key = city_key(text)
        pattern = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = await self._db.fetchall(
            f"SELECT {_CITY_COLUMNS} FROM cities WHERE guild_id = ? AND name_key LIKE ? ESCAPE '\\'"
            " ORDER BY instr(name_key, ?) != 1, name_key LIMIT ?",
            (guild_id, pattern, key, limit),
        )
        return [city_from_row(r) for r in rows]

    async def set_role(self, city_id: int, role_id: int | None) -> None:
        """Remember (or with None forget) the Discord role of a city."""
        async with self._db.transaction() as conn:
            await conn.execute("UPDATE cities SET role_id = ? WHERE id = ?", (role_id, city_id))

    async def join(self, city_id: int, user_id: int) -> bool:
        """Make a member belong to a city; return False if they already did."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO city_members (city_id, user_id, joined_at) VALUES (?, ?, ?)",
                (city_id, user_id, now_db_time(timespec=SECONDS)),
            )
            return cursor.rowcount == 1

    async def leave(self, city_id: int, user_id: int) -> bool:
        """Remove a member from a city (and from their profile's home city); False if not a member."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM city_members WHERE city_id = ? AND user_id = ?", (city_id, user_id)
            )
            if cursor.rowcount == 0:
                return False
            await conn.execute(
                "UPDATE profiles SET city_id = NULL, updated_at = ? WHERE user_id = ? AND city_id = ?",
                (now_db_time(timespec=SECONDS), user_id, city_id),
            )
        return True

    async def forget_memberships(self, guild_id: int, user_id: int) -> int:
        """Remove a member from every city of a server (/mydata forget); return how many they left."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM city_members WHERE user_id = ?"
                " AND city_id IN (SELECT id FROM cities WHERE guild_id = ?)",
                (user_id, guild_id),
            )
            return cursor.rowcount

    async def is_member(self, city_id: int, user_id: int) -> bool:
        """Tell whether a member belongs to a city."""
        row = await self._db.fetchone(
            "SELECT 1 FROM city_members WHERE city_id = ? AND user_id = ?", (city_id, user_id)
        )
        return row is not None

    async def members(self, city_id: int) -> list[int]:
        """Return the ids of a city's members, earliest joiners first."""
        rows = await self._db.fetchall(
            "SELECT user_id FROM city_members WHERE city_id = ? ORDER BY joined_at, user_id", (city_id,)
        )
        return [int(r[0]) for r in rows]

    async def cities_of(self, guild_id: int, user_id: int) -> list[City]:
        """Return the server's cities a member belongs to, by name."""
        rows = await self._db.fetchall(
            f"SELECT {', '.join('c.' + c for c in _CITY_COLUMNS.split(', '))} FROM cities c"
            " JOIN city_members m ON m.city_id = c.id WHERE c.guild_id = ? AND m.user_id = ?"
            " ORDER BY c.name_key",
            (guild_id, user_id),
        )
        return [city_from_row(r) for r in rows]

    async def member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """The server's cities a member belongs to, and those they registered (for /mydata export)."""
        memberships = await self._db.fetchall(
            "SELECT c.id, c.name, c.country, c.mission_city, m.joined_at FROM city_members m"
            " JOIN cities c ON c.id = m.city_id WHERE c.guild_id = ? AND m.user_id = ? ORDER BY c.name_key",
            (guild_id, user_id),
        )
        added = await self._db.fetchall(
            "SELECT id, name, created_at FROM cities WHERE guild_id = ? AND created_by = ? ORDER BY id",
            (guild_id, user_id),
        )
        return {
            "city_memberships": [
                {
                    "city_id": int(row["id"]),
                    "name": str(row["name"]),
                    "country": str(row["country"]),
                    "mission_city": bool(row["mission_city"]),
                    "joined_at": row["joined_at"],
                }
                for row in memberships
            ],
            "moderator_actions": {
                "cities_registered": [
                    {"city_id": int(row["id"]), "name": str(row["name"]), "created_at": row["created_at"]}
                    for row in added
                ]
            },
        }
