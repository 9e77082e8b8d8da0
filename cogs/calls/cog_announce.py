"""The /announce commands: schedule a message once or repeating, list and cancel scheduled ones."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import NotFoundError, ValidationError
from bot.guards import moderator_only
from bot.replies import clip, fit_lines, quote_input
from bot.timeparse import ACCEPTED_WHEN, parse_when
from bot.timestamps import full_and_relative
from cogs.calls.actions import announcement_input, is_moderator_here, server_zone
from cogs.calls.dispatch import Dispatcher
from cogs.calls.recurrence import Repeat
from cogs.calls.render import DESCRIPTION_LIMIT, announcement_line

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

# Room for the role mention put in front of a message that pings a role.
MESSAGE_MAX = 1900
REPEAT_CHOICES = [app_commands.Choice(name=r.value, value=r.value) for r in Repeat]
SEND_NEEDS = ("view_channel", "send_messages", "embed_links")


def message_text(typed: str) -> str:
    """Turn a typed one-line message into the posted text (`\\n` becomes a line break)."""
    text = typed.replace("\\n", "\n").strip()
    if not text:
        raise ValidationError("The message is empty.")
    if len(text) > MESSAGE_MAX:
        raise ValidationError(f"The message is {len(text)} characters long; at most {MESSAGE_MAX} fit.")
    return text


def quoted(text: str) -> str:
    """Render text as a Markdown block quote, every line of it."""
    return "\n".join(f"> {line}" for line in text.splitlines())


def repeat_phrase(repeat: Repeat, first_local: str, zone: str) -> str:
    """Say how an announcement repeats, in the zone its wall-clock time is kept in."""
    if repeat is Repeat.NONE:
        return "once"
    return f"{repeat.value} at {first_local} {zone} (kept across daylight-saving changes)"


class AnnounceCog(commands.Cog, name="Announcements"):
    """Announcements scheduled by moderators."""

    announce_group = app_commands.Group(
        name="announce", description="Schedule announcements", guild_only=True
    )

    def __init__(self, bot: ClimaBot, dispatcher: Dispatcher) -> None:
        """Keep the bot and the shared dispatcher (started by the calls cog)."""
        self.bot = bot
        self.dispatcher = dispatcher

    @announce_group.command(name="schedule", description="Post a message at a given time, once or repeating")
    @app_commands.describe(
        channel="Where to post it",
        when="2026-12-01 09:30, 2026-12-01 (09:00), in 2h, in 3d — in the server's time zone",
        message="The text; type \\n for a line break",
        repeat="none (default), daily, weekly or monthly — same local time each time",
        ping_role="A role to notify (nobody else is ever pinged)",
    )
    @app_commands.choices(repeat=REPEAT_CHOICES)
    @moderator_only()
    async def schedule(
        self,
        interaction: discord.Interaction[Any],
        channel: discord.TextChannel,
        when: str,
        message: app_commands.Range[str, 1, MESSAGE_MAX],
        repeat: str = Repeat.NONE.value,
        ping_role: discord.Role | None = None,
    ) -> None:
        """Validate and store an announcement, then echo the parsed time."""
        assert interaction.guild_id is not None
        text = message_text(message)
        tz = await server_zone(self.bot, interaction.guild_id)
        now = self.dispatcher.clock()
        due = parse_when(when, tz, now=now)
        if due <= now:
            raise ValidationError(
                f"{quote_input(when)} is in the past ({full_and_relative(due)}); choose a time ahead. "
                f"Accepted: {ACCEPTED_WHEN}."
            )
        if ping_role is not None and ping_role.is_default():
            raise ValidationError("I never ping @everyone; choose a specific role to notify, or none.")
        me = channel.guild.me
        have = channel.permissions_for(me) if me is not None else None
        if have is not None:
            missing = [name.replace("_", " ") for name in SEND_NEEDS if not getattr(have, name)]
            if missing:
                raise ValidationError(
                    f"I cannot post in {channel.mention}: I need {', '.join(missing)} there."
                )
        item = await self.dispatcher.add_announcement(
            interaction.guild_id,
            announcement_input(
                channel_id=channel.id,
                message=text,
                due=due,
                tz=tz,
                repeat=repeat,
                ping_role_id=ping_role.id if ping_role else None,
            ),
            created_by=interaction.user.id,
        )
        log.info(
            "guild %s: announcement %s scheduled by %s for %s (%s)",
            interaction.guild_id,
            item.id,
            interaction.user.id,
            item.next_due_at.isoformat(),
            item.repeat,
        )
        local = item.first_local.strftime("%H:%M")
        pings = f", notifying {ping_role.mention}" if ping_role else ""
        if ping_role is not None and not ping_role.mentionable and not (have and have.mention_everyone):
            pings += (
                " (⚠️ the role is not mentionable and I lack the Mention @everyone permission there, "
                "so Discord will show the mention without notifying anyone)"
            )
        await interaction.response.send_message(
            f"Announcement #{item.id} scheduled in {channel.mention} "
            f"for {full_and_relative(item.next_due_at)}, "
            f"{repeat_phrase(Repeat(repeat), local, tz.key)}{pings}.\n{quoted(clip(text, 300))}",
            ephemeral=True,
        )

    @announce_group.command(name="list", description="List the announcements still to come")
    @moderator_only()
    async def list_announcements(self, interaction: discord.Interaction[Any]) -> None:
        """Show pending announcements, soonest first."""
        assert interaction.guild_id is not None
        items = await self.bot.repos.announcements.pending(interaction.guild_id, limit=-1)
        if not items:
            await interaction.response.send_message("No announcements are scheduled.", ephemeral=True)
            return
        lines = [announcement_line(item) for item in items]
        embed = discord.Embed(
            title="Scheduled announcements", description=fit_lines(lines, DESCRIPTION_LIMIT)
        )
        embed.set_footer(text="Cancel one with /announce cancel id")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    async def id_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[int]]:
        """Offer the pending announcements of this server, to moderators only (they are not public yet)."""
        if interaction.guild_id is None or not await is_moderator_here(self.bot, interaction):
            return []
        items = await self.bot.repos.announcements.pending(interaction.guild_id, limit=100)
        choices = []
        for item in items:
            label = clip(
                f"#{item.id} {item.next_due_at:%Y-%m-%d %H:%M} UTC · {' '.join(item.message.split())}", 100
            )
            if current.strip().lstrip("#") in label:
                choices.append(app_commands.Choice(name=label, value=item.id))
        return choices[:25]

    @announce_group.command(name="cancel", description="Cancel a scheduled announcement")
    @app_commands.describe(id="The announcement's number, from /announce list")
    @app_commands.autocomplete(id=id_autocomplete)
    @moderator_only()
    async def cancel(self, interaction: discord.Interaction[Any], id: int) -> None:
        """Cancel a pending announcement of this server."""
        assert interaction.guild_id is not None
        item = await self.bot.repos.announcements.cancel(interaction.guild_id, id, by=interaction.user.id)
        if item is None:
            current = await self.bot.repos.announcements.get(id)
            if (
                current is not None
                and current.guild_id == interaction.guild_id
                and current.state == "sending"
            ):
                raise ValidationError(
                    f"Announcement #{id} is being posted right now; it can no longer be cancelled."
                )
            raise NotFoundError(
                f"There is no scheduled announcement #{id} here; `/announce list` shows them."
            )
        self.dispatcher.cancel_announcements([item.id])
        log.info("guild %s: announcement %s cancelled by %s", interaction.guild_id, id, interaction.user.id)
        await interaction.response.send_message(f"Cancelled announcement #{id}.", ephemeral=True)
