"""Buttons and forms of the calls capability, on the shared layer (bot.components, bot.forms).

The custom_ids of buttons already posted are kept: `calls:page:<status>:<programme or *>:<page>:<p|n>`,
`calls:announce:<call>` and `calls:schedule:<call>`. Components call the cogs through the Protocols
below, never the cog classes, so this module imports no cog.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Protocol

import discord

from bot.components import PersistentButton, persistent_view
from bot.forms import Form, Submission, text_input
from bot.i18n import ENGLISH, N_, Lang
from bot.languages import lang_for
from bot.paginator import LABELS, PageButton, pager
from cogs.calls.rules import LINK_MAX, MESSAGE_MAX, SUMMARY_MAX, TITLE_MAX, CallFormValues
from storage.calls import CallStatus

COG_NAME = "Calls"
ANNOUNCE_COG_NAME = "Announcements"
# Stands for "every programme" in a list button's custom_id.
ANY_PROGRAMME = "*"


class CallsHandler(Protocol):
    """What the calls components and forms ask of the calls cog."""

    async def list_page(
        self, t: Lang, guild_id: int, status: CallStatus, programme: str | None, page: int
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        """One page of a call list with its previous/next buttons, in language t."""
        ...

    async def save_new_call(
        self, interaction: discord.Interaction[Any], state: Mapping[str, Any], values: CallFormValues
    ) -> None:
        """Store a call from the add form."""
        ...

    async def save_edited_call(
        self, interaction: discord.Interaction[Any], state: Mapping[str, Any], values: CallFormValues
    ) -> None:
        """Store the edit form's changes to the call named in its state."""
        ...


class AnnounceHandler(Protocol):
    """What the buttons under a new call and the schedule form ask of the announcements cog."""

    async def announce_call_now(self, interaction: discord.Interaction[Any], call_id: int) -> None:
        """Post a call in the announcements channel at once."""
        ...

    async def open_schedule_form(self, interaction: discord.Interaction[Any], call_id: int) -> None:
        """Ask when to announce a call."""
        ...

    async def schedule_call_announcement(
        self, interaction: discord.Interaction[Any], call_id: int, when: str, message: str
    ) -> None:
        """Schedule a call's announcement."""
        ...


# --- list pages ------------------------------------------------------------------------------------


