"""Buttons and forms of the calls capability; buttons are DynamicItems so they work after restarts."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.error_handler import new_error_id
from bot.errors import UserFacingError
from bot.replies import send_ephemeral
from cogs.calls.rules import LINK_MAX, SUMMARY_MAX, TITLE_MAX
from storage.calls import CallStatus

if TYPE_CHECKING:
    from cogs.calls.cog_calls import CallsCog

log = logging.getLogger(__name__)

COG_NAME = "Calls"
FORM_TIMEOUT = 15 * 60


def calls_cog(interaction: discord.Interaction[Any]) -> CallsCog:
    """Return the loaded calls cog of the bot that received an interaction."""
    cog = interaction.client.get_cog(COG_NAME)
    if cog is None:
        raise RuntimeError("the calls cog is not loaded")
    return cast("CallsCog", cog)


async def guarded(interaction: discord.Interaction[Any], action: Callable[[], Awaitable[None]]) -> None:
    """Run a component or form action, turning expected errors into a private reply (no tree handler here)."""
    try:
        await action()
    except UserFacingError as problem:
        await send_ephemeral(interaction, str(problem))
    except Exception:
        error_id = new_error_id()
        log.exception("error %s in a calls component (guild %s)", error_id, interaction.guild_id)
        await send_ephemeral(
            interaction, f"Something went wrong on my side; it was logged as error `{error_id}`."
        )


# --- list pages ------------------------------------------------------------------------------------


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"calls:page:(?P<status>[a-z]+):(?P<programme>[a-z0-9*-]+):(?P<page>[0-9]{1,6}):(?P<dir>[pn])",
):
    """Previous/next button of a call list: `calls:page:<status>:<programme or *>:<page>:<p|n>`."""

    def __init__(
        self, status: CallStatus, programme: str | None, page: int, direction: str, *, disabled: bool = False
    ):
        """Build the button that shows `page` of the list."""
        self.status, self.programme, self.page, self.direction = status, programme, page, direction
        super().__init__(
            discord.ui.Button(
                label="◀ Previous" if direction == "p" else "Next ▶",
                style=discord.ButtonStyle.secondary,
                custom_id=f"calls:page:{status.value}:{programme or '*'}:{page}:{direction}",
                disabled=disabled,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: Any, /
    ) -> PageButton:
        """Rebuild the button from its custom_id."""
        programme = None if match["programme"] == "*" else match["programme"]
        return cls(CallStatus(match["status"]), programme, int(match["page"]), match["dir"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Show the requested page in place."""

        async def show() -> None:
            """Render the page and replace the list message with it."""
            assert interaction.guild_id is not None
            embed, view = await calls_cog(interaction).list_page(
                interaction.guild_id, self.status, self.programme, self.page
            )
            await interaction.response.edit_message(embed=embed, view=view)

        await guarded(interaction, show)


def page_view(status: CallStatus, programme: str | None, page: int, pages: int) -> discord.ui.View | None:
    """Return the previous/next buttons for a list page, or None when everything fits on one page."""
    if pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(PageButton(status, programme, max(page - 1, 0), "p", disabled=page <= 0))
    view.add_item(PageButton(status, programme, min(page + 1, pages - 1), "n", disabled=page >= pages - 1))
    return view


# --- a new call: announce now or later -------------------------------------------------------------


class AnnounceCallButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"calls:announce:(?P<call>[0-9]{1,19})"
):
    """ "Announce now" on a new call: posts it in the announcements channel (moderators only)."""

    def __init__(self, call_id: int) -> None:
        """Build the button for a call."""
        self.call_id = call_id
        super().__init__(
            discord.ui.Button(
                label="Announce now", style=discord.ButtonStyle.primary, custom_id=f"calls:announce:{call_id}"
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: Any, /
    ) -> AnnounceCallButton:
        """Rebuild the button from its custom_id."""
        return cls(int(match["call"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Announce the call at once."""
        await guarded(
            interaction, lambda: calls_cog(interaction).announce_call_now(interaction, self.call_id)
        )


class ScheduleCallButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"calls:schedule:(?P<call>[0-9]{1,19})"
):
    """ "Schedule announcement" on a new call: asks when, then schedules it (moderators only)."""

    def __init__(self, call_id: int) -> None:
        """Build the button for a call."""
        self.call_id = call_id
        super().__init__(
            discord.ui.Button(
                label="Schedule announcement",
                style=discord.ButtonStyle.secondary,
                custom_id=f"calls:schedule:{call_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: Any, /
    ) -> ScheduleCallButton:
        """Rebuild the button from its custom_id."""
        return cls(int(match["call"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Open the form asking when to announce."""

        async def open_form() -> None:
            """Check the clicker is a moderator and open the form."""
            cog = calls_cog(interaction)
            await cog.require_moderator(interaction)
            tz = await cog.zone(interaction)
            await interaction.response.send_modal(ScheduleCallForm(self.call_id, str(tz)))

        await guarded(interaction, open_form)


def new_call_view(call_id: int) -> discord.ui.View:
    """The buttons under a freshly added call."""
    view = discord.ui.View(timeout=None)
    view.add_item(AnnounceCallButton(call_id))
    view.add_item(ScheduleCallButton(call_id))
    return view


# --- forms -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallFormValues:
    """What a moderator typed into the call form (kept to refill it after an error)."""

    identifier: str = ""
    title: str = ""
    deadline: str = ""
    link: str = ""
    summary: str = ""
    tags: str = ""


def _text_field(
    label: str, value: str, *, description: str | None = None, **kwargs: Any
) -> tuple[discord.ui.Label[Any], discord.ui.TextInput[Any]]:
    """Return a labelled text input (and the input, to read its value)."""
    field: discord.ui.TextInput[Any] = discord.ui.TextInput(default=value or None, **kwargs)
    return discord.ui.Label(text=label, description=description, component=field), field


class CallForm(discord.ui.Modal):
    """The form of `/calls add` (identifier first) and `/calls edit` (tags instead of identifier)."""

    def __init__(
        self,
        *,
        editing: str | None,
        values: CallFormValues,
        programme: str | None,
        tags: tuple[str, ...],
        zone: str,
    ) -> None:
        """Build the form, prefilled with `values`."""
        super().__init__(
            title=f"Edit {editing}"[:45] if editing else "Register a funding call",
            timeout=FORM_TIMEOUT,
            custom_id=f"calls:form:{'edit' if editing else 'add'}",
        )
        self.editing, self.programme, self.tags, self.zone = editing, programme, tags, zone
        self.identifier: discord.ui.TextInput[Any] | None = None
        self.tags_input: discord.ui.TextInput[Any] | None = None
        if editing is None:
            label, self.identifier = _text_field(
                "Identifier",
                values.identifier,
                description="Letters, digits, dashes; e.g. HORIZON-MISS-2024-CIT-01-01",
                min_length=3,
                max_length=100,
                custom_id="identifier",
            )
            self.add_item(label)
        label, self.title_input = _text_field("Title", values.title, max_length=TITLE_MAX, custom_id="title")
        self.add_item(label)
        label, self.deadline = _text_field(
            "Deadline",
            values.deadline,
            description=f"2026-09-17 (means 17:00) or 2026-09-17 12:00, in {zone}"[:100],
            max_length=40,
            custom_id="deadline",
        )
        self.add_item(label)
        label, self.link = _text_field(
            "Link",
            values.link,
            description="https://…",
            required=False,
            max_length=LINK_MAX,
            custom_id="link",
        )
        self.add_item(label)
        label, self.summary = _text_field(
            "Summary",
            values.summary,
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=SUMMARY_MAX,
            custom_id="summary",
        )
        self.add_item(label)
        if editing is not None:
            # A modal holds five fields: an edit swaps the fixed identifier for the tags.
            label, self.tags_input = _text_field(
                "Tags",
                values.tags,
                description="Separated by commas",
                required=False,
                max_length=400,
                custom_id="tags",
            )
            self.add_item(label)

    def values(self) -> CallFormValues:
        """Return what was typed."""
        return CallFormValues(
            identifier=self.identifier.value if self.identifier else (self.editing or ""),
            title=self.title_input.value,
            deadline=self.deadline.value,
            link=self.link.value,
            summary=self.summary.value,
            tags=self.tags_input.value if self.tags_input else ", ".join(self.tags),
        )

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Validate and store the call; on bad input say why and offer to reopen the filled form."""
        values = self.values()
        cog = calls_cog(interaction)
        try:
            if self.editing is None:
                await cog.save_new_call(interaction, values, programme=self.programme)
            else:
                await cog.save_edited_call(interaction, self.editing, values, programme=self.programme)
        except UserFacingError as problem:
            retry = RetryView(replace_form(self), values)
            if interaction.response.is_done():
                await interaction.followup.send(str(problem), ephemeral=True, view=retry)
            else:
                await interaction.response.send_message(str(problem), ephemeral=True, view=retry)

    async def on_error(
        self,
        interaction: discord.Interaction[Any],
        error: Exception,
        item: discord.ui.Item[Any] | None = None,
        /,
    ) -> None:
        """Log an unexpected failure and tell the moderator its id."""
        error_id = new_error_id()
        log.error("error %s in the call form (guild %s)", error_id, interaction.guild_id, exc_info=error)
        await send_ephemeral(
            interaction, f"Something went wrong on my side; it was logged as error `{error_id}`."
        )


@dataclass(frozen=True)
class FormSpec:
    """How to rebuild a call form."""

    editing: str | None
    programme: str | None
    tags: tuple[str, ...]
    zone: str


def replace_form(form: CallForm) -> FormSpec:
    """Describe a form so it can be opened again with new values."""
    return FormSpec(form.editing, form.programme, form.tags, form.zone)


class RetryView(discord.ui.View):
    """One button that reopens the call form with what the moderator typed, after an error."""

    def __init__(self, spec: FormSpec, values: CallFormValues) -> None:
        """Remember the form and the values."""
        super().__init__(timeout=FORM_TIMEOUT)
        self.spec = spec
        self.values = values
        button: discord.ui.Button[RetryView] = discord.ui.Button(
            label="Fix and submit again", style=discord.ButtonStyle.primary, custom_id="calls:retry:form"
        )
        button.callback = self.reopen  # type: ignore[method-assign]
        self.add_item(button)

    async def reopen(self, interaction: discord.Interaction[Any]) -> None:
        """Open the form again, filled in."""
        await interaction.response.send_modal(
            CallForm(
                editing=self.spec.editing,
                values=self.values,
                programme=self.spec.programme,
                tags=self.spec.tags,
                zone=self.spec.zone,
            )
        )


class ScheduleCallForm(discord.ui.Modal):
    """Asks when to announce a call (posted in the announcements channel)."""

    def __init__(self, call_id: int, zone: str) -> None:
        """Build the form for a call."""
        super().__init__(
            title="Schedule the announcement", timeout=FORM_TIMEOUT, custom_id=f"calls:when:{call_id}"
        )
        self.call_id = call_id
        label, self.when = _text_field(
            "When",
            "",
            description=f"e.g. 2026-12-01 09:30 or in 2h ({zone})"[:100],
            max_length=40,
            custom_id="when",
        )
        self.add_item(label)
        label, self.message = _text_field(
            "Message (optional)",
            "",
            description="Text above the call; leave empty for the default",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=1800,
            custom_id="message",
        )
        self.add_item(label)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Schedule the announcement."""
        await guarded(
            interaction,
            lambda: calls_cog(interaction).schedule_call_announcement(
                interaction, self.call_id, self.when.value, self.message.value
            ),
        )
