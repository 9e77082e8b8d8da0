"""The /setup commands: per-server channels, moderator role, time zone and language."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.cog_base import ClimaCog
from bot.errors import ValidationError
from bot.guards import admin_only, require_guild
from bot.i18n import N_, SUPPORTED, native_name, normalise_language
from bot.replies import quote_input
from bot.timezones import matching_zones, resolve_timezone
from cogs.setup.render import (
    channel_changes,
    channel_text,
    language_text,
    local_time,
    permission_names,
    role_text,
    settings_lines,
)
from storage.guild_settings import GuildSettingsRepository

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

TEXT_NEEDS = ("view_channel", "send_messages", "embed_links", "attach_files")
FORUM_NEEDS = ("view_channel", "send_messages", "create_public_threads", "manage_threads", "embed_links")
# Discord shows at most 25 autocomplete choices (we speak 27 languages): typing narrows the list.
AUTOCOMPLETE_LIMIT = 25


def missing_permissions(channel: discord.abc.GuildChannel, needs: tuple[str, ...]) -> list[str]:
    """The permissions (discord.py names) the bot lacks in a channel; empty when it cannot tell."""
    me = channel.guild.me
    if me is None:
        return []
    have = channel.permissions_for(me)
    return [name for name in needs if not getattr(have, name)]


def language_code(typed: str) -> str | None:
    """The supported language an administrator picked or typed: a code (`fr`, `pt-BR`) or a name."""
    code = normalise_language(typed)
    if code is not None:
        return code
    wanted = typed.strip().casefold()
    for candidate, english in SUPPORTED.items():
        if wanted in (english.casefold(), native_name(candidate).casefold()):
            return candidate
    return None


class SetupCog(ClimaCog, name="Setup"):
    """Per-server configuration for administrators."""

    setup_group = app_commands.Group(
        name="setup",
        description=N_("Configure climabot for this server"),
        guild_only=True,
        default_permissions=discord.Permissions(administrator=True),
    )

    def __init__(self, bot: ClimaBot) -> None:
        """Keep the bot and the repository that stores per-server settings."""
        super().__init__(bot)
        self.guild_settings: GuildSettingsRepository = bot.repos.guild_settings

    @setup_group.command(name="show", description=N_("Show this server's climabot settings"))
    @admin_only()
    async def show(self, interaction: discord.Interaction[Any]) -> None:
        """Reply with every per-server setting."""
        guild_id = require_guild(interaction).guild.id
        settings = await self.guild_settings.get(guild_id)
        t = await self.bot.languages.for_interaction(interaction)
        embed = discord.Embed(
            title=t._("climabot settings"), description="\n".join(settings_lines(t, settings, _now()))
        )
        embed.set_footer(
            text=t._(
                "Change them with /setup channels, /setup moderator-role, /setup timezone "
                "and /setup language."
            )
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @setup_group.command(name="channels", description=N_("Choose the channels climabot posts in"))
    @app_commands.describe(
        announcements=N_("Where funding calls, reminders and announcements are posted"),
        moderation=N_("Where submissions wait for a moderator's decision"),
        showcase=N_("Where approved testimonials are published"),
        exchange_forum=N_("Forum where cities ask each other questions"),
        proposals_forum=N_("Forum where members post citizen proposals"),
    )
    @admin_only()
    async def channels(
        self,
        interaction: discord.Interaction[Any],
        announcements: discord.TextChannel | None = None,
        moderation: discord.TextChannel | None = None,
        showcase: discord.TextChannel | None = None,
        exchange_forum: discord.ForumChannel | None = None,
        proposals_forum: discord.ForumChannel | None = None,
    ) -> None:
        """Store the chosen channels and say what changed and what the bot still cannot do there."""
        guild_id = require_guild(interaction).guild.id
        chosen: dict[str, discord.abc.GuildChannel] = {
            name: channel
            for name, channel in (
                ("announcements", announcements),
                ("moderation", moderation),
                ("showcase", showcase),
                ("exchange_forum", exchange_forum),
                ("proposals_forum", proposals_forum),
            )
            if channel is not None
        }
        if not chosen:
            raise ValidationError(
                "Choose at least one channel: `announcements`, `moderation`, `showcase` or `exchange_forum`."
            )
        before = await self.guild_settings.get(guild_id)
        after = await self.guild_settings.set_channels(
            guild_id, **{name: channel.id for name, channel in chosen.items()}
        )
        t = await self.bot.languages.for_interaction(interaction)
        lines = channel_changes(t, before, after) or [
            t._("Nothing changed: those were already the settings.")
        ]
        for name, channel in chosen.items():
            needs = FORUM_NEEDS if name.endswith("_forum") else TEXT_NEEDS
            missing = missing_permissions(channel, needs)
            if missing:
                lines.append(
                    t._(
                        "⚠️ In {channel} I still need: {permissions}.",
                        channel=channel_text(t, channel.id),
                        permissions=permission_names(t, missing),
                    )
                )
        log.info("guild %s: channels set by %s: %s", guild_id, interaction.user.id, sorted(chosen))
        await interaction.response.send_message("\n".join(lines), ephemeral=True)

    @setup_group.command(
        name="moderator-role", description=N_("Choose the role whose members act as moderators")
    )
    @app_commands.describe(role=N_("Members with this role can run moderator commands"))
    @admin_only()
    async def moderator_role(self, interaction: discord.Interaction[Any], role: discord.Role) -> None:
        """Store the moderator role, refusing roles that would make everyone a moderator."""
        guild_id = require_guild(interaction).guild.id
        if role.is_default():
            raise ValidationError(
                "`@everyone` cannot be the moderator role: it would make every member a moderator."
            )
        if role.managed:
            raise ValidationError(
                "{role} is managed by an integration; choose a role people are given.", role=role.mention
            )
        before = await self.guild_settings.get(guild_id)
        await self.guild_settings.set_moderator_role(guild_id, role.id)
        log.info("guild %s: moderator role set to %s by %s", guild_id, role.id, interaction.user.id)
        t = await self.bot.languages.for_interaction(interaction)
        if before.moderator_role_id:
            text = t._(
                "Moderator role is now {role} (was {previous}). "
                "Members with Manage Server stay moderators too.",
                role=role.mention,
                previous=role_text(t, before.moderator_role_id),
            )
        else:
            text = t._(
                "Moderator role is now {role} (there was none). "
                "Members with Manage Server stay moderators too.",
                role=role.mention,
            )
        await interaction.response.send_message(text, ephemeral=True)

    @setup_group.command(name="timezone", description=N_("Set the time zone used to read dates typed here"))
    @app_commands.describe(tz=N_("An IANA time zone such as Europe/Brussels"))
    @admin_only()
    async def timezone(self, interaction: discord.Interaction[Any], tz: str) -> None:
        """Store the server's time zone after checking it exists."""
        guild_id = require_guild(interaction).guild.id
        zone = resolve_timezone(tz)
        before = await self.guild_settings.get(guild_id)
        await self.guild_settings.set_timezone(guild_id, zone.key)
        log.info("guild %s: time zone set to %s by %s", guild_id, zone.key, interaction.user.id)
        t = await self.bot.languages.for_interaction(interaction)
        await interaction.response.send_message(
            t._(
                "Time zone is now `{zone}` (was `{previous}`); local time there is {local}. "
                "Dates typed in commands are read in this zone.",
                zone=zone.key,
                previous=before.timezone,
                local=local_time(t, _now(), zone.key),
            ),
            ephemeral=True,
        )

    @timezone.autocomplete("tz")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest zone names containing what was typed so far."""
        return [app_commands.Choice(name=z, value=z) for z in matching_zones(current)]

    @setup_group.command(
        name="language", description=N_("Choose the language of climabot's public posts here")
    )
    @app_commands.describe(
        language=N_(
            "Announcements, poll messages and reminders use it; replies follow each member's language"
        )
    )
    @admin_only()
    async def language(self, interaction: discord.Interaction[Any], language: str) -> None:
        """Store the server's language for public posts, answering old -> new in the admin's language."""
        guild_id = require_guild(interaction).guild.id
        code = language_code(language)
        if code is None:
            raise ValidationError(
                "{typed} is not a language climabot speaks. Pick one from the list, or type one of these "
                "codes: {codes}.",
                typed=quote_input(language),
                codes=", ".join(sorted(SUPPORTED)),
            )
        languages = self.bot.languages
        before = await languages.guild_code(guild_id)
        await languages.set_guild_language(guild_id, code)
        log.info("guild %s: language set to %s (was %s) by %s", guild_id, code, before, interaction.user.id)
        t = await languages.for_interaction(interaction)
        await interaction.response.send_message(
            t._(
                "Public posts here (announcements, poll messages, reminders) are now in {new} (was {old}). "
                "Replies to each member stay in their own language.",
                new=language_text(t, code),
                old=language_text(t, before),
            ),
            ephemeral=True,
        )

    @language.autocomplete("language")
    async def language_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Offer the supported languages by their own name (value: the code), filtered by what was typed."""
        wanted = current.strip().casefold()
        choices = []
        for code in sorted(SUPPORTED):
            own = native_name(code)
            if not wanted or any(wanted in text.casefold() for text in (own, SUPPORTED[code], code)):
                choices.append(app_commands.Choice(name=own, value=code))
        return choices[:AUTOCOMPLETE_LIMIT]


def _now() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)
