"""The /calls commands: register, import, list, show, edit, remove, subscribe, calendar."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import discord
from discord import app_commands

from bot.cog_base import ClimaCog
from bot.durations import describe_offset
from bot.errors import NotFoundError, ValidationError
from bot.forms import Form
from bot.guards import moderator_only
from bot.i18n import ENGLISH, N_, Lang
from bot.member_data import MemberDataHolder
from bot.paginator import clamp_page, send_list
from bot.replies import clip, quote_input
from bot.text import optional_visible
from cogs.calls.calendar import deadlines_calendar
from cogs.calls.importing import MAX_FILE_BYTES, ImportReport, ParsedFile, parse_calls_file, too_large
from cogs.calls.jobs import Dispatcher
from cogs.calls.member_data import CallsMemberData
from cogs.calls.programmes import PROGRAMMES
from cogs.calls.render import (
    PAGE_SIZE,
    STATUS_NAMES,
    call_embed,
    list_embed,
    reminder_summary,
    scope_name,
    subscribed_text,
    subscription_dm_text,
)
from cogs.calls.rules import CallFormValues, call_input, local_text, parse_tags
from cogs.calls.views import ADD_FORM, COG_NAME, EDIT_FORM, CallsPageButton, new_call_view, page_view
from storage.calls import ALL_PROGRAMMES, Call, CallChange, CallStatus, DuplicateCallError

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

# Choice names are marked msgids (programme names in programmes.py, status names in render.py): the
# CommandTranslator gives Discord their translations; the values stay.
PROGRAMME_CHOICES = [app_commands.Choice(name=p.name, value=p.code) for p in PROGRAMMES]
STATUS_CHOICES = [app_commands.Choice(name=STATUS_NAMES[s], value=s.value) for s in CallStatus]
IMPORT_TYPES = (".csv", ".json")
# Discord takes files up to 10 MiB from bots; keep a margin for the rest of the request.
CALENDAR_MAX_BYTES = 8 * 1024 * 1024


class CallsCog(ClimaCog, name=COG_NAME):
    """Funding calls: the register, deadline reminders, subscriptions and the calendar file."""

    calls_group = app_commands.Group(
        name="calls", description=N_("Funding calls: deadlines, reminders and a calendar"), guild_only=True
    )
    dynamic_items = (CallsPageButton,)

    def __init__(self, bot: ClimaBot, dispatcher: Dispatcher) -> None:
        """Keep the bot and the dispatcher that sends reminders and announcements."""
        super().__init__(bot)
        self.dispatcher = dispatcher

    def forms(self) -> tuple[Form, ...]:
        """The add and edit forms."""
        return (ADD_FORM, EDIT_FORM)

    def member_data(self) -> MemberDataHolder:
        """Subscriptions, reminder DMs, and the calls and announcements a moderator made."""
        return CallsMemberData(self.bot.repos)

    async def start(self) -> None:
        """Schedule every pending reminder and announcement again."""
        await self.dispatcher.start()

    async def stop(self) -> None:
        """Forget the jobs, letting sends under way finish."""
        await self.dispatcher.close()

    def now(self) -> datetime:
        """The current UTC time (the dispatcher's clock, replaceable in tests)."""
        return self.dispatcher.clock()

    async def lang(self, interaction: discord.Interaction[Any]) -> Lang:
        """The language to answer this member in."""
        return await self.bot.languages.for_interaction(interaction)

    async def zone(self, interaction: discord.Interaction[Any]) -> ZoneInfo:
        """The time zone dates typed in this server are read in."""
        assert interaction.guild_id is not None
        return await self.dispatcher.zone(interaction.guild_id)

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
                "There is no call {typed} here; `/calls list` shows the registered ones.",
                typed=quote_input(identifier.strip()),
            )
        return call

    def _apply_schedule(self, change: CallChange) -> None:
        """Drop the jobs of moved reminders and wake the new ones."""
        self.dispatcher.cancel_reminders(change.cancelled_reminders)
        self.dispatcher.schedule_reminders(change.new_reminders)

    # --- moderators --------------------------------------------------------------------------------

    @calls_group.command(name="add", description=N_("Register a funding call (opens a form)"))
    @app_commands.describe(
        programme=N_("Funding programme (guessed from the identifier if left out)"),
        tags=N_("Comma-separated"),
    )
    @app_commands.choices(programme=PROGRAMME_CHOICES)
    @moderator_only()
    async def add(
        self, interaction: discord.Interaction[Any], programme: str | None = None, tags: str | None = None
    ) -> None:
        """Open the call form, bound to this moderator, this server and these options."""
        tag_text = ", ".join(parse_tags(optional_visible(tags, N_("tags")) or ""))
        tz = await self.zone(interaction)
        await self.bot.forms.open(
            interaction, ADD_FORM, {"programme": programme, "tags": tag_text, "zone": tz.key}
        )

    async def save_new_call(
        self, interaction: discord.Interaction[Any], state: Mapping[str, Any], values: CallFormValues
    ) -> None:
        """Store a call from the add form and confirm it with buttons to announce it."""
        assert interaction.guild_id is not None
        data = call_input(values, state.get("programme"), None, ZoneInfo(state["zone"]), now=self.now())
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
                "A call `{identifier}` is already registered; change it with `/calls edit {identifier}`.",
                identifier=data.identifier,
            ) from None
        self._apply_schedule(change)
        log.info("guild %s: call %s added by %s", interaction.guild_id, data.identifier, interaction.user.id)
        t = await self.lang(interaction)
        text = t._(
            "Registered `{identifier}`. {reminders}\n"
            "Announce it now in the announcements channel, or schedule the announcement:",
            identifier=change.call.identifier,
            reminders=reminder_summary(t, change.new_reminders),
        )
        await interaction.response.send_message(
            text,
            embed=call_embed(t, change.call, now=self.now()),
            view=new_call_view(t, change.call.id),
            ephemeral=True,
        )

    @calls_group.command(name="import", description=N_("Add or update calls from a CSV or JSON file"))
    @app_commands.describe(
        # Translators: the column names are what the file must contain; keep them in English.
        file=N_("CSV or JSON: identifier, title, programme, deadline, opens, link, summary, tags")
    )
    @moderator_only()
    async def import_file(self, interaction: discord.Interaction[Any], file: discord.Attachment) -> None:
        """Import calls by identifier (re-importing updates, never duplicates) and report every row."""
        assert interaction.guild_id is not None
        if file.size > MAX_FILE_BYTES:
            raise too_large(file.size)
        if not file.filename.lower().endswith(IMPORT_TYPES):
            raise ValidationError("Upload a `.csv` or `.json` file (UTF-8); see the README for the columns.")
        tz = await self.zone(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException as problem:
            raise ValidationError(
                "I could not download the file ({status}); upload it again.", status=problem.status
            ) from None
        report = await self._import(
            interaction, parse_calls_file(data, file.filename, default_tz=tz, now=self.now())
        )
        t = await self.lang(interaction)
        text, truncated = report.summary(t, 2000)
        if truncated:
            attachment = discord.File(io.BytesIO(report.full_csv(t).encode()), filename="import-report.csv")
            await interaction.followup.send(text, file=attachment, ephemeral=True)
        else:
            await interaction.followup.send(text, ephemeral=True)

    async def _import(self, interaction: discord.Interaction[Any], parsed: ParsedFile) -> ImportReport:
        """Store a parsed file's valid rows, reschedule their reminders and say what happened to each."""
        assert interaction.guild_id is not None
        changes = await self.bot.repos.calls.upsert_many(
            interaction.guild_id,
            [call for _, call in parsed.rows],
            created_by=interaction.user.id,
            planner=self.dispatcher.planner(),
            now=self.now(),
        )
        report = ImportReport(rejected=parsed.rejected)
        for change in changes:
            self._apply_schedule(change)
            getattr(report, change.outcome).append(change.call.identifier)
        log.info(
            "guild %s: import by %s: %s", interaction.guild_id, interaction.user.id, report.headline(ENGLISH)
        )
        return report

    @calls_group.command(name="edit", description=N_("Change a call (opens the form, filled in)"))
    @app_commands.describe(
        identifier=N_("The call's identifier"), programme=N_("Move the call to another programme")
    )
    @app_commands.choices(programme=PROGRAMME_CHOICES)
    @app_commands.autocomplete(identifier=identifier_autocomplete)
    @moderator_only()
    async def edit(
        self, interaction: discord.Interaction[Any], identifier: str, programme: str | None = None
    ) -> None:
        """Open the call form with the call's current values, bound to this moderator and this call."""
        call = await self._existing(interaction, identifier)
        tz = await self.zone(interaction)
        values = {
            "title": call.title,
            "deadline": local_text(call.deadline_at, tz),
            "link": call.link or "",
            "summary": call.summary,
            "tags": ", ".join(call.tags),
        }
        state = {
            "call": call.id,
            "identifier": call.identifier,
            "programme": programme,
            "zone": tz.key,
            "values": values,
        }
        await self.bot.forms.open(interaction, EDIT_FORM, state)

    async def save_edited_call(
        self, interaction: discord.Interaction[Any], state: Mapping[str, Any], values: CallFormValues
    ) -> None:
        """Store the edit form's changes to its call; moving the deadline moves the pending reminders."""
        assert interaction.guild_id is not None
        identifier = str(state["identifier"])
        existing = await self.bot.repos.calls.get_by_id(int(state["call"]))
        if existing is None or existing.guild_id != interaction.guild_id:
            raise NotFoundError("There is no call {typed} any more.", typed=quote_input(identifier))
        data = call_input(values, state.get("programme"), existing, ZoneInfo(state["zone"]), now=self.now())
        change = await self.bot.repos.calls.update(
            interaction.guild_id, existing.identifier, data, planner=self.dispatcher.planner(), now=self.now()
        )
        if change is None:
            raise NotFoundError("There is no call {typed} any more.", typed=quote_input(identifier))
        self._apply_schedule(change)
        t = await self.lang(interaction)
        if change.outcome == "unchanged":
            text = t._("Nothing changed in `{identifier}`.", identifier=identifier)
        elif change.cancelled_reminders or change.new_reminders:
            text = t._(
                "Updated `{identifier}`; the deadline moved. {reminders}",
                identifier=identifier,
                reminders=reminder_summary(t, change.new_reminders),
            )
        else:
            text = t._("Updated `{identifier}`.", identifier=identifier)
        log.info("guild %s: call %s edited by %s", interaction.guild_id, identifier, interaction.user.id)
        await interaction.response.send_message(
            text, embed=call_embed(t, change.call, now=self.now()), ephemeral=True
        )

    @calls_group.command(
        name="remove", description=N_("Delete a call, its reminders and its scheduled announcements")
    )
    @app_commands.describe(identifier=N_("The call's identifier"))
    @app_commands.autocomplete(identifier=identifier_autocomplete)
    @moderator_only()
    async def remove(self, interaction: discord.Interaction[Any], identifier: str) -> None:
        """Delete a call and cancel what was scheduled for it."""
        assert interaction.guild_id is not None
        removed = await self.bot.repos.calls.remove(interaction.guild_id, identifier.strip().upper())
        if removed is None:
            raise NotFoundError("There is no call {typed} here.", typed=quote_input(identifier.strip()))
        self.dispatcher.cancel_reminders(removed.cancelled_reminders)
        self.dispatcher.cancel_announcements(removed.cancelled_announcements)
        log.info(
            "guild %s: call %s removed by %s",
            interaction.guild_id,
            removed.call.identifier,
            interaction.user.id,
        )
        t = await self.lang(interaction)
        text = t._(
            "Removed `{identifier}`; cancelled {reminders} and {announcements}.",
            identifier=removed.call.identifier,
            reminders=t.ngettext("{n} reminder", "{n} reminders", len(removed.cancelled_reminders)),
            announcements=t.ngettext(
                "{n} scheduled announcement",
                "{n} scheduled announcements",
                len(removed.cancelled_announcements),
            ),
        )
        await interaction.response.send_message(text, ephemeral=True)

    # --- everyone ------------------------------------------------------------------------------------

    @calls_group.command(name="list", description=N_("List funding calls by deadline"))
    @app_commands.describe(
        status=N_("open (default), upcoming or closed"), programme=N_("Only this programme")
    )
    @app_commands.choices(status=STATUS_CHOICES, programme=PROGRAMME_CHOICES)
    async def list_calls(
        self,
        interaction: discord.Interaction[Any],
        status: str = CallStatus.OPEN.value,
        programme: str | None = None,
    ) -> None:
        """Show the first page of calls with buttons for the others."""
        assert interaction.guild_id is not None
        t = await self.lang(interaction)
        await send_list(
            interaction, await self.list_page(t, interaction.guild_id, CallStatus(status), programme, 0)
        )

    async def list_page(
        self, t: Lang, guild_id: int, status: CallStatus, programme: str | None, page: int
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        """Render one page of a call list with its previous/next buttons, in language t."""
        now = self.now()
        calls, total = await self.bot.repos.calls.list_calls(
            guild_id, status=status, now=now, programme=programme, offset=page * PAGE_SIZE, limit=PAGE_SIZE
        )
        shown, pages = clamp_page(page, total, PAGE_SIZE)
        if shown != page:
            # The list shrank since the button was drawn: show its last page instead.
            calls, total = await self.bot.repos.calls.list_calls(
                guild_id,
                status=status,
                now=now,
                programme=programme,
                offset=shown * PAGE_SIZE,
                limit=PAGE_SIZE,
            )
        embed = list_embed(t, calls, status=status, programme_code=programme, page=shown, total=total)
        return embed, page_view(t, status, programme, shown, pages)

    @calls_group.command(name="show", description=N_("Show one funding call"))
    @app_commands.describe(
        identifier=N_("The call's identifier"), share=N_("Post it in this channel for everyone")
    )
    @app_commands.autocomplete(identifier=identifier_autocomplete)
    async def show(self, interaction: discord.Interaction[Any], identifier: str, share: bool = False) -> None:
        """Show a call's details (privately in the member's language, shared in the server's)."""
        call = await self._existing(interaction, identifier)
        if share:
            t = await self.bot.languages.for_guild(interaction.guild_id)
            await interaction.response.send_message(embed=call_embed(t, call, now=self.now()))
            return
        t = await self.lang(interaction)
        reminders = [r for r in await self.bot.repos.calls.reminders_of(call.id) if r.state == "pending"]
        content = reminder_summary(t, reminders) if reminders else None
        await interaction.response.send_message(
            content, embed=call_embed(t, call, now=self.now()), ephemeral=True
        )

    @calls_group.command(name="subscribe", description=N_("Get a direct message before call deadlines"))
    @app_commands.describe(programme=N_("Only this programme (all programmes if left out)"))
    @app_commands.choices(programme=PROGRAMME_CHOICES)
    async def subscribe(self, interaction: discord.Interaction[Any], programme: str | None = None) -> None:
        """Subscribe to deadline reminders by direct message and check that DMs reach the member."""
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        code = programme or ALL_PROGRAMMES
        added = await self.bot.repos.calls.subscribe(
            interaction.guild_id, interaction.user.id, code, now=self.now()
        )
        t = await self.lang(interaction)
        when = clip(", ".join(describe_offset(o, t) for o in self.dispatcher.offsets), 500)
        text = subscribed_text(t, code, added=added, when=when)
        if not await self._dm_reaches(t, interaction.user, code):
            text += "\n" + t._(
                "⚠️ I could not send you a direct message: allow direct messages from this server's members "
                "(Privacy Settings), or reminders will not reach you."
            )
        await interaction.followup.send(text, ephemeral=True)

    async def _dm_reaches(self, t: Lang, user: discord.User | discord.Member, code: str) -> bool:
        """Send a subscription confirmation by DM; False if the member's DMs are closed."""
        try:
            await user.send(subscription_dm_text(t, code), allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as problem:
            log.info("subscription confirmation DM to %s refused (%s)", user.id, problem.code)
            return False
        return True

    @calls_group.command(name="unsubscribe", description=N_("Stop deadline reminders by direct message"))
    @app_commands.describe(programme=N_("Only this programme's reminders (all if left out)"))
    @app_commands.choices(programme=PROGRAMME_CHOICES)
    async def unsubscribe(self, interaction: discord.Interaction[Any], programme: str | None = None) -> None:
        """Remove one or all of the member's subscriptions."""
        assert interaction.guild_id is not None
        removed = await self.bot.repos.calls.unsubscribe(interaction.guild_id, interaction.user.id, programme)
        left = await self.bot.repos.calls.subscriptions(interaction.guild_id, interaction.user.id)
        t = await self.lang(interaction)
        if removed == 0:
            text = t._("You had no such subscription.")
        else:
            text = t.ngettext(
                "Unsubscribed ({n} subscription removed).",
                "Unsubscribed ({n} subscriptions removed).",
                removed,
            )
        if left:
            names = ", ".join(scope_name(t, s.programme) for s in left)
            text += " " + t._("Still subscribed to: {names}.", names=names)
        await interaction.response.send_message(text, ephemeral=True)

    @calls_group.command(
        name="calendar", description=N_("Download the call deadlines as a calendar file (.ics)")
    )
    @app_commands.describe(programme=N_("Only this programme's calls"))
    @app_commands.choices(programme=PROGRAMME_CHOICES)
    async def calendar(self, interaction: discord.Interaction[Any], programme: str | None = None) -> None:
        """Send an .ics file with one event per open or upcoming call deadline, in the member's language."""
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = self.now()
        calls = await self.bot.repos.calls.open_calls(interaction.guild_id, now=now, programme=programme)
        t = await self.lang(interaction)
        server = interaction.guild.name if interaction.guild else "climabot"
        name = t._("{server}: funding call deadlines", server=server)
        # Thousands of calls take a second or more to render: keep the event loop (heartbeats) free.
        data = await asyncio.to_thread(deadlines_calendar, t, calls, name=name, now=now)
        if len(data) > CALENDAR_MAX_BYTES:
            raise ValidationError(
                "The calendar of {count} deadlines is too large to upload; "
                "choose a `programme` to download a smaller one.",
                count=len(calls),
            )
        text = t.ngettext(
            "{n} deadline. Import the file into your calendar app; "
            "downloading it again later updates the same events.",
            "{n} deadlines. Import the file into your calendar app; "
            "downloading it again later updates the same events.",
            len(calls),
        )
        await interaction.followup.send(
            text, file=discord.File(io.BytesIO(data), filename="call-deadlines.ics"), ephemeral=True
        )
