"""What the calls forms and buttons do: store a call, announce it, show a list page."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import discord

from bot.durations import describe_offset
from bot.errors import NotFoundError, PermissionDeniedError, ValidationError
from bot.guards import is_moderator
from bot.replies import clip, quote_input
from bot.timeparse import parse_when
from bot.timestamps import discord_timestamp, full_and_relative
from cogs.calls.dispatch import Dispatcher
from cogs.calls.programmes import infer_programme
from cogs.calls.render import PAGE_SIZE, call_embed, list_embed, new_call_message
from cogs.calls.rules import (
    check_link,
    check_summary,
    check_title,
    local_text,
    normalize_identifier,
    parse_deadline,
    parse_tags,
)
from cogs.calls.views import CallFormValues, new_call_view, page_view
from storage.announcements import AnnouncementInput
from storage.calls import Call, CallChange, CallInput, CallStatus, DuplicateCallError, Reminder

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

# "Announce now" twice within this window is a double click, not a wish for two posts.
ANNOUNCE_AGAIN_AFTER = timedelta(minutes=10)


def reminder_summary(reminders: tuple[Reminder, ...] | list[Reminder]) -> str:
    """Say when a call's reminders will go out."""
    if not reminders:
        return "No deadline reminders: the deadline is closer than the shortest reminder offset."
    parts = [f"{describe_offset(r.offset)} before ({discord_timestamp(r.due_at, 'R')})" for r in reminders]
    # Offsets are configurable: a long list must not push a reply past Discord's 2,000 characters.
    return clip("Reminders: " + ", ".join(parts) + ".", 1000)


def announcement_input(
    *,
    channel_id: int,
    message: str,
    due: datetime,
    tz: ZoneInfo,
    repeat: str = "none",
    ping_role_id: int | None = None,
    call_id: int | None = None,
) -> AnnouncementInput:
    """Describe a new announcement; repeats are anchored at the due time's wall clock in `tz`."""
    due = due.replace(microsecond=0)
    return AnnouncementInput(
        channel_id=channel_id,
        message=message,
        repeat=repeat,
        timezone=tz.key,
        first_local=due.astimezone(tz).replace(tzinfo=None),
        due_at=due,
        ping_role_id=ping_role_id,
        call_id=call_id,
    )


async def server_zone(bot: ClimaBot, guild_id: int) -> ZoneInfo:
    """The time zone a server's typed dates and times are read in."""
    return ZoneInfo((await bot.repos.guild_settings.get(guild_id)).timezone)


async def is_moderator_here(bot: ClimaBot, interaction: discord.Interaction[Any]) -> bool:
    """Tell whether the member behind an interaction is a moderator of its server."""
    member = interaction.user
    if interaction.guild_id is None or not isinstance(member, discord.Member):
        return False
    settings = await bot.repos.guild_settings.get(interaction.guild_id)
    return is_moderator(member.guild_permissions, (r.id for r in member.roles), settings.moderator_role_id)


