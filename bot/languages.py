"""Which language a text uses: the member's own, else their Discord client's, else the server's.

An ephemeral reply, a form or a DM speaks the member's language (chosen with /profile set language,
else the locale of the interaction, or for a DM the locale last seen from them, else the server's
language); a public post speaks the server's language. Choices are cached in memory: the members of
a server who chose a language are read once, on the server's first interaction, so picking a reply's
language costs no database read, even on a member's first click (the vote path). The locale a member's
client showed is written later, in batches, so a first click costs no write either.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands

from bot.i18n import ENGLISH, Catalogs, Lang, language_of_locale
from bot.member_data import Erasure
from storage.guild_settings import GuildSettingsRepository
from storage.languages import LanguagesRepository, MemberLanguage

log = logging.getLogger(__name__)
# Last-seen locales wait this long before they are written, so one transaction stores every member seen
# meanwhile (a burst of first clicks on a poll) instead of one per member beside each vote.
SEEN_WRITE_DELAY = 1.0


class Languages:
    """Picks the language of every text the bot sends, and remembers members' choices."""

    # Last: other capabilities write their erasure notes in the member's language, read from here.
    erase_order = 100

    def __init__(
        self, catalogs: Catalogs, members: LanguagesRepository, guilds: GuildSettingsRepository
    ) -> None:
        """Use the loaded catalogs and the repositories holding members' and servers' languages."""
        self.catalogs = catalogs
        self._members = members
        self._guilds = guilds
        self._member_cache: dict[tuple[int, int], MemberLanguage] = {}
        self._guild_cache: dict[int, str] = {}
        # Per server, everyone who chose a language (complete once loaded) and how often it was reset,
        # so a load that raced with a choice is not kept.
        self._chosen: dict[int, dict[int, str]] = {}
        self._chosen_resets: dict[int, int] = {}
        # Last-seen locales not written yet, the task that writes them soon, and writes under way
        # (kept so they are not garbage-collected mid-way).
        self._unsaved: dict[tuple[int, int], str] = {}
        self._saver: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[None]] = set()

    async def _member(self, guild_id: int, user_id: int) -> MemberLanguage:
        """A member's stored languages in a server (cached); read `seen` here, `chosen` from _chosen_in."""
        key = (guild_id, user_id)
        known = self._member_cache.get(key)
        if known is None:
            known = self._member_cache[key] = await self._members.get(guild_id, user_id)
        return known

    async def _chosen_in(self, guild_id: int) -> dict[int, str]:
        """The members of a server who chose a language, with their choice (read once per server)."""
        known = self._chosen.get(guild_id)
        if known is None:
            resets = self._chosen_resets.get(guild_id, 0)
            known = await self._members.chosen_in_guild(guild_id)
            if self._chosen_resets.get(guild_id, 0) == resets:
                self._chosen[guild_id] = known
        return known

    def _forget_chosen(self, guild_id: int) -> None:
        """Drop a server's loaded choices after one changed (read again on the next interaction)."""
        self._chosen.pop(guild_id, None)
        self._chosen_resets[guild_id] = self._chosen_resets.get(guild_id, 0) + 1

    async def guild_code(self, guild_id: int | None) -> str:
        """The server's language code (English outside a server)."""
        if guild_id is None:
            return "en"
        code = self._guild_cache.get(guild_id)
        if code is None:
            code = self._guild_cache[guild_id] = (await self._guilds.get(guild_id)).language
        return code

    async def for_guild(self, guild_id: int | None) -> Lang:
        """The language of a server's public posts."""
        return self.catalogs.lang(await self.guild_code(guild_id))

    async def for_interaction(self, interaction: discord.Interaction[Any]) -> Lang:
        """The language of a reply to this member: their choice, their client's, the server's."""
        guild_id = interaction.guild_id
        if guild_id is not None:
            chosen = (await self._chosen_in(guild_id)).get(interaction.user.id)
            if chosen:
                return self.catalogs.lang(chosen)
        seen = language_of_locale(interaction.locale)
        if seen is not None:
            if guild_id is not None:
                self._remember(guild_id, interaction.user.id, seen)
            return self.catalogs.lang(seen)
        return await self.for_guild(guild_id)

    async def for_member(self, guild_id: int, user_id: int) -> Lang:
        """The language of a DM about a server's item: their choice, their client's last, the server's."""
        chosen = (await self._chosen_in(guild_id)).get(user_id)
        code = chosen or (await self._member(guild_id, user_id)).seen or await self.guild_code(guild_id)
        return self.catalogs.lang(code)

    def _remember(self, guild_id: int, user_id: int, seen: str) -> None:
        """Note the locale a member's client showed, only when it changed; it is written soon, in a batch.

        A member not in the cache (first click since the start) is written without reading first.
        """
        key = (guild_id, user_id)
        stored = self._member_cache.get(key)
        if stored is not None and stored.seen == seen:
            return
        self._member_cache[key] = MemberLanguage(stored.chosen if stored else None, seen)
        self._unsaved[key] = seen
        if self._saver is None:
            self._saver = asyncio.get_running_loop().create_task(self._save_soon(), name="languages-seen")
            self._pending.add(self._saver)
            self._saver.add_done_callback(self._pending.discard)

    async def _save_soon(self) -> None:
        """Wait SEEN_WRITE_DELAY, then write every locale noted meanwhile."""
        await asyncio.sleep(SEEN_WRITE_DELAY)
        self._saver = None
        await self._save_seen()

    async def _save_seen(self) -> None:
        """Write the unsaved last-seen locales in one transaction; a failure only costs DM languages."""
        batch, self._unsaved = self._unsaved, {}
        if not batch:
            return
        try:
            await self._members.seen_many([(guild, user, code) for (guild, user), code in batch.items()])
        except Exception:
            log.warning("could not store the languages seen from %d members", len(batch), exc_info=True)

    async def flush(self) -> None:
        """Write the unsaved last-seen locales now, and wait for writes under way (before closing)."""
        if self._saver is not None:
            # Still waiting: its batch is written here instead.
            self._saver.cancel()
            self._saver = None
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)
        await self._save_seen()

    async def choose(self, guild_id: int, user_id: int, code: str | None) -> None:
        """Store (None: clear) the language a member chose in a server."""
        await self._members.choose(guild_id, user_id, code)
        self._member_cache.pop((guild_id, user_id), None)
        self._forget_chosen(guild_id)

    async def set_guild_language(self, guild_id: int, code: str | None) -> None:
        """Store (None: English) a server's language for public posts."""
        await self._guilds.set_language(guild_id, code)
        self._guild_cache.pop(guild_id, None)

    async def chosen(self, guild_id: int, user_id: int) -> str | None:
        """The language a member chose in a server, if any."""
        return (await self._chosen_in(guild_id)).get(user_id)

    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """The member's language settings in a server."""
        return await self._members.member_data(guild_id, user_id)

    async def erase_member_data(self, member: discord.Member) -> Erasure:
        """Forget the member's language settings in their server."""
        await self.flush()
        removed = await self._members.forget_member(member.guild.id, member.id)
        self._member_cache.pop((member.guild.id, member.id), None)
        # A click noted while the erasure ran must not write the row back.
        self._unsaved.pop((member.guild.id, member.id), None)
        self._forget_chosen(member.guild.id)
        return Erasure({"language": removed})


