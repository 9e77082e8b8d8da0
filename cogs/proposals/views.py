"""Components of citizen proposals on the shared layer: Support, "stop these messages", list pages, the form.

Custom_ids are a public contract once posted: `proposals:support:<proposal>` under every proposal
post, `proposals:stop:<guild>` under every DM, `proposals:list:<page>:<city>:<status>:<theme>:<sort>`
on list pages. Each component calls a small Protocol of the cog, never the cog class.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar, Protocol

import discord

from bot.components import PersistentButton, persistent_view
from bot.forms import Form, Submission, text_input
from bot.guards import require_guild
from bot.i18n import ENGLISH, N_, Lang
from bot.languages import lang_for
from bot.paginator import ListPage, PageButton
from cogs.proposals.consent import ProposalConsent, proposal_consent
from storage.proposal_records import BENEFIT_MAX, BODY_MAX, TITLE_MAX

COG_NAME = "Proposals"
ANY = "-"
SUPPORT_LABEL = N_("Support")
STOP_LABEL = N_("Stop these messages")
FORM_LABELS = {
    "title": N_("Title"),
    "proposal": N_("Your proposal"),
    "benefit": N_("Expected benefit for the climate goal"),
}
FORM_HINTS = {
    "title": N_("A short name for your idea"),
    "proposal": N_("What should the city do? Be concrete."),
    "benefit": N_("How would it help the city reach climate neutrality?"),
}


@dataclass(frozen=True)
class ProposalDraft:
    """A sent proposal form: what /proposal submit stored (city, theme), the three typed texts, the
    consent shown and whether its licence box was ticked."""

    state: Mapping[str, Any]
    title: str
    body: str
    benefit: str
    consent: ProposalConsent
    agreed: bool


class ProposalsHandler(Protocol):
    """What the proposals components and form ask of the proposals cog."""

    async def support(self, interaction: discord.Interaction[Any], proposal_id: int) -> None:
        """Toggle the clicking member's support of a proposal."""
        ...

    async def stop_messages(self, interaction: discord.Interaction[Any], guild_id: int) -> None:
        """Stop proposal DMs to the clicking member for one server."""
        ...

    async def list_page(
        self, t: Lang, guild_id: int, filters: tuple[int, str, str, str], page: int
    ) -> ListPage:
        """One page of proposals (filters: city id or 0, status, theme, sort; "-" for any) in language t."""
        ...

    async def complete_submit(self, interaction: discord.Interaction[Any], draft: ProposalDraft) -> None:
        """Validate a sent proposal form, post it in the forum and record it."""
        ...


class SupportButton(PersistentButton, cog=COG_NAME, prefix="proposals:support", fields={"proposal": int}):
    """Support (or withdraw support from) a proposal: `proposals:support:<proposal>`."""

    proposal: int

    def __init__(self, proposal: int, label: str = "Support", disabled: bool = False) -> None:
        """Build the button of one proposal (label already translated; English when rebuilt for a click)."""
        super().__init__(
            proposal, label=label, emoji="👍", style=discord.ButtonStyle.primary, disabled=disabled
        )

    async def clicked(self, interaction: discord.Interaction[Any], handler: ProposalsHandler) -> None:
        """Hand the click to the proposals cog."""
        await handler.support(interaction, self.proposal)


class StopMessagesButton(PersistentButton, cog=COG_NAME, prefix="proposals:stop", fields={"guild": int}):
    """Under a proposal DM: no more proposal messages from this server (`proposals:stop:<guild>`)."""

    guild: int

    def __init__(self, guild: int, label: str = "Stop these messages") -> None:
        """Build the button for one server's messages."""
        super().__init__(guild, label=label)

    async def clicked(self, interaction: discord.Interaction[Any], handler: ProposalsHandler) -> None:
        """Hand the click to the proposals cog."""
        await handler.stop_messages(interaction, self.guild)


