"""The /setup commands: per-server channels, moderator role and time zone."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.cog_base import ClimaCog
from bot.errors import ValidationError
from bot.guards import admin_only, require_guild
from bot.timezones import matching_zones, resolve_timezone
from cogs.setup.render import channel_changes, channel_text, settings_lines
from storage.guild_settings import GuildSettingsRepository

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

TEXT_NEEDS = ("view_channel", "send_messages", "embed_links", "attach_files")
FORUM_NEEDS = ("view_channel", "send_messages", "create_public_threads", "manage_threads", "embed_links")


def missing_permissions(channel: discord.abc.GuildChannel, needs: tuple[str, ...]) -> list[str]:
    """Name the permissions the bot lacks in a channel (empty when it cannot tell)."""
    me = channel.guild.me
    if me is None:
        return []
    have = channel.permissions_for(me)
    return [name.replace("_", " ") for name in needs if not getattr(have, name)]


class SetupCog(ClimaCog, name="Setup"):
    """Per-server configuration for administrators."""

    setup_group = app_commands.Group(
        name="setup",
        description="Configure climabot for this server",
        guild_only=True,
        default_permissions=discord.Permissions(administrator=True),
    )

    def __init__(self, bot: ClimaBot) -> None:
        """Keep the bot and the repository that stores per-server settings."""
        super().__init__(bot)
        self.guild_settings: GuildSettingsRepository = bot.repos.guild_settings

    @setup_group.command(name="show", description="Show this server's climabot settings")
    @admin_only()
    async def show(self, interaction: discord.Interaction[Any]) -> None:
        """Reply with every per-server setting."""
        guild_id = require_guild(interaction).guild.id
        settings = await self.guild_settings.get(guild_id)
        embed = discord.Embed(
            title="climabot settings", description="\n".join(settings_lines(settings, _now()))
        )
        embed.set_footer(text="Change them with /setup channels, /setup moderator-role and /setup timezone.")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @setup_group.command(name="channels", description="Choose the channels climabot posts in")
    @app_commands.describe(
        announcements="Where funding calls, reminders and announcements are posted",
        moderation="Where submissions wait for a moderator's decision",
        showcase="Where approved testimonials are published",
        exchange_forum="Forum where cities ask each other questions",
    )
    @admin_only()
    async def channels(
        self,
        interaction: discord.Interaction[Any],
        announcements: discord.TextChannel | None = None,
        moderation: discord.TextChannel | None = None,
        showcase: discord.TextChannel | None = None,
        exchange_forum: discord.ForumChannel | None = None,
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
        lines = channel_changes(before, after) or ["Nothing changed: those were already the settings."]
        for name, channel in chosen.items():
            needs = FORUM_NEEDS if name == "exchange_forum" else TEXT_NEEDS
            missing = missing_permissions(channel, needs)
            if missing:
                lines.append(f"⚠️ In {channel_text(channel.id)} I still need: {', '.join(missing)}.")
        log.info("guild %s: channels set by %s: %s", guild_id, interaction.user.id, sorted(chosen))
        await interaction.response.send_message("\n".join(lines), ephemeral=True)

    @setup_group.command(name="moderator-role", description="Choose the role whose members act as moderators")
    @app_commands.describe(role="Members with this role can run moderator commands")
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
                f"{role.mention} is managed by an integration; choose a role people are given."
            )
        before = await self.guild_settings.get(guild_id)
        await self.guild_settings.set_moderator_role(guild_id, role.id)
        previous = f"<@&{before.moderator_role_id}>" if before.moderator_role_id else "none"
        log.info("guild %s: moderator role set to %s by %s", guild_id, role.id, interaction.user.id)
        await interaction.response.send_message(
            f"Moderator role is now {role.mention} (was {previous}). "
            "Members with Manage Server stay moderators too.",
            ephemeral=True,
        )

    @setup_group.command(name="timezone", description="Set the time zone used to read dates typed here")
    @app_commands.describe(tz="An IANA time zone such as Europe/Brussels")
    @admin_only()
    async def timezone(self, interaction: discord.Interaction[Any], tz: str) -> None:
        """Store the server's time zone after checking it exists."""
        guild_id = require_guild(interaction).guild.id
        zone = resolve_timezone(tz)
        before = await self.guild_settings.get(guild_id)
        await self.guild_settings.set_timezone(guild_id, zone.key)
        local = _now().astimezone(zone).strftime("%Y-%m-%d %H:%M")
        log.info("guild %s: time zone set to %s by %s", guild_id, zone.key, interaction.user.id)
        await interaction.response.send_message(
            f"Time zone is now `{zone.key}` (was `{before.timezone}`); local time there is {local}. "
            "Dates typed in commands are read in this zone.",
            ephemeral=True,
        )

    @timezone.autocomplete("tz")
    async def timezone_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest zone names containing what was typed so far."""
        return [app_commands.Choice(name=z, value=z) for z in matching_zones(current)]


def _now() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)
