"""Guild settings repository on a real migrated database."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from storage.database import Database
from storage.guild_settings import UNSET, GuildSettings, GuildSettingsRepository

GUILD = 1_234_567_890_123_456_789  # a realistic 19-digit snowflake
OTHER_GUILD = 42


@pytest.fixture
def repo(migrated_db: Database) -> GuildSettingsRepository:
    """A repository whose default zone is Brussels."""
    return GuildSettingsRepository(migrated_db, "Europe/Brussels")


async def test_defaults_when_never_configured(repo: GuildSettingsRepository, migrated_db: Database) -> None:
    """An unknown server gets every id unset and the default zone, without writing a row."""
    settings = await repo.get(GUILD)
    assert settings == GuildSettings(
        guild_id=GUILD,
        announcements_channel_id=None,
        moderation_channel_id=None,
        showcase_channel_id=None,
        exchange_forum_id=None,
        moderator_role_id=None,
        timezone="Europe/Brussels",
        timezone_is_default=True,
    )
    assert await migrated_db.fetchall("SELECT * FROM guild_settings") == []


async def test_set_channels_partial_update_keeps_other_keys(repo: GuildSettingsRepository) -> None:
    """Each call changes only the channels it names."""
    first = await repo.set_channels(GUILD, announcements=111, moderation=222)
    assert (first.announcements_channel_id, first.moderation_channel_id) == (111, 222)
    assert first.showcase_channel_id is None and first.exchange_forum_id is None

    second = await repo.set_channels(GUILD, showcase=333, exchange_forum=444)
    assert (
        second.announcements_channel_id,
        second.moderation_channel_id,
        second.showcase_channel_id,
        second.exchange_forum_id,
    ) == (111, 222, 333, 444)

    third = await repo.set_channels(GUILD, moderation=555)
    assert (third.announcements_channel_id, third.moderation_channel_id, third.showcase_channel_id) == (
        111,
        555,
        333,
    )
    assert await repo.get(GUILD) == third


async def test_channels_survive_other_setters(repo: GuildSettingsRepository) -> None:
    """Setting the role or zone leaves channels alone, and the reverse."""
    await repo.set_channels(GUILD, announcements=1, exchange_forum=4)
    await repo.set_moderator_role(GUILD, 77)
    await repo.set_timezone(GUILD, "Europe/Lisbon")
    await repo.set_channels(GUILD, showcase=3)
    settings = await repo.get(GUILD)
    assert settings.announcements_channel_id == 1
    assert settings.showcase_channel_id == 3
    assert settings.exchange_forum_id == 4
    assert settings.moderator_role_id == 77
    assert settings.timezone == "Europe/Lisbon"


async def test_none_clears_a_channel(repo: GuildSettingsRepository) -> None:
    """Passing None clears that channel; UNSET (the default) leaves it."""
    await repo.set_channels(GUILD, announcements=1, moderation=2)
    cleared = await repo.set_channels(GUILD, announcements=None, moderation=UNSET)
    assert cleared.announcements_channel_id is None
    assert cleared.moderation_channel_id == 2
    assert (await repo.get(GUILD)).announcements_channel_id is None


async def test_set_channels_with_nothing_changes_nothing(
    repo: GuildSettingsRepository, migrated_db: Database
) -> None:
    """A call naming no channel returns the current settings and writes no row."""
    settings = await repo.set_channels(GUILD)
    assert settings == await repo.get(GUILD)
    assert await migrated_db.fetchall("SELECT * FROM guild_settings") == []


async def test_moderator_role_set_and_clear(repo: GuildSettingsRepository) -> None:
    """The moderator role can be set, changed and cleared."""
    assert (await repo.set_moderator_role(GUILD, 10)).moderator_role_id == 10
    assert (await repo.set_moderator_role(GUILD, 11)).moderator_role_id == 11
    assert (await repo.set_moderator_role(GUILD, None)).moderator_role_id is None
    assert (await repo.get(GUILD)).moderator_role_id is None


async def test_timezone_default_flag(repo: GuildSettingsRepository) -> None:
    """A stored zone is effective and not default; clearing it returns to the default."""
    chosen = await repo.set_timezone(GUILD, "Europe/Helsinki")
    assert (chosen.timezone, chosen.timezone_is_default) == ("Europe/Helsinki", False)
    # Choosing the same zone as the default still counts as an explicit choice.
    same = await repo.set_timezone(GUILD, "Europe/Brussels")
    assert (same.timezone, same.timezone_is_default) == ("Europe/Brussels", False)
    cleared = await repo.set_timezone(GUILD, None)
    assert (cleared.timezone, cleared.timezone_is_default) == ("Europe/Brussels", True)
    assert await repo.get(GUILD) == cleared


async def test_default_zone_comes_from_the_repository(migrated_db: Database) -> None:
    """Two repositories with different defaults report their own default for unset zones."""
    brussels = GuildSettingsRepository(migrated_db, "Europe/Brussels")
    await brussels.set_channels(GUILD, announcements=1)
    athens = GuildSettingsRepository(migrated_db, "Europe/Athens")
    settings = await athens.get(GUILD)
    assert settings.timezone == "Europe/Athens" and settings.timezone_is_default
    assert settings.announcements_channel_id == 1


async def test_guilds_are_independent(repo: GuildSettingsRepository) -> None:
    """Settings of one server do not leak into another."""
    await repo.set_channels(GUILD, announcements=1)
    await repo.set_timezone(GUILD, "Europe/Rome")
    other = await repo.get(OTHER_GUILD)
    assert other.announcements_channel_id is None
    assert other.timezone_is_default


async def test_updated_at_is_utc_iso(repo: GuildSettingsRepository, migrated_db: Database) -> None:
    """Every write stamps updated_at with the current UTC time in ISO-8601."""
    await repo.set_moderator_role(GUILD, 5)
    row = await migrated_db.fetchone("SELECT updated_at FROM guild_settings WHERE guild_id = ?", (GUILD,))
    assert row is not None
    stamp = datetime.fromisoformat(row["updated_at"])
    assert stamp.utcoffset() == timedelta(0)
    assert abs(datetime.now(stamp.tzinfo) - stamp) < timedelta(minutes=5)


async def test_concurrent_updates_of_different_keys_all_land(repo: GuildSettingsRepository) -> None:
    """Concurrent setters on one server never overwrite each other's columns."""
    await asyncio.gather(
        repo.set_channels(GUILD, announcements=1),
        repo.set_channels(GUILD, moderation=2),
        repo.set_channels(GUILD, showcase=3),
        repo.set_channels(GUILD, exchange_forum=4),
        repo.set_moderator_role(GUILD, 5),
        repo.set_timezone(GUILD, "Europe/Paris"),
    )
    settings = await repo.get(GUILD)
    assert (
        settings.announcements_channel_id,
        settings.moderation_channel_id,
        settings.showcase_channel_id,
        settings.exchange_forum_id,
        settings.moderator_role_id,
        settings.timezone,
    ) == (1, 2, 3, 4, 5, "Europe/Paris")


async def test_settings_record_is_frozen(repo: GuildSettingsRepository) -> None:
    """The returned record cannot be mutated by callers."""
    settings = await repo.get(GUILD)
    with pytest.raises(AttributeError):
        settings.timezone = "UTC"  # type: ignore[misc]
