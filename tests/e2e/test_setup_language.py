"""/setup language end to end: an administrator sets the language of the server's public posts."""

from __future__ import annotations

import pytest

from bot.i18n import SUPPORTED
from sandbox.emulator import Emulator
from sandbox.options import NotPossible
from tests.e2e.harness import BotHarness, Town


async def stored_language(harness: BotHarness, town: Town) -> str:
    """The server language as stored."""
    assert harness.bot is not None
    return (await harness.bot.repos.guild_settings.get(town.guild.id)).language


async def test_language_is_set_answered_old_to_new_and_shown(
    emulator: Emulator, town: Town, harness: BotHarness
):
    """French is stored as `fr`, answered old -> new privately, and listed by /setup show after a restart."""
    assert await stored_language(harness, town) == "en"
    reply = await (await emulator.slash(town.guild, town.admin, "setup language", language="fr")).reply()
    assert reply.ephemeral
    assert "now in French · Français (`fr`) (was English (`en`))" in reply.content
    assert await stored_language(harness, town) == "fr"
    assert harness.bot is not None
    assert (await harness.bot.languages.for_guild(town.guild.id)).code == "fr", "public posts follow at once"

    await harness.restart()
    shown = await (await emulator.slash(town.guild, town.admin, "setup show")).reply()
    assert "**language** of public posts: French · Français (`fr`)" in shown.text
    assert "/setup language" in shown.text

    back = await (await emulator.slash(town.guild, town.admin, "setup language", language="en")).reply()
    assert "now in English (`en`) (was French · Français (`fr`))" in back.content
    assert await stored_language(harness, town) == "en", "English is stored as en"


async def test_an_unknown_language_is_refused_and_nothing_changes(
    emulator: Emulator, town: Town, harness: BotHarness
):
    """A code or name climabot does not speak is refused with the list of codes; a typed name is accepted."""
    for typed in ("klingon", "xx", "@everyone"):
        reply = await (await emulator.slash(town.guild, town.admin, "setup language", language=typed)).reply()
        assert reply.ephemeral and "is not a language climabot speaks" in reply.content
        assert "bg, cs, da, de" in reply.content and not reply.mention_everyone
        assert await stored_language(harness, town) == "en"
    named = await (await emulator.slash(town.guild, town.admin, "setup language", language="polski")).reply()
    assert "(`pl`)" in named.content and await stored_language(harness, town) == "pl"


async def test_autocomplete_lists_languages_by_their_own_name(
    emulator: Emulator, town: Town, harness: BotHarness
):
    """Choices are named in their own language with the code as value, filtered by name or code."""
    everything = await emulator.autocomplete(
        town.guild, town.admin, "setup language", focused="language", value=""
    )
    assert len(everything) == 25, "Discord shows at most 25 choices"
    assert all(choice["value"] in SUPPORTED for choice in everything)
    polish = await emulator.autocomplete(
        town.guild, town.admin, "setup language", focused="language", value="pol"
    )
    assert [(c["name"], c["value"]) for c in polish] == [("Polski", "pl")]
    german = await emulator.autocomplete(
        town.guild, town.admin, "setup language", focused="language", value="deutsch"
    )
    assert [c["value"] for c in german] == ["de"]
    by_code = await emulator.autocomplete(
        town.guild, town.admin, "setup language", focused="language", value="uk"
    )
    assert ("Українська", "uk") in [(c["name"], c["value"]) for c in by_code]


async def test_only_administrators_set_the_language(emulator: Emulator, town: Town, harness: BotHarness):
    """Members do not see it, and the bot refuses a moderator even if Discord lets them run it."""
    with pytest.raises(NotPossible):
        await emulator.slash(town.guild, town.member, "setup language", language="de")
    it = await emulator.slash(
        town.guild, town.moderator, "setup language", language="de", override_permissions=True
    )
    reply = await it.reply()
    assert reply.ephemeral and "administrators" in reply.content
    assert await stored_language(harness, town) == "en"
