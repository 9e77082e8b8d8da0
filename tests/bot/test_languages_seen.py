"""The locale a member's client showed is written in batches, off the reply's path, and never lost."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import discord

from bot import languages as languages_module
from bot.i18n import Catalogs
from bot.languages import Languages
from storage.database import Database
from storage.guild_settings import GuildSettingsRepository
from storage.languages import LanguagesRepository
from storage.migrate import apply_migrations

GUILD = 10


def click(user_id: int, locale: str) -> Any:
    """The parts of an interaction the languages service reads."""
    return SimpleNamespace(guild_id=GUILD, user=SimpleNamespace(id=user_id), locale=discord.Locale(locale))


async def stored(db: Database) -> dict[int, str]:
    """Every member's stored last-seen language."""
    rows = await db.fetchall("SELECT user_id, seen FROM member_languages WHERE seen IS NOT NULL")
    return {int(row["user_id"]): str(row["seen"]) for row in rows}


async def test_first_clicks_write_nothing_until_one_batch(tmp_path: Path, monkeypatch: Any) -> None:
    """Fifty first clicks answer without a write; then one transaction stores all fifty; flush the rest."""
    monkeypatch.setattr(languages_module, "SEEN_WRITE_DELAY", 0.05)
    db = Database(tmp_path / "climabot.sqlite3")
    await db.open()
    try:
        await apply_migrations(db)
        members = LanguagesRepository(db)
        languages = Languages(Catalogs(), members, GuildSettingsRepository(db, "Europe/Brussels"))
        await languages.chosen(GUILD, 0)  # the server's choices are loaded once, before the clicks
        transactions: list[float] = []
        db.on_transaction = transactions.append
        replies = [(await languages.for_interaction(click(user, "de"))).code for user in range(50)]
        assert replies == ["de"] * 50
        assert transactions == [] and await stored(db) == {}
        await languages.flush()
        assert len(transactions) == 1
        assert await stored(db) == dict.fromkeys(range(50), "de")
        # A member seen again with the same client writes nothing; a changed client is written soon.
        await languages.for_interaction(click(3, "de"))
        await languages.for_interaction(click(4, "fr"))
        saver = languages._saver
        assert saver is not None
        await saver
        assert len(transactions) == 2
        assert (await stored(db))[4] == "fr"
        assert (await languages.for_member(GUILD, 4)).code == "fr"
        # Unsaved at close: flush (which the bot's close runs) writes it.
        await languages.for_interaction(click(99, "it"))
        await languages.flush()
        assert (await stored(db))[99] == "it"
    finally:
        await db.close()
