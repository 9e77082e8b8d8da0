"""The languages service reads a server's chosen languages once and keeps them exact after changes."""

from __future__ import annotations

from pathlib import Path

from bot.i18n import Catalogs
from bot.languages import Languages
from storage.database import Database
from storage.guild_settings import GuildSettingsRepository
from storage.languages import LanguagesRepository
from storage.migrate import apply_migrations

GUILD, OTHER_GUILD = 10, 20


async def test_choices_are_read_once_per_server_and_follow_every_change(tmp_path: Path) -> None:
    """A first reply needs no read per member; a choice made or cleared later is seen at once."""
    db = Database(tmp_path / "climabot.sqlite3")
    await db.open()
    try:
        await apply_migrations(db)
        members = LanguagesRepository(db)
        await members.choose(GUILD, 1, "de")
        languages = Languages(Catalogs(), members, GuildSettingsRepository(db, "Europe/Brussels"))
        reads: list[int] = []
        load = members.chosen_in_guild

        async def counted(guild_id: int) -> dict[int, str]:
            """Count the loads of a server's choices."""
            reads.append(guild_id)
            return await load(guild_id)

        members.chosen_in_guild = counted  # type: ignore[method-assign]
        assert await languages.chosen(GUILD, 1) == "de"
        assert [await languages.chosen(GUILD, user) for user in range(2, 50)] == [None] * 48
        assert reads == [GUILD]
        await languages.choose(GUILD, 2, "fr")
        assert await languages.chosen(GUILD, 2) == "fr"
        assert (await languages.for_member(GUILD, 2)).code == "fr"
        await languages.choose(GUILD, 1, None)
        assert await languages.chosen(GUILD, 1) is None
        assert await languages.chosen(OTHER_GUILD, 2) is None
        assert reads == [GUILD, GUILD, GUILD, OTHER_GUILD]
    finally:
        await db.close()
