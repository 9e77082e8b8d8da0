"""open_storage: one call gives a migrated database and its repositories."""

from __future__ import annotations

from pathlib import Path

from storage.migrate import current_version, discover_migrations
from storage.repositories import Repositories, open_storage


async def test_open_storage_migrates_and_builds_repositories(tmp_path: Path) -> None:
    """A fresh path becomes a migrated database whose repositories work and persist across reopen."""
    path = tmp_path / "nested" / "climabot.sqlite3"
    db, repos = await open_storage(path, default_timezone="Europe/Brussels")
    try:
        assert isinstance(repos, Repositories)
        assert await current_version(db) == discover_migrations()[-1].version
        await repos.guild_settings.set_channels(1, announcements=10)
    finally:
        await db.close()

    db, repos = await open_storage(path, default_timezone="Europe/Vienna")
    try:
        settings = await repos.guild_settings.get(1)
        assert settings.announcements_channel_id == 10
        assert settings.timezone == "Europe/Vienna"
    finally:
        await db.close()
