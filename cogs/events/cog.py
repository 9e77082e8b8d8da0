"""The /event commands: schedule a webinar or workshop as a Discord scheduled event, list, cancel."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.utils import MISSING

from bot.cog_base import ClimaCog
from bot.discord_steps import create_then_record
from bot.errors import NotFoundError, ValidationError
from bot.guards import moderator_only, require_guild
from bot.i18n import N_, Lang, Msg
from bot.member_data import Erasure, MemberDataHolder
from bot.replies import MORE, clip, fit_lines, quote_input
from bot.timestamps import discord_timestamp
from cogs.events.jobs import EventJobs
from cogs.events.render import (
    EMBED_DESCRIPTION_LIMIT,
    NO_CHANNEL,
    announcement_text,
    cancelled_announcement_text,
    cancelled_text,
    created_reply,
    inline,
    list_line,
)
from cogs.events.rules import EventDraft, draft_event, event_url, plan_notices
from storage.events import Event, EventInput, EventsRepository, Notice
from storage.guild_settings import GuildSettings

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

COG_NAME = "Events"
AUTOCOMPLETE_LIMIT = 25
LIST_LIMIT = 500
# Erasure order among capabilities; events keep only moderators' actions, which stay for accountability.
ERASE_ORDER = 90


class EventsCog(ClimaCog, name=COG_NAME):
    """Webinars and workshops: Discord scheduled events with reminders and a follow-up."""

    event_group = app_commands.Group(
        name="event", description=N_("Webinars and workshops as Discord events"), guild_only=True
    )
    erase_order = ERASE_ORDER

    def __init__(self, bot: ClimaBot) -> None:
        """Keep the bot; its events repository and the notice jobs."""
        super().__init__(bot)
        self.repo: EventsRepository = bot.repos.events
        self.jobs = EventJobs(bot)

    async def start(self) -> None:
        """Schedule every pending reminder and follow-up again from the database."""
        await self.jobs.start()

    async def stop(self) -> None:
        """Forget the jobs (the database keeps them) and let posts under way finish."""
        await self.jobs.close()

    # --- a member's data (/mydata) ---------------------------------------------------------------

    def member_data(self) -> MemberDataHolder:
        """The events capability holds only what moderators did; the cog answers for it."""
        return self

    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """The events the member created or cancelled as a moderator (members leave no other trace)."""
        return await self.repo.member_data(guild_id, user_id)

    async def erase_member_data(self, member: discord.Member) -> Erasure:
        """Erase nothing: who created or cancelled an event is kept for accountability, as /mydata says."""
        return Erasure()

    # --- /event create ---------------------------------------------------------------------------

    async def campaign_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Offer the server's open testimonial campaigns."""
        if interaction.guild_id is None:
            return []
        names = await self.bot.repos.testimonials.campaign_names(
            interaction.guild_id, current, now=self.jobs.clock(), open_only=True, limit=AUTOCOMPLETE_LIMIT
        )
        return [app_commands.Choice(name=clip(n, 100), value=n) for n in names if len(n) <= 100]

    @event_group.command(name="create", description=N_("Schedule a webinar or workshop as a Discord event"))
    @app_commands.describe(
        title=N_("The event's name (at most 100 characters)"),
        start=N_("2026-12-01 14:00, 2026-12-01 14:00 Europe/Lisbon or in 3d (server's zone unless named)"),
        duration=N_("How long it lasts: 45m, 90m, 2h, 1h30m (5 minutes to 7 days)"),
        where=N_("A place or a link, e.g. https://meet.example.org/cities (at most 100 characters)"),
        description=N_("What it is about (at most 1000 characters; type \\n for a line break)"),
        campaign=N_("A testimonial campaign the follow-up invites stories for"),
        announce=N_("Announce it in the announcements channel now (default: yes)"),
    )
    @app_commands.autocomplete(campaign=campaign_autocomplete)
    @moderator_only()
    async def create(
        self,
        interaction: discord.Interaction[Any],
        title: str,
        start: str,
        duration: str,
        where: str,
        description: str | None = None,
        campaign: str | None = None,
        announce: bool = True,
    ) -> None:
        """Validate, create the Discord event, record it with its notices, then reply with the link."""
        guild = require_guild(interaction).guild
        settings = await self.bot.repos.guild_settings.get(guild.id)
        draft = draft_event(
            title=title,
            start=start,
            duration=duration,
            where=where,
            description=description,
            server_zone=ZoneInfo(settings.timezone),
            now=self.jobs.clock(),
        )
        campaign_name = await self._campaign(guild.id, campaign)
        require_event_permission(interaction.app_permissions)
        await interaction.response.defer(ephemeral=True, thinking=True)
        by = interaction.user.id
        public = await self.bot.languages.for_guild(guild.id)
        event, notices = await create_then_record(
            lambda: self._create_in_discord(guild, draft, by, public),
            lambda scheduled: self._record(guild.id, draft.recorded_as(scheduled.id, campaign_name), by),
            lambda scheduled: scheduled.delete(reason="climabot could not record it"),
            what=f"Discord scheduled event of /event create in guild {guild.id}",
        )
        self.jobs.schedule(notices)
        log.info(
            "guild %s: event %s (Discord %s) created by %s for %s",
            guild.id,
            event.id,
            event.discord_event_id,
            by,
            event.starts_at.isoformat(),
        )
        t = await self.bot.languages.for_interaction(interaction)
        url = event_url(guild.id, event.discord_event_id)
        extra = [await self._announce(t, public, event, url, settings)] if announce else []
        if settings.announcements_channel_id is None and not announce:
            extra.append(t._(NO_CHANNEL))
        if campaign_name is not None:
            extra.append(
                t._("The follow-up invites stories for campaign **{name}**.", name=inline(campaign_name))
            )
        await interaction.followup.send(created_reply(t, event, url, notices, extra), ephemeral=True)

    async def _create_in_discord(
        self, guild: discord.Guild, draft: EventDraft, by: int, public: Lang
    ) -> discord.ScheduledEvent:
        """Create the Discord scheduled event (audit-log reason in the server's language), or refuse."""
        try:
            return await guild.create_scheduled_event(
                name=draft.title,
                start_time=draft.starts_at,
                end_time=draft.ends_at,
                entity_type=discord.EntityType.external,
                privacy_level=discord.PrivacyLevel.guild_only,
                location=draft.location,
                description=draft.description or MISSING,
                reason=public._("/event create by {user}", user=by),
            )
        except discord.HTTPException as problem:
            log.warning("guild %s: Discord refused an event: %s %s", guild.id, problem.status, problem.text)
            raise discord_refused(CREATE_REFUSED, problem) from None

    async def _record(self, guild_id: int, event: EventInput, by: int) -> tuple[Event, list[Notice]]:
        """Store a created event with its reminders and follow-up."""
        now = self.jobs.clock()
        return await self.repo.create(
            guild_id, event, plan_notices(event.starts_at, event.ends_at, now=now), created_by=by, now=now
        )

    async def _campaign(self, guild_id: int, typed: str | None) -> str | None:
        """Return the open testimonial campaign a moderator named, or raise ValidationError."""
        if typed is None or not typed.strip():
            return None
        found = await self.bot.repos.testimonials.get_campaign(guild_id, typed)
        if found is None:
            raise ValidationError(
                "There is no testimonial campaign {name} here; `/campaign list` shows them.",
                name=quote_input(typed),
            )
        if not found.accepts_submissions(self.jobs.clock()):
            raise ValidationError(
                "Campaign {name} is closed; choose an open one or none.", name=quote_input(found.name)
            )
        return found.name

    async def _announce(self, t: Lang, public: Lang, event: Event, url: str, settings: GuildSettings) -> str:
        """Post the new event (server's language, no pings); return a line for the reply (moderator's)."""
        if settings.announcements_channel_id is None:
            return t._(NO_CHANNEL)
        channel = self.bot.get_partial_messageable(settings.announcements_channel_id, guild_id=event.guild_id)
        try:
            message = await channel.send(
                announcement_text(public, event, url), allowed_mentions=discord.AllowedMentions.none()
            )
        except discord.HTTPException as problem:
            log.warning("event %s: announcement failed: %s %s", event.id, problem.status, problem.text)
            return t._(
                "⚠️ I could not announce it in <#{channel}> ({status}: {reason}).",
                channel=settings.announcements_channel_id,
                status=problem.status,
                reason=clip(problem.text, 150),
            )
        await self.repo.set_announcement(event.id, message.id)
        return t._("Announced in <#{channel}>.", channel=settings.announcements_channel_id)

    # --- /event list -----------------------------------------------------------------------------

    @event_group.command(name="list", description=N_("Upcoming webinars and workshops"))
    async def list_events(self, interaction: discord.Interaction[Any]) -> None:
        """Show the server's upcoming events, soonest first, with their times and links."""
        assert interaction.guild_id is not None
        events = await self.repo.upcoming(interaction.guild_id, now=self.jobs.clock(), limit=LIST_LIMIT)
        t = await self.bot.languages.for_interaction(interaction)
        if not events:
            await interaction.response.send_message(
                t._("No upcoming events. Moderators schedule one with `/event create`."), ephemeral=True
            )
            return
        lines = [list_line(t, e, event_url(e.guild_id, e.discord_event_id)) for e in events]
        embed = discord.Embed(
            title=t._("Upcoming events"),
            description=fit_lines(lines, EMBED_DESCRIPTION_LIMIT, sep="\n\n", more=t._(MORE)),
        )
        embed.set_footer(text=t._("Open an event to mark yourself interested; Discord will notify you."))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    # --- /event cancel ---------------------------------------------------------------------------

    async def id_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[int]]:
        """Offer the server's upcoming events, with their local start time and title."""
        if interaction.guild_id is None:
            return []
        needle = current.strip().lstrip("#").casefold()
        choices = []
        for event in await self.repo.upcoming(interaction.guild_id, now=self.jobs.clock(), limit=LIST_LIMIT):
            local = event.starts_at.astimezone(ZoneInfo(event.timezone))
            label = clip(f"#{event.id} · {local:%Y-%m-%d %H:%M} {event.timezone} · {event.title}", 100)
            if needle in label.casefold():
                choices.append(app_commands.Choice(name=label, value=event.id))
        return choices[:AUTOCOMPLETE_LIMIT]

    @event_group.command(
        name="cancel", description=N_("Cancel an event: Discord event, reminders and follow-up")
    )
    @app_commands.describe(id=N_("The event's number, from /event list"))
    @app_commands.autocomplete(id=id_autocomplete)
    @moderator_only()
    async def cancel(self, interaction: discord.Interaction[Any], id: app_commands.Range[int, 1]) -> None:
        """Cancel the Discord event, then mark the row and its notices cancelled and drop their jobs."""
        guild = require_guild(interaction).guild
        event = await self.repo.get(id)
        if event is None or event.guild_id != guild.id or event.state != "scheduled":
            raise NotFoundError("There is no scheduled event #{id} here; `/event list` shows them.", id=id)
        if event.ends_at <= self.jobs.clock():
            raise ValidationError(
                "Event #{id} is already over (it ended {ended}).",
                id=id,
                ended=discord_timestamp(event.ends_at, "R"),
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        t = await self.bot.languages.for_interaction(interaction)
        public = await self.bot.languages.for_guild(guild.id)
        note = await self._cancel_in_discord(guild, event, interaction.user.id, public)
        result = await self.repo.cancel(guild.id, id, by=interaction.user.id, now=self.jobs.clock())
        if result is None:
            raise NotFoundError("Event #{id} was cancelled meanwhile.", id=id)
        cancelled, notice_ids = result
        self.jobs.cancel(notice_ids)
        log.info("guild %s: event %s cancelled by %s", guild.id, id, interaction.user.id)
        lines = [
            t._(
                "Cancelled event #{id} **{title}**; its reminders and follow-up will not be posted.",
                id=id,
                title=inline(cancelled.title),
            )
        ]
        if note:
            lines.append(t.render(note))
        if cancelled.announcement_message_id is not None:
            lines.append(await self._tell_members(t, public, cancelled))
        await interaction.followup.send(clip("\n".join(lines)), ephemeral=True)

    async def _cancel_in_discord(
        self, guild: discord.Guild, event: Event, user_id: int, public: Lang
    ) -> Msg | None:
        """Cancel (or, if it already started, delete) the Discord event; return a note for the reply."""
        reason = public._("/event cancel by {user}", user=user_id)
        try:
            scheduled = await guild.fetch_scheduled_event(event.discord_event_id, with_counts=False)
            if scheduled.status is discord.EventStatus.scheduled:
                await scheduled.cancel(reason=reason)
                return None
            if scheduled.status is discord.EventStatus.active:
                await scheduled.delete(reason=reason)
                return Msg("It had already started, so I deleted its Discord event.")
            return None
        except discord.NotFound:
            return Msg("Its Discord event had already been deleted.")
        except discord.HTTPException as problem:
            log.warning("event %s: Discord refused the cancel: %s %s", event.id, problem.status, problem.text)
            raise discord_refused(CANCEL_REFUSED, problem) from None

    async def _tell_members(self, t: Lang, public: Lang, event: Event) -> str:
        """Mark an event's announcement cancelled and post that it is (server's language); a reply line."""
        settings = await self.bot.repos.guild_settings.get(event.guild_id)
        if settings.announcements_channel_id is None:
            return t._("No announcements channel is set, so members were not told in a post.")
        channel = self.bot.get_partial_messageable(settings.announcements_channel_id, guild_id=event.guild_id)
        if event.announcement_message_id is not None:
            try:
                await channel.get_partial_message(event.announcement_message_id).edit(
                    content=cancelled_announcement_text(public, event),
                    allowed_mentions=discord.AllowedMentions.none(),
                )
            except discord.HTTPException as problem:
                # Deleted, or posted in a channel that is no longer the announcements channel.
                log.info("event %s: announcement not marked cancelled (%s)", event.id, problem.status)
        try:
            await channel.send(cancelled_text(public, event), allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as problem:
            log.warning("event %s: cancellation post failed: %s", event.id, problem.status)
            return t._(
                "⚠️ I could not tell members in <#{channel}> ({status}).",
                channel=settings.announcements_channel_id,
                status=problem.status,
            )
        return t._("Members were told in <#{channel}>.", channel=settings.announcements_channel_id)


# Translators: {status} is an HTTP status such as 403; {reason} is Discord's own (English) explanation.
CREATE_REFUSED = N_("Discord refused to create the event ({status}: {reason}); nothing was created.")
CANCEL_REFUSED = N_("Discord refused to cancel the event ({status}: {reason}); nothing was changed.")


def discord_refused(text: str, problem: discord.HTTPException) -> ValidationError:
    """The error telling a moderator that Discord refused an action, with Discord's own reason."""
    return ValidationError(text, status=problem.status, reason=clip(problem.text, 200))


def require_event_permission(have: discord.Permissions) -> None:
    """Refuse early, with what to do, when the bot may not create events in this server."""
    if not (have.manage_events or have.create_events):
        raise ValidationError(
            "I need the Create Events (or Manage Events) permission in this server to schedule events; "
            "an administrator can grant it to my role."
        )