class CallsPageButton(
    PageButton,
    cog=COG_NAME,
    prefix="calls:page",
    fields={"status": str, "programme": str, "page": int, "direction": str},
):
    """Previous/next of a call list: `calls:page:<status>:<programme or *>:<page>:<p|n>`."""

    status: str
    programme: str

    def __init__(
        self, status: str, programme: str, page: int, direction: str, label: str = "", disabled: bool = False
    ) -> None:
        """Build the button that shows `page` of the list."""
        super().__init__(
            status, programme, page, direction, label=label or LABELS[direction], disabled=disabled
        )

    async def render(
        self, interaction: discord.Interaction[Any], handler: CallsHandler
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        """Ask the calls cog for the page, in the language of the member who clicked."""
        assert interaction.guild_id is not None
        programme = None if self.programme == ANY_PROGRAMME else self.programme
        t = await lang_for(interaction)
        return await handler.list_page(t, interaction.guild_id, CallStatus(self.status), programme, self.page)


def page_view(
    t: Lang, status: CallStatus, programme: str | None, page: int, pages: int
) -> discord.ui.View | None:
    """Return the previous/next buttons for a list page (in language t), or None when one page holds all."""
    scope = programme or ANY_PROGRAMME
    return pager(
        lambda number, direction, label, disabled: CallsPageButton(
            status.value, scope, number, direction, label, disabled
        ),
        page,
        pages,
        t,
    )


# --- a new call: announce now or later -------------------------------------------------------------

ANNOUNCE_NOW = N_("Announce now")
SCHEDULE_ANNOUNCEMENT = N_("Schedule announcement")


class AnnounceCallButton(
    PersistentButton, cog=ANNOUNCE_COG_NAME, prefix="calls:announce", fields={"call": int}
):
    """ "Announce now" under a new call: posts it in the announcements channel (moderators only)."""

    call: int

    def __init__(self, call: int, label: str = ANNOUNCE_NOW) -> None:
        """Build the button for a call (the label is already translated; English when rebuilt for a click)."""
        super().__init__(call, label=label, style=discord.ButtonStyle.primary)

    async def clicked(self, interaction: discord.Interaction[Any], handler: AnnounceHandler) -> None:
        """Announce the call at once."""
        await handler.announce_call_now(interaction, self.call)


class ScheduleCallButton(
    PersistentButton, cog=ANNOUNCE_COG_NAME, prefix="calls:schedule", fields={"call": int}
):
    """ "Schedule announcement" under a new call: asks when, then schedules it (moderators only)."""

    call: int

    def __init__(self, call: int, label: str = SCHEDULE_ANNOUNCEMENT) -> None:
        """Build the button for a call (the label is already translated; English when rebuilt for a click)."""
        super().__init__(call, label=label)

    async def clicked(self, interaction: discord.Interaction[Any], handler: AnnounceHandler) -> None:
        """Open the form asking when to announce."""
        await handler.open_schedule_form(interaction, self.call)


def new_call_view(t: Lang, call_id: int) -> discord.ui.View:
    """The buttons under a freshly added call, in the moderator's language t."""
    return persistent_view(
        AnnounceCallButton(call_id, t._(ANNOUNCE_NOW)),
        ScheduleCallButton(call_id, t._(SCHEDULE_ANNOUNCEMENT)),
    )


# --- forms -----------------------------------------------------------------------------------------


CALL_FIELDS = ("identifier", "title", "deadline", "link", "summary", "tags")
# Descriptions are English msgids, translated when the form is built.
FIELD_SPECS: dict[str, dict[str, Any]] = {
    "identifier": {
        "description": N_("Letters, digits, dashes; e.g. HORIZON-MISS-2024-CIT-01-01"),
        "min_length": 3,
        "max_length": 100,
    },
    "title": {"max_length": TITLE_MAX},
    "deadline": {"max_length": 40},
    "link": {"description": "https://…", "required": False, "max_length": LINK_MAX},
    "summary": {"style": discord.TextStyle.paragraph, "required": False, "max_length": SUMMARY_MAX},
    "tags": {"description": N_("Separated by commas"), "required": False, "max_length": 400},
}
# Translators: the help under the deadline field of the call form; {zone} is a time zone name.
DEADLINE_HELP = N_("2026-09-17 (means 17:00) or 2026-09-17 12:00, in {zone}")


class CallForm(Form):
    """The call form: identifier (add) or tags (edit), title, deadline, link, summary.

    Add: state holds the zone, and the programme and tags given as slash options. Edit: state holds
    the call's row id and identifier, the zone and its current values.
    """

    cog_name = COG_NAME
    moderators_only = True
    labels: ClassVar[dict[str, str]] = {
        "identifier": N_("Identifier"),
        "title": N_("Title"),
        "deadline": N_("Deadline"),
        "link": N_("Link"),
        "summary": N_("Summary"),
        "tags": N_("Tags"),
    }

    def __init__(self, kind: str, heading: str, *, editing: bool) -> None:
        """A form of this kind under this heading (a msgid marked with N_), adding or editing a call."""
        self.kind = kind
        self.heading = heading
        self.editing = editing

    def title(self, state: Mapping[str, Any], t: Lang = ENGLISH) -> str:
        """The form's heading in language t."""
        return t._(self.heading, identifier=state.get("identifier", ""))

    def build(self, state: Mapping[str, Any], typed: Mapping[str, Any], t: Lang) -> discord.ui.Modal:
        """The fields, prefilled with what was typed before, else the call's current values."""
        known = {**state.get("values", {}), **typed}
        # A modal holds five fields: an edit swaps the fixed identifier for the tags.
        keys = ("title", "deadline", "link", "summary", "tags") if self.editing else CALL_FIELDS[:5]
        modal = discord.ui.Modal(title=self.title(state, t)[:45])
        for key in keys:
            spec = dict(FIELD_SPECS[key])
            if key == "deadline":
                spec["description"] = t._(DEADLINE_HELP, zone=state["zone"])
            elif spec.get("description"):
                spec["description"] = t._(spec["description"])
            modal.add_item(text_input(t._(self.labels[key]), key, known.get(key), **spec))
        return modal

    def values(self, state: Mapping[str, Any], sent: Submission) -> CallFormValues:
        """What the moderator typed, with the identifier (edit) or tags (add) the form held."""
        return CallFormValues(
            identifier=state.get("identifier") or sent.text("identifier"),
            title=sent.text("title"),
            deadline=sent.text("deadline"),
            link=sent.text("link"),
            summary=sent.text("summary"),
            tags=sent.text("tags") if self.editing else state.get("tags", ""),
        )

    async def submit(
        self,
        interaction: discord.Interaction[Any],
        handler: CallsHandler,
        state: Mapping[str, Any],
        sent: Submission,
    ) -> None:
        """Store the new call, or the changes to the call this form was opened for."""
        save = handler.save_edited_call if self.editing else handler.save_new_call
        await save(interaction, state, self.values(state, sent))


class ScheduleCallForm(Form):
    """Asks when to announce a call (posted in the announcements channel); state holds the call."""

    kind = "calls:when"
    cog_name = ANNOUNCE_COG_NAME
    moderators_only = True
    labels: ClassVar[dict[str, str]] = {"when": N_("When"), "message": N_("Message")}

    def build(self, state: Mapping[str, Any], typed: Mapping[str, Any], t: Lang) -> discord.ui.Modal:
        """The when and message fields, in language t."""
        modal = discord.ui.Modal(title=t._("Schedule the announcement")[:45])
        modal.add_item(
            text_input(
                t._(self.labels["when"]),
                "when",
                typed.get("when"),
                # Translators: `in 2h` is typed as is; {zone} is a time zone name.
                description=t._("e.g. 2026-12-01 09:30 or in 2h ({zone})", zone=state["zone"]),
                max_length=40,
            )
        )
        modal.add_item(
            text_input(
                t._("Message (optional)"),
                "message",
                typed.get("message"),
                description=t._("Text above the call; leave empty for the default"),
                style=discord.TextStyle.paragraph,
                required=False,
                max_length=min(MESSAGE_MAX, 1800),
            )
        )
        return modal

    async def submit(
        self,
        interaction: discord.Interaction[Any],
        handler: AnnounceHandler,
        state: Mapping[str, Any],
        sent: Submission,
    ) -> None:
        """Schedule the announcement of the call this form was opened for."""
        await handler.schedule_call_announcement(
            interaction, int(state["call"]), sent.text("when"), sent.text("message")
        )


ADD_FORM = CallForm("calls:add", N_("Register a funding call"), editing=False)
EDIT_FORM = CallForm("calls:edit", N_("Edit {identifier}"), editing=True)
SCHEDULE_FORM = ScheduleCallForm()