class ProposalPageButton(
    PageButton,
    cog=COG_NAME,
    prefix="proposals:list",
    fields={"page": int, "city": int, "status": str, "theme": str, "sort": str},
):
    """Another page of a proposal list; city 0 and "-" mean any."""

    city: int
    status: str
    theme: str
    sort: str

    def __init__(
        self,
        page: int,
        city: int,
        status: str,
        theme: str,
        sort: str,
        label: str = "Page",
        disabled: bool = False,
    ) -> None:
        """Point at one page of the proposals matching the filters."""
        super().__init__(page, city, status, theme, sort, label=label, disabled=disabled)

    async def render(self, interaction: discord.Interaction[Any], handler: ProposalsHandler) -> ListPage:
        """Ask the proposals cog for the page, in the language of the member who clicked."""
        guild = require_guild(interaction).guild
        filters = (self.city, self.status, self.theme, self.sort)
        return await handler.list_page(await lang_for(interaction), guild.id, filters, self.page)


def support_view(proposal_id: int, t: Lang, *, is_open: bool) -> discord.ui.View:
    """The Support button of a proposal post, in the server's language; disabled once it is not open."""
    return persistent_view(SupportButton(proposal_id, t._(SUPPORT_LABEL), disabled=not is_open))


def stop_view(guild_id: int, t: Lang) -> discord.ui.View:
    """The "stop these messages" button under a DM, in the member's language."""
    return persistent_view(StopMessagesButton(guild_id, t._(STOP_LABEL)))


class SubmitForm(Form):
    """The proposal form of /proposal submit, bound to the member who opened it (city and theme in state).

    Its licence checkbox speaks state["consent_language"] (fixed when the form is opened), so the text
    shown, even again after a refusal, is the text whose version is stored.
    """

    kind = "proposals:submit"
    cog_name = COG_NAME
    lifetime = timedelta(hours=2)
    max_open_per_member = 3
    labels: ClassVar[dict[str, str]] = FORM_LABELS

    def __init__(self, lang_of: Callable[[str], Lang]) -> None:
        """Use the loaded catalogs (for the language the consent is shown in)."""
        self.lang_of = lang_of

    def consent_shown(self, state: Mapping[str, Any]) -> ProposalConsent:
        """The consent this form shows."""
        return proposal_consent(self.lang_of(str(state.get("consent_language") or ENGLISH.code)))

    def build(self, state: Mapping[str, Any], typed: Mapping[str, Any], t: Lang) -> discord.ui.Modal:
        """Title, proposal, expected benefit (refilled after a refusal) and the licence checkbox."""
        modal = discord.ui.Modal(title=t._("Propose an action")[:45])
        fields = (
            ("title", TITLE_MAX, discord.TextStyle.short),
            ("proposal", BODY_MAX, discord.TextStyle.paragraph),
        )
        for key, length, style in (*fields, ("benefit", BENEFIT_MAX, discord.TextStyle.paragraph)):
            modal.add_item(
                text_input(
                    t._(FORM_LABELS[key]),
                    key,
                    typed.get(key),
                    style=style,
                    required=True,
                    max_length=length,
                    placeholder=t._(FORM_HINTS[key])[:100],
                )
            )
        consent = self.consent_shown(state)
        licence: discord.ui.Checkbox[Any] = discord.ui.Checkbox(
            custom_id="licence", default=typed.get("licence") is True
        )
        modal.add_item(
            discord.ui.Label(
                text=consent.label[:45], description=consent.description[:100], component=licence
            )
        )
        return modal

    async def submit(
        self,
        interaction: discord.Interaction[Any],
        handler: ProposalsHandler,
        state: Mapping[str, Any],
        sent: Submission,
    ) -> None:
        """Hand the typed texts to the proposals cog."""
        draft = ProposalDraft(
            state,
            sent.text("title"),
            sent.text("proposal"),
            sent.text("benefit"),
            self.consent_shown(state),
            sent.checked("licence"),
        )
        await handler.complete_submit(interaction, draft)
