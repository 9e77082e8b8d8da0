"""The /calls commands: register, import, list, show, edit, remove, subscribe, calendar."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.durations import describe_offset
from bot.errors import NotFoundError, ValidationError
from bot.guards import moderator_only
from bot.replies import clip, quote_input
from cogs.calls.actions import CallActions, reminder_summary
from cogs.calls.calendar import deadlines_calendar
from cogs.calls.dispatch import Dispatcher
from cogs.calls.importing import MAX_FILE_BYTES, ImportReport, parse_calls_file
from cogs.calls.programmes import PROGRAMMES, programme
from cogs.calls.render import call_embed
from cogs.calls.rules import local_text, parse_tags
from cogs.calls.views import (
    COG_NAME,
    AnnounceCallButton,
    CallForm,
    CallFormValues,
    PageButton,
    ScheduleCallButton,
)
from storage.calls import ALL_PROGRAMMES, Call, CallStatus

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

PROGRAMME_CHOICES = [app_commands.Choice(name=p.name, value=p.code) for p in PROGRAMMES]
STATUS_CHOICES = [app_commands.Choice(name=s.value, value=s.value) for s in CallStatus]
IMPORT_TYPES = (".csv", ".json")
# Discord takes files up to 10 MiB from bots; keep a margin for the rest of the request.
CALENDAR_MAX_BYTES = 8 * 1024 * 1024
DYNAMIC_ITEMS = (PageButton, AnnounceCallButton, ScheduleCallButton)


class CallsCog(CallActions, commands.Cog, name=COG_NAME):
    """Funding calls: the register, deadline reminders, subscriptions and the calendar file."""

    calls_group = app_commands.Group(
        name="calls", description="Funding calls: deadlines, reminders and a calendar", guild_only=True
    )

    def __init__(self, bot: ClimaBot, dispatcher: Dispatcher) -> None:
        """Keep the bot and the dispatcher that sends reminders and announcements."""
        self.bot = bot
        self.dispatcher = dispatcher

    async def cog_load(self) -> None:
        """Register the persistent buttons and schedule every pending reminder and announcement again."""
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        await self.dispatcher.start()

    async def cog_unload(self) -> None:
        """Forget the buttons and the jobs."""
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        await self.dispatcher.close()

    async def identifier_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Offer this server's calls whose identifier or title contains what was typed."""
        if interaction.guild_id is None:
            return []
        found = await self.bot.repos.calls.search(
            interaction.guild_id, current[:100], now=self.now(), limit=25
        )
        return [
            app_commands.Choice(name=clip(f"{c.identifier} — {c.title}", 100), value=c.identifier)
            for c in found
        ]

    async def _existing(self, interaction: discord.Interaction[Any], identifier: str) -> Call:
        """Return the named call of this server or raise NotFoundError."""
        assert interaction.guild_id is not None
        call = await self.bot.repos.calls.get(interaction.guild_id, identifier.strip().upper())
        if call is None:
            raise NotFoundError(
                f"There is no call {quote_input(identifier.strip())} here; "
                "`/calls list` shows the registered ones."
            )
        return call

    # --- moderators --------------------------------------------------------------------------------

    @calls_group.command(name="add", description="Register a funding call (opens a form)")
    @app_commands.describe(
        programme="Funding programme (guessed from the identifier if left out)", tags="Comma-separated"
    )
    @app_commands.choices(programme=PROGRAMME_CHOICES)
    @moderator_only()
    async def add(
        self, interaction: discord.Interaction[Any], programme: str | None = None, tags: str | None = None
    ) -> None:
        """Open the call form."""
        tag_tuple = parse_tags(tags or "")
        tz = await self.zone(interaction)
        await interaction.response.send_modal(
            CallForm(
                editing=None,
                values=CallFormValues(tags=", ".join(tag_tuple)),
                programme=programme,
                tags=tag_tuple,
                zone=tz.key,
            )
        )

    @calls_group.command(name="import", description="Add or update calls from a CSV or JSON file")
    @app_commands.describe(
        file="CSV or JSON: identifier, title, programme, deadline, opens, link, summary, tags"
    )
    @moderator_only()
    async def import_file(self, interaction: discord.Interaction[Any], file: discord.Attachment) -> None:
        """Import calls by identifier (re-importing updates, never duplicates) and report every row."""
        assert interaction.guild_id is not None
        if file.size > MAX_FILE_BYTES:
            raise ValidationError(
                f"The file is {file.size:,} bytes; at most {MAX_FILE_BYTES:,} bytes are accepted."
            )
        if not file.filename.lower().endswith(IMPORT_TYPES):
            raise ValidationError("Upload a `.csv` or `.json` file (UTF-8); see the README for the columns.")
        tz = await self.zone(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException as problem:
            raise ValidationError(
                f"I could not download the file ({problem.status}); upload it again."
            ) from None
        now = self.now()
        parsed = parse_calls_file(data, file.filename, default_tz=tz, now=now)
        changes = await self.bot.repos.calls.upsert_many(
            interaction.guild_id,
            [call for _, call in parsed.rows],
            created_by=interaction.user.id,
            planner=self.dispatcher.planner(),
            now=now,
        )
        report = ImportReport(rejected=parsed.rejected)
        for change in changes:
            self.dispatcher.cancel_reminders(change.cancelled_reminders)
            self.dispatcher.schedule_reminders(change.new_reminders)
            getattr(report, change.outcome).append(change.call.identifier)
        log.info("guild %s: import by %s: %s", interaction.guild_id, interaction.user.id, report.headline())
        text, truncated = report.summary(2000)
        if truncated:
            attachment = discord.File(io.BytesIO(report.full_csv().encode()), filename="import-report.csv")
            await interaction.followup.send(text, file=attachment, ephemeral=True)
        else:
            await interaction.followup.send(text, ephemeral=True)

    @calls_group.command(name="edit", description="Change a call (opens the form, filled in)")
    @app_commands.describe(identifier="The call's identifier", programme="Move the call to another programme")
    @app_commands.choices(programme=PROGRAMME_CHOICES)
    @app_commands.autocomplete(identifier=identifier_autocomplete)
    @moderator_only()
    async def edit(
        self, interaction: discord.Interaction[Any], identifier: str, programme: str | None = None
    ) -> None:
        """Open the call form with the call's current values."""
        call = await self._existing(interaction, identifier)
        tz = await self.zone(interaction)
        values = CallFormValues(
            identifier=call.identifier,
            title=call.title,
            deadline=local_text(call.deadline_at, tz),
            link=call.link or "",
            summary=call.summary,
            tags=", ".join(call.tags),
        )
        await interaction.response.send_modal(
            CallForm(editing=call.identifier, values=values, programme=programme, tags=call.tags, zone=tz.key)
        )

    @calls_group.command(
        name="remove", description="Delete a call, its reminders and its scheduled announcements"
    )
    @app_commands.describe(identifier="The call's identifier")
    @app_commands.autocomplete(identifier=identifier_autocomplete)
    @moderator_only()
    async def remove(self, interaction: discord.Interaction[Any], identifier: str) -> None:
        """Delete a call and cancel what was scheduled for it."""
        assert interaction.guild_id is not None
        removed = await self.bot.repos.calls.remove(interaction.guild_id, identifier.strip().upper())
        if removed is None:
            raise NotFoundError(f"There is no call {quote_input(identifier.strip())} here.")
        self.dispatcher.cancel_reminders(removed.cancelled_reminders)
        self.dispatcher.cancel_announcements(removed.cancelled_announcements)
        log.info(
            "guild %s: call %s removed by %s",
            interaction.guild_id,
            removed.call.identifier,
            interaction.user.id,
        )
        await interaction.response.send_message(
            f"Removed `{removed.call.identifier}`; "
            f"cancelled {len(removed.cancelled_reminders)} reminder(s) and "
            f"{len(removed.cancelled_announcements)} scheduled announcement(s).",
            ephemeral=True,
        )

    # --- everyone ------------------------------------------------------------------------------------

    @calls_group.command(name="list", description="List funding calls by deadline")
    @app_commands.describe(status="open (default), upcoming or closed", programme="Only this programme")
    @app_commands.choices(status=STATUS_CHOICES, programme=PROGRAMME_CHOICES)
    async def list_calls(
        self,
        interaction: discord.Interaction[Any],
        status: str = CallStatus.OPEN.value,
        programme: str | None = None,
    ) -> None:
        """Show the first page of calls with buttons for the others."""
        assert interaction.guild_id is not None
        embed, view = await self.list_page(interaction.guild_id, CallStatus(status), programme, 0)
        if view is None:
            await interaction.response.send_message(embed=embed, ephemeral=True)
        else:
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True)

    @calls_group.command(name="show", description="Show one funding call")
    @app_commands.describe(identifier="The call's identifier", share="Post it in this channel for everyone")
    @app_commands.autocomplete(identifier=identifier_autocomplete)
    async def show(self, interaction: discord.Interaction[Any], identifier: str, share: bool = False) -> None:
        """Show a call's details."""
        call = await self._existing(interaction, identifier)
        reminders = [r for r in await self.bot.repos.calls.reminders_of(call.id) if r.state == "pending"]
        content = reminder_summary(reminders) if reminders and not share else None
        await interaction.response.send_message(
            content, embed=call_embed(call, now=self.now()), ephemeral=not share
        )

    @calls_group.command(name="subscribe", description="Get a direct message before call deadlines")
    @app_commands.describe(programme="Only this programme (all programmes if left out)")
    @app_commands.choices(programme=PROGRAMME_CHOICES)
    async def subscribe(self, interaction: discord.Interaction[Any], programme: str | None = None) -> None:
        """Subscribe to deadline reminders by direct message and check that DMs reach the member."""
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        code = programme or ALL_PROGRAMMES
        added = await self.bot.repos.calls.subscribe(
            interaction.guild_id, interaction.user.id, code, now=self.now()
        )
        scope = scope_name(code)
        when = clip(", ".join(describe_offset(o) for o in self.dispatcher.offsets), 500)
        text = (
            f"{'Subscribed' if added else 'You were already subscribed'} to deadline reminders for {scope}: "
            f"a direct message {when} before each deadline. `/calls unsubscribe` stops them."
        )
        if not await self._dm_reaches(interaction.user, scope):
            text += (
                "\n⚠️ I could not send you a direct message: allow direct messages from this server's members "
                "(Privacy Settings), or reminders will not reach you."
            )
        await interaction.followup.send(text, ephemeral=True)

    async def _dm_reaches(self, user: discord.User | discord.Member, scope: str) -> bool:
        """Send a subscription confirmation by DM; False if the member's DMs are closed."""
        try:
            await user.send(
                f"You will get climabot deadline reminders here for {scope}.",
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException as problem:
            log.info("subscription confirmation DM to %s refused (%s)", user.id, problem.code)
            return False
        return True

    @calls_group.command(name="unsubscribe", description="Stop deadline reminders by direct message")
    @app_commands.describe(programme="Only this programme's reminders (all if left out)")
    @app_commands.choices(programme=PROGRAMME_CHOICES)
    async def unsubscribe(self, interaction: discord.Interaction[Any], programme: str | None = None) -> None:
        """Remove one or all of the member's subscriptions."""
        assert interaction.guild_id is not None
        removed = await self.bot.repos.calls.unsubscribe(interaction.guild_id, interaction.user.id, programme)
        left = await self.bot.repos.calls.subscriptions(interaction.guild_id, interaction.user.id)
        if removed == 0:
            text = "You had no such subscription."
        else:
            text = f"Unsubscribed ({removed} subscription{'s' if removed != 1 else ''} removed)."
        if left:
            names = ", ".join(scope_name(s.programme) for s in left)
            text += f" Still subscribed to: {names}."
        await interaction.response.send_message(text, ephemeral=True)

    @calls_group.command(name="calendar", description="Download the call deadlines as a calendar file (.ics)")
    @app_commands.describe(programme="Only this programme's calls")
    @app_commands.choices(programme=PROGRAMME_CHOICES)
    async def calendar(self, interaction: discord.Interaction[Any], programme: str | None = None) -> None:
        """Send an iCalendar file with one event per open or upcoming call deadline."""
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = self.now()
        calls = await self.bot.repos.calls.open_calls(interaction.guild_id, now=now, programme=programme)
        server = interaction.guild.name if interaction.guild else "climabot"
        # Thousands of calls take a second or more to render: keep the event loop (heartbeats) free.
        data = await asyncio.to_thread(
            deadlines_calendar, calls, name=f"{server}: funding call deadlines", now=now
        )
        if len(data) > CALENDAR_MAX_BYTES:
            raise ValidationError(
                f"The calendar of {len(calls)} deadlines is too large to upload; "
                "choose a `programme` to download a smaller one."
            )
        await interaction.followup.send(
            f"{len(calls)} deadline{'s' if len(calls) != 1 else ''}. Import the file into your calendar app; "
            "downloading it again later updates the same events.",
            file=discord.File(io.BytesIO(data), filename="call-deadlines.ics"),
            ephemeral=True,
        )


def scope_name(code: str) -> str:
    """Name a subscription's scope: every programme, or one programme's calls."""
    return "every programme" if code == ALL_PROGRAMMES else f"{programme(code).name} calls"