class CallActions:
    """Operations shared by the /calls commands, the call form and the buttons under a new call."""

    bot: ClimaBot
    dispatcher: Dispatcher

    def now(self) -> datetime:
        """The current UTC time (the dispatcher's clock, replaceable in tests)."""
        return self.dispatcher.clock()

    async def zone(self, interaction: discord.Interaction[Any]) -> ZoneInfo:
        """The time zone dates typed in this server are read in."""
        assert interaction.guild_id is not None
        return await server_zone(self.bot, interaction.guild_id)

    async def require_moderator(self, interaction: discord.Interaction[Any]) -> None:
        """Refuse a component action by someone who is not a moderator (buttons skip app checks)."""
        if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
            raise PermissionDeniedError("This only works inside a server.")
        if not await is_moderator_here(self.bot, interaction):
            raise PermissionDeniedError("Only moderators can do this.")

    async def call_in_guild(self, interaction: discord.Interaction[Any], call_id: int) -> Call:
        """Return a call of this server by row id, or raise NotFoundError."""
        call = await self.bot.repos.calls.get_by_id(call_id)
        if call is None or call.guild_id != interaction.guild_id:
            raise NotFoundError("That call no longer exists.")
        return call

    async def announcements_channel(self, interaction: discord.Interaction[Any]) -> int:
        """The server's announcements channel, or a ValidationError saying how to set one."""
        assert interaction.guild_id is not None
        settings = await self.bot.repos.guild_settings.get(interaction.guild_id)
        if settings.announcements_channel_id is None:
            raise ValidationError(
                "This server has no announcements channel yet; an administrator can set one with "
                "`/setup channels announcements:`."
            )
        return settings.announcements_channel_id

    # --- list ------------------------------------------------------------------------------------

    async def list_page(
        self, guild_id: int, status: CallStatus, programme: str | None, page: int
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        """Render one page of a call list with its previous/next buttons."""
        now = self.now()
        calls, total = await self.bot.repos.calls.list_calls(
            guild_id, status=status, now=now, programme=programme, offset=page * PAGE_SIZE, limit=PAGE_SIZE
        )
        pages = max(1, -(-total // PAGE_SIZE))
        if page >= pages:
            # The list shrank since the button was drawn: show its last page instead.
            page = pages - 1
            calls, total = await self.bot.repos.calls.list_calls(
                guild_id,
                status=status,
                now=now,
                programme=programme,
                offset=page * PAGE_SIZE,
                limit=PAGE_SIZE,
            )
        embed = list_embed(calls, status=status, programme_code=programme, page=page, total=total)
        return embed, page_view(status, programme, page, pages)

    # --- the call form ---------------------------------------------------------------------------

    async def _call_input(
        self,
        interaction: discord.Interaction[Any],
        values: CallFormValues,
        programme: str | None,
        existing: Call | None,
    ) -> CallInput:
        """Validate the form's values into a CallInput (raises ValidationError, nothing stored)."""
        identifier = existing.identifier if existing else normalize_identifier(values.identifier)
        title = check_title(values.title)
        tz = await self.zone(interaction)
        if existing is not None and values.deadline.strip() == local_text(existing.deadline_at, tz):
            # An untouched deadline is kept as it is, even if it has passed (editing a closed call's text).
            deadline, zone_name = existing.deadline_at, existing.timezone
        else:
            deadline, zone_name = parse_deadline(values.deadline, tz, now=self.now()), tz.key
        if existing is not None and existing.opens_at is not None and existing.opens_at >= deadline:
            raise ValidationError("The deadline must come after the call's opening date.")
        return CallInput(
            identifier=identifier,
            title=title,
            programme=programme or (existing.programme if existing else infer_programme(identifier).code),
            deadline_at=deadline,
            timezone=zone_name,
            link=check_link(values.link),
            summary=check_summary(values.summary),
            tags=parse_tags(values.tags),
            opens_at=existing.opens_at if existing else None,
        )

    def _apply_schedule(self, change: CallChange) -> None:
        """Drop the jobs of moved reminders and wake the new ones."""
        self.dispatcher.cancel_reminders(change.cancelled_reminders)
        self.dispatcher.schedule_reminders(change.new_reminders)

    async def save_new_call(
        self, interaction: discord.Interaction[Any], values: CallFormValues, *, programme: str | None
    ) -> None:
        """Store a call from the add form and confirm it with buttons to announce it."""
        assert interaction.guild_id is not None
        data = await self._call_input(interaction, values, programme, None)
        try:
            change = await self.bot.repos.calls.add(
                interaction.guild_id,
                data,
                created_by=interaction.user.id,
                planner=self.dispatcher.planner(),
                now=self.now(),
            )
        except DuplicateCallError:
            raise ValidationError(
                f"A call `{data.identifier}` is already registered; "
                f"change it with `/calls edit {data.identifier}`."
            ) from None
        self._apply_schedule(change)
        log.info("guild %s: call %s added by %s", interaction.guild_id, data.identifier, interaction.user.id)
        await interaction.response.send_message(
            f"Registered `{change.call.identifier}`. {reminder_summary(change.new_reminders)}\n"
            "Announce it now in the announcements channel, or schedule the announcement:",
            embed=call_embed(change.call, now=self.now()),
            view=new_call_view(change.call.id),
            ephemeral=True,
        )

    async def save_edited_call(
        self,
        interaction: discord.Interaction[Any],
        identifier: str,
        values: CallFormValues,
        *,
        programme: str | None,
    ) -> None:
        """Store the edit form's changes; moving the deadline moves the pending reminders."""
        assert interaction.guild_id is not None
        existing = await self.bot.repos.calls.get(interaction.guild_id, identifier)
        if existing is None:
            raise NotFoundError(f"There is no call {quote_input(identifier)} any more.")
        data = await self._call_input(interaction, values, programme, existing)
        change = await self.bot.repos.calls.update(
            interaction.guild_id, identifier, data, planner=self.dispatcher.planner(), now=self.now()
        )
        if change is None:
            raise NotFoundError(f"There is no call {quote_input(identifier)} any more.")
        self._apply_schedule(change)
        if change.outcome == "unchanged":
            text = f"Nothing changed in `{identifier}`."
        elif change.cancelled_reminders or change.new_reminders:
            text = f"Updated `{identifier}`; the deadline moved. {reminder_summary(change.new_reminders)}"
        else:
            text = f"Updated `{identifier}`."
        await interaction.response.send_message(
            text, embed=call_embed(change.call, now=self.now()), ephemeral=True
        )

    # --- announcing a call -----------------------------------------------------------------------

    async def announce_call_now(self, interaction: discord.Interaction[Any], call_id: int) -> None:
        """Post a call in the announcements channel at once (once, even if the button is clicked twice)."""
        await self.require_moderator(interaction)
        call = await self.call_in_guild(interaction, call_id)
        channel_id = await self.announcements_channel(interaction)
        now = self.now()
        item, created = await self.bot.repos.announcements.schedule_for_call_once(
            call.guild_id,
            announcement_input(
                channel_id=channel_id,
                message=new_call_message(call),
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
                f"`{call.identifier}` was already announced or scheduled "
                f"{discord_timestamp(item.created_at, 'R')} "
                f"(announcement #{item.id}); use `/announce schedule` for another post."
            )
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
        except discord.HTTPException:
            # The row is stored and no job would send it before a restart: post it anyway.
            await self.dispatcher.run_announcement(item.id)
            raise
        outcome = await self.dispatcher.run_announcement(item.id)
        text = {
            "sent": f"Announced `{call.identifier}` in <#{channel_id}>.",
            "failed": f"I could not post in <#{channel_id}>; check my permissions there.",
        }.get(outcome, f"The announcement of `{call.identifier}` ended as: {outcome}.")
        await interaction.followup.send(text, ephemeral=True)

    async def schedule_call_announcement(
        self, interaction: discord.Interaction[Any], call_id: int, when: str, message: str
    ) -> None:
        """Schedule a call's announcement in the announcements channel."""
        await self.require_moderator(interaction)
        call = await self.call_in_guild(interaction, call_id)
        channel_id = await self.announcements_channel(interaction)
        tz = await self.zone(interaction)
        due = parse_when(when, tz, now=self.now())
        if due <= self.now():
            raise ValidationError(f"{quote_input(when)} is in the past; choose a time ahead, e.g. `in 2h`.")
        item = await self.dispatcher.add_announcement(
            call.guild_id,
            announcement_input(
                channel_id=channel_id,
                message=message.strip() or new_call_message(call),
                due=due,
                tz=tz,
                call_id=call.id,
            ),
            created_by=interaction.user.id,
        )
        await interaction.response.send_message(
            f"Announcement #{item.id} of `{call.identifier}` will be posted in <#{channel_id}> "
            f"{full_and_relative(item.next_due_at)}.",
            ephemeral=True,
        )
