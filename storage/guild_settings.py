"""Per-server configuration: channels, moderator role and time zone."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import aiosqlite

from storage.base import Repository
from storage.database import Database
from storage.times import to_db_time


class Unset(enum.Enum):
    """Type of the UNSET sentinel: "leave this setting as it is" (None means "clear it")."""

    UNSET = enum.auto()


UNSET: Final = Unset.UNSET

_COLUMNS = (
    "guild_id",
    "announcements_channel_id",
    "moderation_channel_id",
    "showcase_channel_id",
    "exchange_forum_id",
    "moderator_role_id",
    "timezone",
    "language",
    "proposals_forum_id",
)
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM guild_settings WHERE guild_id = ?"


@dataclass(frozen=True)
class GuildSettings:
    """A server's effective settings; None ids mean "not set"."""

    guild_id: int
    announcements_channel_id: int | None
    moderation_channel_id: int | None
    showcase_channel_id: int | None
    exchange_forum_id: int | None
    moderator_role_id: int | None
    timezone: str
    timezone_is_default: bool
    # The language of public posts (announcement frames, poll messages, showcase posts).
    language: str = "en"
    # The forum of citizen proposals (/proposal submit).
    proposals_forum_id: int | None = None


class GuildSettingsRepository(Repository):
    """Reads and updates the guild_settings table."""

    def __init__(self, db: Database, default_timezone: str) -> None:
        """Use db, filling in default_timezone for servers that have not chosen one."""
        super().__init__(db)
        self._default_timezone = default_timezone

    @property
    def default_timezone(self) -> str:
        """The zone used by servers that have not set their own."""
        return self._default_timezone

    async def get(self, guild_id: int) -> GuildSettings:
        """The server's settings, or all defaults if it has never configured anything."""
        row = await self._db.fetchone(_SELECT, (guild_id,))
        return self._settings_from_row(guild_id, row)

    async def set_channels(
        self,
        guild_id: int,
        *,
        announcements: int | Unset | None = UNSET,
        moderation: int | Unset | None = UNSET,
        showcase: int | Unset | None = UNSET,
        exchange_forum: int | Unset | None = UNSET,
        proposals_forum: int | Unset | None = UNSET,
    ) -> GuildSettings:
        """Change only the channels passed (None clears one) and return the resulting settings."""
        changes: dict[str, int | None] = {}
        for column, value in (
            ("announcements_channel_id", announcements),
            ("moderation_channel_id", moderation),
            ("showcase_channel_id", showcase),
            ("exchange_forum_id", exchange_forum),
            ("proposals_forum_id", proposals_forum),
        ):
            if value is not UNSET:
                changes[column] = value
        if not changes:
            return await self.get(guild_id)
        return await self._upsert(guild_id, changes)

    async def set_moderator_role(self, guild_id: int, role_id: int | None) -> GuildSettings:
        """Set (or with None clear) the role whose members may moderate, and return the settings."""
        return await self._upsert(guild_id, {"moderator_role_id": role_id})

    async def set_timezone(self, guild_id: int, tz: str | None) -> GuildSettings:
        """Store the server's zone name as given (None returns to the default) and return the settings."""
        return await self._upsert(guild_id, {"timezone": tz})

    async def set_language(self, guild_id: int, code: str | None) -> GuildSettings:
        """Set (None: back to English) the language of the server's public posts; return the settings."""
        return await self._upsert(guild_id, {"language": code})

    async def _upsert(self, guild_id: int, changes: dict[str, Any]) -> GuildSettings:
        """Insert or update the given columns of one server's row in one transaction."""
        # Column names are formatted into the SQL, so only the table's own setting columns are allowed.
        unknown = set(changes) - set(_COLUMNS[1:])
        if unknown:
            raise ValueError(f"not a guild setting: {', '.join(sorted(unknown))}")
        columns = [*changes, "updated_at"]
        values = [*changes.values(), to_db_time(datetime.now(UTC), timespec="seconds")]
        sql = (
            f"INSERT INTO guild_settings (guild_id, {', '.join(columns)}) "
            f"VALUES (?, {', '.join('?' for _ in columns)}) "
            f"ON CONFLICT (guild_id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in columns)}"
        )
        async with self._db.transaction() as conn:
            await conn.execute(sql, (guild_id, *values))
            async with conn.execute(_SELECT, (guild_id,)) as cursor:
                row = await cursor.fetchone()
        return self._settings_from_row(guild_id, row)

    def _settings_from_row(self, guild_id: int, row: aiosqlite.Row | None) -> GuildSettings:
        """Build the record from a row, or the all-defaults record when there is none."""
        if row is None:
            return GuildSettings(
                guild_id=guild_id,
                announcements_channel_id=None,
                moderation_channel_id=None,
                showcase_channel_id=None,
                exchange_forum_id=None,
                moderator_role_id=None,
                timezone=self._default_timezone,
                timezone_is_default=True,
            )
        stored_tz = row["timezone"]
        return GuildSettings(
            guild_id=int(row["guild_id"]),
            announcements_channel_id=row["announcements_channel_id"],
            moderation_channel_id=row["moderation_channel_id"],
            showcase_channel_id=row["showcase_channel_id"],
            exchange_forum_id=row["exchange_forum_id"],
            moderator_role_id=row["moderator_role_id"],
            timezone=self._default_timezone if stored_tz is None else stored_tz,
            language=row["language"] or "en",
            timezone_is_default=stored_tz is None,
            proposals_forum_id=row["proposals_forum_id"],
        )