async def lang_for(interaction: discord.Interaction[Any]) -> Lang:
    """The language to answer this interaction in (English for a client without languages, in tests)."""
    try:
        languages = interaction.client.languages
    except (AttributeError, RuntimeError):
        return ENGLISH
    return await languages.for_interaction(interaction) if isinstance(languages, Languages) else ENGLISH


# Where Discord shows a translated string: descriptions and choice names. Names stay English: they
# are the public contract and what tutorials show.
TRANSLATED_LOCATIONS = frozenset(
    {
        app_commands.TranslationContextLocation.command_description,
        app_commands.TranslationContextLocation.group_description,
        app_commands.TranslationContextLocation.parameter_description,
        app_commands.TranslationContextLocation.choice_name,
    }
)


# Discord's limit for a description or a choice name, in every language.
DISCORD_TEXT_LIMIT = 100


class CommandTranslator(app_commands.Translator):
    """Gives Discord the descriptions and choice names of slash commands in every language we have."""

    def __init__(self, catalogs: Catalogs) -> None:
        """Use the loaded catalogs."""
        self.catalogs = catalogs

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        """The translation for one Discord locale, or None to keep the English text there."""
        code = language_of_locale(locale)
        if code is None or code == "en" or context.location not in TRANSLATED_LOCATIONS:
            return None
        translated = self.catalogs.lang(code)._(string.message)
        if translated == string.message:
            return None
        if len(translated) > DISCORD_TEXT_LIMIT:
            # Discord refuses the whole sync for one long text: that one stays English instead.
            log.warning(
                "%s translation too long for Discord (%d > 100): %r", code, len(translated), translated
            )
            return None
        return translated
