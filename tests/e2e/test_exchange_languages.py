"""Mutual learning in the member's and the server's language: /profile set language, replies, posts.

The catalogs are not translated yet, so where a test needs a translated text it gives the bot a small
catalog of its own for one language; country names come from Babel and are translated already.
"""

from __future__ import annotations

import gettext
from typing import Any

from bot.client import ClimaBot
from bot.i18n import SUPPORTED, Lang
from sandbox.emulator import Emulator
from sandbox.state import Member, Message
from tests.e2e.harness import BotHarness, Town


class TinyCatalog(gettext.NullTranslations):
    """A catalog holding only the given translations (English for everything else)."""

    def __init__(self, texts: dict[str, str]) -> None:
        """Keep msgid -> translation."""
        super().__init__()
        self.texts = texts

    def gettext(self, message: str) -> str:
        """The translation, or the English text."""
        return self.texts.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The translation of the form n needs, or the English text."""
        english = singular if n == 1 else plural
        return self.texts.get(english, english)


def bot_of(harness: BotHarness) -> ClimaBot:
    """Return the running bot."""
    assert harness.bot is not None
    return harness.bot


def speak(bot: ClimaBot, code: str, texts: dict[str, str]) -> None:
    """Give the running bot a catalog for one language."""
    bot.languages.catalogs._langs[code] = Lang(code, TinyCatalog(texts))


async def say(emu: Emulator, town: Town, who: Member, command: str, **options: Any) -> Message:
    """Run a slash command in the town and return the first message the person sees."""
    return await (await emu.slash(town.guild, who, command, options=options)).reply()


def fields_of(reply: Message) -> dict[str, str]:
    """The fields of a reply's first embed, by name."""
    return {f["name"]: f["value"] for f in reply.embeds[0]["fields"]}


async def test_a_member_sets_a_language_is_answered_in_it_and_clears_it(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    emu, guild, member = emulator, town.guild, town.member
    bot = bot_of(harness)
    speak(bot, "pl", {"Profile updated.": "Profil zaktualizowany.", "Language": "Język"})
    await bot.repos.cities.add(guild.id, "Lyon", "FR", mission_city=True, created_by=town.moderator.id)

    # Autocomplete: automatic first, then the languages by their own names, the code as value.
    choices = await emu.autocomplete(guild, member, "profile set", focused="language", value="")
    assert len(choices) <= 25
    assert choices[0] == {"name": "Automatic: follow my Discord language", "value": "auto"}
    assert {"name": "Deutsch", "value": "de"} in choices
    typed = await emu.autocomplete(guild, member, "profile set", focused="language", value="pol")
    assert typed == [{"name": "Polski", "value": "pl"}]
    # Languages Discord has no locale for are found by their own name or their English one.
    assert {"name": "Slovenčina", "value": "sk"} in await emu.autocomplete(
        guild, member, "profile set", focused="language", value="slovak"
    )

    # Before: English, as the member's client is en-US.
    info = await say(emu, town, member, "city info", name="Lyon")
    assert info.embeds[0]["description"].startswith("France (FR)")

    # The reply to setting a language is already in that language, and it is stored.
    reply = await say(emu, town, member, "profile set", language="pl")
    assert reply.ephemeral and reply.content.startswith("Profil zaktualizowany.")
    assert fields_of(reply)["Język"] == "Polski (`pl`)"
    assert await bot.languages.chosen(guild.id, member.id) == "pl"
    info = await say(emu, town, member, "city info", name="Lyon")
    assert info.embeds[0]["description"].startswith("Francja (FR)")
    shown = await say(emu, town, member, "profile show")
    assert fields_of(shown)["Język"] == "Polski (`pl`)"

    # It survives a restart (stored, not only cached).
    await harness.restart()
    bot = bot_of(harness)
    assert await bot.languages.chosen(guild.id, member.id) == "pl"

    # Clearing: back to the Discord client's language.
    reply = await say(emu, town, member, "profile set", language="auto")
    assert reply.content.startswith("Profile updated.")
    assert fields_of(reply)["Language"] == "Automatic: follows your Discord language"
    assert await bot.languages.chosen(guild.id, member.id) is None
    info = await say(emu, town, member, "city info", name="Lyon")
    assert info.embeds[0]["description"].startswith("France (FR)")


async def test_an_unknown_language_is_refused_and_changes_nothing(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    emu, guild, member = emulator, town.guild, town.member
    bot = bot_of(harness)
    # English chosen explicitly, so the refusal can be read here; the choice must survive the refusal.
    await say(emu, town, member, "profile set", language="en")
    reply = await say(emu, town, member, "profile set", group="researcher", language="klingon")
    assert reply.ephemeral and "`klingon` is not a language I speak" in reply.content
    assert "`language` option" in reply.content and ", ".join(sorted(SUPPORTED)) in reply.content
    # Neither the language nor the group given with it was stored.
    assert await bot.languages.chosen(guild.id, member.id) == "en"
    assert await bot.repos.profiles.get(guild.id, member.id) is None
    # Codes and names are accepted however they are typed.
    await say(emu, town, member, "profile set", language="pt-BR")
    assert await bot.languages.chosen(guild.id, member.id) == "pt"
    await say(emu, town, member, "profile set", language="Suomi")
    assert await bot.languages.chosen(guild.id, member.id) == "fi"
    reply = await say(emu, town, member, "profile set")
    assert "`language`" in reply.content


async def test_public_posts_use_the_server_language_and_replies_the_members(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    emu, guild = emulator, town.guild
    bot = bot_of(harness)
    italian = guild.add_member("giulia", locale="it")
    speak(
        bot,
        "fr",
        {
            "**Question from** {asker} **to** every city · **Theme:** {theme}": "**Question de** {asker} "
            "**à** toutes les villes · **Thème :** {theme}",
            "Energy": "Énergie",
        },
    )
    speak(
        bot,
        "it",
        {
            "Your question is posted: {post}. When it is answered, run `/exchange resolve` there.": (
                "La tua domanda è pubblicata: {post}."
            ),
            "Energy": "Energia",
        },
    )
    await bot.languages.set_guild_language(guild.id, "fr")
    reply = await say(emu, town, italian, "exchange ask", title="Heat pumps", question="How?", theme="energy")
    assert reply.ephemeral and reply.content.startswith("La tua domanda è pubblicata: <#")
    post = guild.channel("Heat pumps")
    starter = emu.messages_in(post)[0]
    assert starter.content.startswith(
        f"**Question de** <@{italian.id}> **à** toutes les villes · **Thème :** Énergie"
    )
    # The theme's forum tag stays English: tags are shared by every reader of the forum.
    names = {int(t["id"]): t["name"] for t in town.exchange.available_tags}
    assert {names[t] for t in post.applied_tags} == {"Energy"}
    # The list the member asks for is in their language, themes included.
    listing = await say(emu, town, italian, "exchange list")
    assert "Energia" in listing.embeds[0]["description"]
