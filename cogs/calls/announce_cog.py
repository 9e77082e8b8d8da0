"""The /announce commands (schedule once or repeating, list, cancel) and announcing a new call."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import discord
from discord import app_commands

from bot.cog_base import ClimaCog
from bot.errors import NotFoundError, PermissionDeniedError, ValidationError
from bot.forms import Form
from bot.guards import member_is_moderator, moderator_only, require_moderator
from bot.i18n import N_, Lang, Msg
from bot.replies import MORE, clip, fit_lines, quote_input
from bot.text import optional_visible
from bot.timeparse import ACCEPTED_WHEN, parse_when
from bot.timestamps import discord_timestamp, full_and_relative
from cogs.calls.jobs import Dispatcher
from cogs.calls.recurrence import Repeat
from cogs.calls.render import (
    DESCRIPTION_LIMIT,
    REPEAT_NAMES,
    announcement_line,
    new_call_message,
    scheduled_text,
)
from cogs.calls.rules import MESSAGE_MAX, announcement_input, message_text
from cogs.calls.views import (
    ANNOUNCE_COG_NAME,
    SCHEDULE_FORM,
    AnnounceCallButton,
    ScheduleCallButton,
)
from storage.calls import Call

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

REPEAT_CHOICES = [app_commands.Choice(name=REPEAT_NAMES[r], value=r.value) for r in Repeat]
SEND_NEEDS = ("view_channel", "send_messages", "embed_links")
# Permission names as Discord shows them in English; translators use the names Discord shows in theirs.
PERMISSION_NAMES = {
    "view_channel": N_("View Channel"),
    "send_messages": N_("Send Messages"),
    "embed_links": N_("Embed Links"),
}
# "Announce now" twice within this window is a double click, not a wish for two posts.
ANNOUNCE_AGAIN_AFTER = timedelta(minutes=10)


def missing_permissions(t: Lang, have: discord.Permissions, needs: tuple[str, ...]) -> list[str]:
    """The permissions of `needs` that `have` lacks, named as Discord shows them in language t."""
    return [t._(PERMISSION_NAMES[name]) for name in needs if not getattr(have, name)]


class AnnounceCog(ClimaCog, name=ANNOUNCE_COG_NAME):
    """Announcements scheduled by moderators, and the announcement of a newly registered call."""

    announce_group = app_commands.Group(
        name="announce", description=N_("Schedule announcements"), guild_only=True
    )
    dynamic_items = (AnnounceCallButton, ScheduleCallButton)

    def __init__(self, bot: ClimaBot, dispatcher: Dispatcher) -> None:
        """Keep the bot and the shared dispatcher (started by the calls cog)."""
        super().__init__(bot)
        self.dispatcher = dispatcher

    def forms(self) -> tuple[Form, ...]:
        """The form asking when to announce a new call."""
        return (SCHEDULE_FORM,)

    def now(self) -> datetime:
        """The current UTC time (the dispatcher's clock, replaceable in tests)."""
        return self.dispatcher.clock()

    @announce_group.command(
        name="schedule", description=N_("Post a message at a given time, once or repeating")
    )
    @app_commands.describe(
        channel=N_("Where to post it"),
        # Translators: the dates and `in 2h`, `in 3d` are typed as they are; keep them.
        when=N_("2026-12-01 09:30, 2026-12-01 (09:00), in 2h, in 3d — in the server's time zone"),
        message=N_("The text; type \\n for a line break"),
        repeat=N_("none (default), daily, weekly or monthly — same local time each time"),
        ping_role=N_("A role to notify (nobody else is ever pinged)"),
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
        tz = await self.dispatcher.zone(interaction.guild_id)
        due = self._future(when, tz)
        if ping_role is not None and ping_role.is_default():
            raise ValidationError("I never ping @everyone; choose a specific role to notify, or none.")
        t = await self.lang(interaction)
        have = self._check_channel(t, interaction, channel)
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
        # Discord shows a role mention without notifying anyone unless it is mentionable or we may ping all.
        silent = ping_role is not None and not ping_role.mentionable and not (have and have.mention_everyone)
        await interaction.response.send_message(
            scheduled_text(t, item, channel.mention, ping_role.mention if ping_role else None, silent=silent),
            ephemeral=True,
        )

    async def lang(self, interaction: discord.Interaction[Any]) -> Lang:
        """The language to answer this moderator in."""
        return await self.bot.languages.for_interaction(interaction)

    def _future(self, when: str, tz: ZoneInfo) -> datetime:
        """Read a typed time in the server's zone; it must lie ahead."""
        due = parse_when(when, tz, now=self.now())
        if due <= self.now():
            raise ValidationError(
                "{typed} is in the past ({when}); choose a time ahead. Accepted: {accepted}.",
                typed=quote_input(when),
                when=full_and_relative(due),
                accepted=Msg(ACCEPTED_WHEN),
            )
        return due

    @staticmethod
    def _check_channel(
        t: Lang, interaction: discord.Interaction[Any], channel: discord.TextChannel
    ) -> discord.Permissions | None:
        """Refuse a channel the moderator may not post in, or the bot cannot; return the bot's permissions."""
        member = interaction.user
        if isinstance(member, discord.Member) and not channel.permissions_for(member).send_messages:
            raise PermissionDeniedError(
                "You cannot post in {channel} yourself, so you cannot schedule "
                "announcements there. Nothing was scheduled.",
                channel=channel.mention,
            )
        me = channel.guild.me
        have = channel.permissions_for(me) if me is not None else None
        missing = missing_permissions(t, have, SEND_NEEDS) if have is not None else []
        if missing:
            raise ValidationError(
                "I cannot post in {channel}: I need {permissions} there.",
                channel=channel.mention,
                permissions=", ".join(missing),
            )
        return have

    @announce_group.command(name="list", description=N_("List the announcements still to come"))
    @moderator_only()
    async def list_announcements(self, interaction: discord.Interaction[Any]) -> None:
        """Show pending announcements, soonest first."""
        assert interaction.guild_id is not None
        items = await self.bot.repos.announcements.pending(interaction.guild_id, limit=-1)
        t = await self.lang(interaction)
        if not items:
            await interaction.response.send_message(t._("No announcements are scheduled."), ephemeral=True)
            return
        lines = [announcement_line(t, item) for item in items]
        embed = discord.Embed(
            title=t._("Scheduled announcements"),
            description=fit_lines(lines, DESCRIPTION_LIMIT, more=t._(MORE)),
        )
        embed.set_footer(text=t._("Cancel one with /announce cancel id"))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    async def id_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[int]]:
        """Offer the pending announcements of this server, to moderators only (they are not public yet)."""
        member = interaction.user
        if not isinstance(member, discord.Member) or not await member_is_moderator(self.bot, member):
            return []
        items = await self.bot.repos.announcements.pending(member.guild.id, limit=100)
        choices = []
        for item in items:
            label = clip(
                f"#{item.id} {item.next_due_at:%Y-%m-%d %H:%M} UTC · {' '.join(item.message.split())}", 100
            )
            if current.strip().lstrip("#") in label:
                choices.append(app_commands.Choice(name=label, value=item.id))
        return choices[:25]

    @announce_group.command(name="cancel", description=N_("Cancel a scheduled announcement"))
    @app_commands.describe(id=N_("The announcement's number, from /announce list"))
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
                    "Announcement #{id} is being posted right now; it can no longer be cancelled.", id=id
                )
            raise NotFoundError(
                "There is no scheduled announcement #{id} here; `/announce list` shows them.", id=id
            )
        self.dispatcher.cancel_announcements([item.id])
        log.info("guild %s: announcement %s cancelled by %s", interaction.guild_id, id, interaction.user.id)
        t = await self.lang(interaction)
        await interaction.response.send_message(t._("Cancelled announcement #{id}.", id=id), ephemeral=True)

    # --- announcing a new call (the buttons under its confirmation) --------------------------------

    async def _call_here(self, interaction: discord.Interaction[Any], call_id: int) -> tuple[Call, int]:
        """A call of this server by row id and the server's announcements channel, or a refusal."""
        call = await self.bot.repos.calls.get_by_id(call_id)
        if call is None or call.guild_id != interaction.guild_id:
            raise NotFoundError("That call no longer exists.")
        settings = await self.bot.repos.guild_settings.get(call.guild_id)
        if settings.announcements_channel_id is None:
            raise ValidationError(
                "This server has no announcements channel yet; an administrator can set one with "
                "`/setup channels announcements:`."
            )
        return call, settings.announcements_channel_id

    async def announce_call_now(self, interaction: discord.Interaction[Any], call_id: int) -> None:
        """Post a call in the announcements channel at once (once, even if the button is clicked twice)."""
        await require_moderator(interaction)
        call, channel_id = await self._call_here(interaction, call_id)
        now = self.now()
        # The post is public: its default text speaks the server's language.
        public = await self.bot.languages.for_guild(call.guild_id)
        item, created = await self.bot.repos.announcements.schedule_for_call_once(
            call.guild_id,
            announcement_input(
                channel_id=channel_id,
                message=new_call_message(public, call),
                due=now,
                tz=ZoneInfo(call.timezone),
                call_id=call.id,
            ),
            created_by=interaction.user.id,
            now=now,
            since=now - ANNOUNCE_AGAIN_AFTER,
        )
        if not created:
            raise ValidationError(
                "`{identifier}` was already announced or scheduled {when} (announcement #{id}); "
                "use `/announce schedule` for another post.",
                identifier=call.identifier,
                when=discord_timestamp(item.created_at, "R"),
                id=item.id,
            )
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
        except discord.HTTPException:
            # The row is stored and no job would send it before a restart: post it anyway.
            await self.dispatcher.run_announcement(item.id)
            raise
        outcome = await self.dispatcher.run_announcement(item.id)
        t = await self.lang(interaction)
        if outcome == "sent":
            text = t._(
                "Announced `{identifier}` in <#{channel}>.", identifier=call.identifier, channel=channel_id
            )
        elif outcome == "failed":
            text = t._("I could not post in <#{channel}>; check my permissions there.", channel=channel_id)
        else:
            text = t._(
                # Translators: {outcome} is a status code such as `missed` or `error`; keep it as it is.
                "The announcement of `{identifier}` ended as: {outcome}.",
                identifier=call.identifier,
                outcome=outcome,
            )
        await interaction.followup.send(text, ephemeral=True)

    async def open_schedule_form(self, interaction: discord.Interaction[Any], call_id: int) -> None:
        """Ask a moderator when to announce a call, in a form bound to them and this call."""
        await require_moderator(interaction)
        call, _ = await self._call_here(interaction, call_id)
        tz = await self.dispatcher.zone(call.guild_id)
        await self.bot.forms.open(interaction, SCHEDULE_FORM, {"call": call.id, "zone": tz.key})

    async def schedule_call_announcement(
        self, interaction: discord.Interaction[Any], call_id: int, when: str, message: str
    ) -> None:
        """Schedule a call's announcement in the announcements channel."""
        call, channel_id = await self._call_here(interaction, call_id)
        tz = await self.dispatcher.zone(call.guild_id)
        due = self._future(when, tz)
        typed = optional_visible(message, N_("message"))
        if typed is None:
            # The default text of a public post speaks the server's language.
            typed = new_call_message(await self.bot.languages.for_guild(call.guild_id), call)
        item = await self.dispatcher.add_announcement(
            call.guild_id,
            announcement_input(
                channel_id=channel_id,
                message=typed,
                due=due,
                tz=tz,
                call_id=call.id,
            ),
            created_by=interaction.user.id,
        )
        t = await self.lang(interaction)
        text = t._(
            "Announcement #{id} of `{identifier}` will be posted in <#{channel}> {when}.",
            id=item.id,
            identifier=call.identifier,
            channel=channel_id,
            when=full_and_relative(item.next_due_at),
        )
        await interaction.response.send_message(text, ephemeral=True)
