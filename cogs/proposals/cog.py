"""The /proposal commands, the Support button and the "stop these messages" button.

Languages: replies, the form and DMs speak the member's language; the forum post, its thread notes
and the moderators' threshold notice speak the server's. Slash descriptions are msgids marked N_.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.cog_base import ClimaCog
from bot.errors import NotFoundError
from bot.forms import Form
from bot.guards import moderator_only, require_guild, require_moderator
from bot.i18n import N_, Lang
from bot.member_data import MemberDataHolder
from bot.paginator import Page, clamp_page, pager, send_list
from bot.replies import clip
from bot.scheduling import utcnow
from bot.themes import THEME_CHOICES
from cogs.proposals.consent import check_consent, proposal_consent
from cogs.proposals.export import FORMATS, ExportData, export_file
from cogs.proposals.forum import delete_post, ensure_tags, note_in_thread, post_proposal, proposals_forum
from cogs.proposals.jobs import ProposalJobs
from cogs.proposals.member_data import ProposalsMemberData
from cogs.proposals.render import (
    choice_name,
    list_embed,
    post_link,
    status_name,
    support_reply,
    threshold_notice,
    timeline_embed,
)
from cogs.proposals.rules import (
    ANSWER_STATUSES,
    SORT_NAMES,
    STATUS_NAMES,
    clean_benefit,
    clean_body,
    clean_note,
    clean_reason,
    clean_title,
    refusal,
)
from cogs.proposals.views import (
    ANY,
    COG_NAME,
    ProposalDraft,
    ProposalPageButton,
    ProposalsHandler,
    StopMessagesButton,
    SubmitForm,
    SupportButton,
)
from storage.proposal_records import STATUSES, Change, Proposal, ProposalError, SupportAction

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

PAGE_SIZE = 10
AUTOCOMPLETE_LIMIT = 25
DEFAULT_THEME = "citizen-engagement"
ID_DESCRIPTION = N_("The proposal's number (start typing its title)")
ANSWER_CHOICES = [app_commands.Choice(name=STATUS_NAMES[s], value=s) for s in ANSWER_STATUSES]
STATUS_CHOICES = [app_commands.Choice(name=STATUS_NAMES[s], value=s) for s in STATUSES]
SORT_CHOICES = [app_commands.Choice(name=name, value=key) for key, name in SORT_NAMES.items()]
FORMAT_CHOICES = [app_commands.Choice(name=f, value=f) for f in FORMATS]


class ProposalsCog(ClimaCog, name=COG_NAME):
    """Citizen proposals: submit, support, official answers with reasons, progress, open data."""

    proposal = app_commands.Group(
        name="proposal",
        description=N_("Citizen proposals for your city: propose, support, follow"),
        guild_only=True,
    )

    dynamic_items = (SupportButton, StopMessagesButton, ProposalPageButton)

    def __init__(self, bot: ClimaBot) -> None:
        """Keep the bot, the repository, the form and the jobs (repaints, DMs)."""
        super().__init__(bot)
        self.repo = bot.repos.proposals
        self.jobs = ProposalJobs(bot, self.repo)
        self.submit_form = SubmitForm(bot.languages.catalogs.lang)
        # Each server's threshold, so a Support click costs no extra database read.
        self._thresholds: dict[int, int] = {}

    def forms(self) -> tuple[Form, ...]:
        """The proposal form."""
        return (self.submit_form,)

    def member_data(self) -> MemberDataHolder:
        """Proposals (unlinked on erasure), supports (deleted) and the DM opt-out."""
        return ProposalsMemberData(self.repo, self.jobs.refresher.request)

    async def stop(self) -> None:
        """Flush pending post repaints."""
        await self.jobs.refresher.aclose()

    async def _threshold(self, guild_id: int) -> int:
        """The server's support threshold (cached)."""
        if guild_id not in self._thresholds:
            self._thresholds[guild_id] = await self.repo.threshold(guild_id)
        return self._thresholds[guild_id]

    # --- submit -------------------------------------------------------------------------------

    @proposal.command(name="submit", description=N_("Propose an action for your city"))
    @app_commands.describe(
        city=N_("The city it is for (default: your home city)"), theme=N_("The mission theme it is about")
    )
    @app_commands.choices(theme=THEME_CHOICES)
    async def submit(
        self, interaction: discord.Interaction[Any], city: str | None = None, theme: str | None = None
    ) -> None:
        """Check the forum and city, then open the proposal form bound to this member."""
        member = require_guild(interaction)
        proposals_forum(member.guild, await self.bot.repos.guild_settings.get(member.guild.id))
        city_id, city_name = None, None
        if city is not None and city.strip():
            found = await self.bot.repos.cities.find(member.guild.id, city)
            if found is None:
                raise NotFoundError(
                    "No city named {name} is registered here; pick one from the list or ask a moderator "
                    "to add it with `/city add`.",
                    name=clip(city, 60),
                )
            city_id, city_name = found.id, found.name
        else:
            profile = await self.bot.repos.profiles.get(member.guild.id, member.id)
            home = await self.bot.repos.cities.get(profile.city_id) if profile and profile.city_id else None
            city_id, city_name = (home.id, home.name) if home else (None, None)
        # The consent is fixed now, in the language it is shown in, so what is stored is what was read.
        consent = proposal_consent(await self.bot.languages.for_interaction(interaction))
        state = {
            "city_id": city_id, "city_name": city_name, "theme": theme or DEFAULT_THEME,
            "consent_language": consent.language,
        }  # fmt: skip
        await self.bot.forms.open(interaction, self.submit_form, state)

    @submit.autocomplete("city")
    async def _city_choices(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Offer registered cities whose name contains what was typed."""
        if interaction.guild_id is None:
            return []
        cities = await self.bot.repos.cities.complete(interaction.guild_id, current, limit=AUTOCOMPLETE_LIMIT)
        return [app_commands.Choice(name=c.name, value=c.name) for c in cities]

    async def complete_submit(self, interaction: discord.Interaction[Any], draft: ProposalDraft) -> None:
        """Validate the texts and consent, post the proposal in the forum with its tags, and record it."""
        member = require_guild(interaction)
        state = draft.state
        title, body, benefit = clean_title(draft.title), clean_body(draft.body), clean_benefit(draft.benefit)
        check_consent(draft.agreed)
        forum = proposals_forum(member.guild, await self.bot.repos.guild_settings.get(member.guild.id))
        theme = str(state.get("theme") or DEFAULT_THEME)
        await interaction.response.defer(ephemeral=True, thinking=True)
        forum = await ensure_tags(forum, theme)
        proposal = await self.repo.create(
            guild_id=member.guild.id,
            author_id=member.id,
            city_id=state.get("city_id"),
            city_name=state.get("city_name"),
            theme=theme,
            title=title,
            body=body,
            benefit=benefit,
            now=utcnow(),
            consent=(draft.consent.version, draft.consent.language),
        )
        try:
            proposal = await post_proposal(self.bot, forum, proposal)
        except BaseException:
            await self.repo.delete(proposal.id)
            raise
        t = await self.bot.languages.for_interaction(interaction)
        await interaction.followup.send(
            t._(
                "Your proposal #{id} is posted: {post}. Members can support it there; you will hear of "
                "every answer by direct message.",
                id=proposal.id,
                post=post_link(proposal),
            ),
            ephemeral=True,
        )
        log.info("guild %s: proposal %s submitted", member.guild.id, proposal.id)

    # --- support and DMs ------------------------------------------------------------------------

    async def support(self, interaction: discord.Interaction[Any], proposal_id: int) -> None:
        """Toggle the member's support in one transaction, answer privately, repaint the post later."""
        t = await self.bot.languages.for_interaction(interaction)
        if interaction.guild_id is None:
            await interaction.response.send_message(
                support_reply(t, SupportAction.NOT_FOUND, None), ephemeral=True
            )
            return
        result = await self.repo.toggle_support(
            proposal_id,
            guild_id=interaction.guild_id,
            user_id=interaction.user.id,
            now=interaction.created_at,
            threshold=await self._threshold(interaction.guild_id),
        )
        await interaction.response.send_message(
            support_reply(t, result.action, result.proposal), ephemeral=True
        )
        if result.action in (SupportAction.SUPPORTED, SupportAction.WITHDRAWN):
            self.jobs.refresher.request(proposal_id)
        if result.reached_threshold and result.proposal is not None:
            await self._tell_moderators(result.proposal)

    async def _tell_moderators(self, proposal: Proposal) -> None:
        """Post the threshold notice in the moderation channel, in the server's language."""
        settings = await self.bot.repos.guild_settings.get(proposal.guild_id)
        if settings.moderation_channel_id is None:
            log.info(
                "guild %s: proposal %s reached its threshold; no moderation channel",
                proposal.guild_id,
                proposal.id,
            )
            return
        t = await self.bot.languages.for_guild(proposal.guild_id)
        channel = self.bot.get_partial_messageable(settings.moderation_channel_id, guild_id=proposal.guild_id)
        try:
            await channel.send(
                threshold_notice(t, proposal, await self._threshold(proposal.guild_id)),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException as exc:
            log.warning(
                "guild %s: threshold notice for proposal %s failed: %s", proposal.guild_id, proposal.id, exc
            )

    async def stop_messages(self, interaction: discord.Interaction[Any], guild_id: int) -> None:
        """Store the member's wish for no more proposal DMs from that server; answer in their language."""
        # The click comes from a DM (no server): the button carries the server, so use the member's choice.
        t = await self.bot.languages.for_member(guild_id, interaction.user.id)
        await self.repo.opt_out(guild_id, interaction.user.id, utcnow())
        await interaction.response.send_message(
            t._("You will get no more messages about proposals from this server."), ephemeral=True
        )

    # --- answers and progress -------------------------------------------------------------------

    @proposal.command(name="answer", description=N_("Give a proposal an official status, with a reason"))
    @app_commands.describe(
        id=ID_DESCRIPTION,
        status=N_("The new status"),
        reason=N_("Why (required to reject); shown on the post and sent to supporters"),
    )
    @app_commands.choices(status=ANSWER_CHOICES)
    @moderator_only()
    async def answer(
        self, interaction: discord.Interaction[Any], id: int, status: str, reason: str | None = None
    ) -> None:
        """Store the answer with a history row, then update the post and tell the people."""
        member = await require_moderator(interaction)
        text = clean_reason(reason)
        step = self.repo.answer(
            id, guild_id=member.guild.id, status=status, reason=text, actor_id=member.id, now=utcnow()
        )
        await self._moderate(interaction, member.guild.id, id, step)

    @proposal.command(name="update", description=N_("Record progress on an accepted proposal"))
    @app_commands.describe(
        id=ID_DESCRIPTION, progress=N_("Progress in percent, 0 to 100"), note=N_("What was done")
    )
    @moderator_only()
    async def update(self, interaction: discord.Interaction[Any], id: int, progress: int, note: str) -> None:
        """Store progress and its note; 100 % marks the proposal implemented."""
        member = await require_moderator(interaction)
        if not 0 <= progress <= 100:
            raise refusal(ProposalError("bad-progress"), id)
        text = clean_note(note)
        step = self.repo.update_progress(
            id, guild_id=member.guild.id, progress=progress, note=text, actor_id=member.id, now=utcnow()
        )
        await self._moderate(interaction, member.guild.id, id, step)

    @proposal.command(name="withdraw", description=N_("Withdraw your own proposal while it is open"))
    @app_commands.describe(id=ID_DESCRIPTION, erase=N_("Also erase its text and delete its post"))
    async def withdraw(self, interaction: discord.Interaction[Any], id: int, erase: bool = False) -> None:
        """Mark the author's open proposal withdrawn (kept for history); erase: also erase texts and post."""
        member = require_guild(interaction)
        before, now = await self.repo.get(id, guild_id=member.guild.id), utcnow()
        try:
            if erase:
                await self.repo.erase_text(id, guild_id=member.guild.id, user_id=member.id, now=now)
            else:
                change = await self.repo.withdraw(
                    id, guild_id=member.guild.id, user_id=member.id, now=utcnow()
                )
        except ProposalError as error:
            raise refusal(error, id, before.status if before else "open") from None
        if not erase:
            return await self._announce(interaction, change, tell=False)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await delete_post(self.bot, before.thread_id if before else None)
        t = await self.bot.languages.for_interaction(interaction)
        await interaction.followup.send(t._("Proposal #{id} is withdrawn and erased.", id=id), ephemeral=True)

    async def _moderate(
        self, interaction: discord.Interaction[Any], guild_id: int, proposal_id: int, step: Awaitable[Change]
    ) -> None:
        """Store a moderator's answer or progress (a refusal names the status it has), then announce it."""
        try:
            change = await step
        except ProposalError as error:
            raise refusal(error, proposal_id, await self._status_of(guild_id, proposal_id)) from None
        await self._announce(interaction, change)

    async def _status_of(self, guild_id: int, proposal_id: int) -> str:
        """A proposal's current status, for a refusal's wording."""
        proposal = await self.repo.get(proposal_id, guild_id=guild_id)
        return proposal.status if proposal else "open"

    async def _announce(
        self, interaction: discord.Interaction[Any], change: Change, *, tell: bool = True
    ) -> None:
        """Confirm privately, then post the note in the thread, set the status tag, repaint and DM."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        proposal = change.proposal
        await note_in_thread(self.bot, change)
        self.jobs.refresher.request(proposal.id)
        guild = self.bot.get_guild(proposal.guild_id)
        sent = await self.jobs.tell(change, guild.name if guild else "") if tell else 0
        t = await self.bot.languages.for_interaction(interaction)
        text = t._(
            "Proposal #{id} is now **{status}**.", id=proposal.id, status=status_name(t, proposal.status)
        )
        if tell:
            text = "\n".join(
                [
                    text,
                    t.ngettext(
                        "{n} person was told by direct message.",
                        "{n} people were told by direct message.",
                        sent,
                    ),
                ]
            )
        await interaction.followup.send(text, ephemeral=True)

    # --- browsing -------------------------------------------------------------------------------

    @proposal.command(name="show", description=N_("A proposal with its whole timeline"))
    @app_commands.describe(id=ID_DESCRIPTION)
    async def show(self, interaction: discord.Interaction[Any], id: int) -> None:
        """Show a proposal, its answers and progress, even if its post was deleted."""
        member = require_guild(interaction)
        proposal = await self.repo.get(id, guild_id=member.guild.id)
        if proposal is None:
            raise refusal(ProposalError("not-found"), id)
        t = await self.bot.languages.for_interaction(interaction)
        embed = timeline_embed(t, proposal, await self.repo.timeline(proposal.id))
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )

    @show.autocomplete("id")
    @answer.autocomplete("id")
    @update.autocomplete("id")
    @withdraw.autocomplete("id")
    async def _id_choices(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[int]]:
        """Offer this server's proposals whose number or title matches what was typed."""
        if interaction.guild_id is None:
            return []
        found = await self.repo.complete(interaction.guild_id, str(current or ""), limit=AUTOCOMPLETE_LIMIT)
        return [app_commands.Choice(name=choice_name(p), value=p.id) for p in found]

    @proposal.command(name="list", description=N_("Browse proposals"))
    @app_commands.describe(
        city=N_("Only proposals for this city"),
        status=N_("Only proposals with this status"),
        theme=N_("Only proposals on this theme"),
        sort=N_("Newest first or most supported first"),
    )
    @app_commands.choices(status=STATUS_CHOICES, theme=THEME_CHOICES, sort=SORT_CHOICES)
    @app_commands.autocomplete(city=_city_choices)
    async def list_proposals(
        self,
        interaction: discord.Interaction[Any],
        city: str | None = None,
        status: str | None = None,
        theme: str | None = None,
        sort: str = "newest",
    ) -> None:
        """Send the first page of matching proposals, with page buttons when there are more."""
        member = require_guild(interaction)
        city_id = 0
        if city:
            found = await self.bot.repos.cities.find(member.guild.id, city)
            if found is None:
                raise NotFoundError("No city named {name} is registered here.", name=clip(city, 60))
            city_id = found.id
        t = await self.bot.languages.for_interaction(interaction)
        filters = (city_id, status or ANY, theme or ANY, sort)
        await send_list(interaction, await self.list_page(t, member.guild.id, filters, 0))

    async def list_page(
        self, t: Lang, guild_id: int, filters: tuple[int, str, str, str], page: int
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        """One page of proposals matching the filters, with buttons to the neighbouring pages."""
        city, status, theme, sort = filters
        city_id, wanted = city or None, None if status == ANY else status
        kind = None if theme == ANY else theme
        _, total = await self.repo.page(guild_id, city_id=city_id, status=wanted, theme=kind, limit=1)
        number, pages = clamp_page(page, total, PAGE_SIZE)
        items, total = await self.repo.page(
            guild_id, city_id=city_id, status=wanted, theme=kind, sort=sort, offset=number * PAGE_SIZE
        )
        shown = Page(items, number, pages, total)
        view = pager(
            lambda p, _direction, label, disabled: ProposalPageButton(
                p, city, status, theme, sort, label, disabled
            ),
            number,
            pages,
            t,
        )
        return list_embed(t, shown), view

    # --- settings and export --------------------------------------------------------------------

    @proposal.command(
        name="threshold", description=N_("How many supports make the moderators hear of a proposal")
    )
    @app_commands.describe(count=N_("Number of supports (default 10)"))
    @moderator_only()
    async def threshold(
        self, interaction: discord.Interaction[Any], count: app_commands.Range[int, 1, 100000]
    ) -> None:
        """Store the server's support threshold."""
        member = await require_moderator(interaction)
        await self.repo.set_threshold(member.guild.id, count)
        self._thresholds[member.guild.id] = count
        t = await self.bot.languages.for_interaction(interaction)
        await interaction.response.send_message(
            t._("Moderators hear of a proposal once it has {count} supporters.", count=count), ephemeral=True
        )

    @proposal.command(name="export", description=N_("Download the proposals as open data"))
    @app_commands.describe(
        format=N_("csv, jsonl or datapackage (zip)"), city=N_("Only proposals for this city")
    )
    @app_commands.choices(format=FORMAT_CHOICES)
    @app_commands.autocomplete(city=_city_choices)
    @moderator_only()
    async def export(
        self, interaction: discord.Interaction[Any], format: str = "datapackage", city: str | None = None
    ) -> None:
        """Send the proposals, their history and support breakdown as a file."""
        member = await require_moderator(interaction)
        city_id = None
        if city:
            found = await self.bot.repos.cities.find(member.guild.id, city)
            if found is None:
                raise NotFoundError("No city named {name} is registered here.", name=clip(city, 60))
            city_id = found.id
        await interaction.response.defer(ephemeral=True, thinking=True)
        proposals, events, support = await self.repo.for_export(member.guild.id, city_id)
        data = ExportData(proposals, events, support, await self.repo.export_secret(member.guild.id))
        t = await self.bot.languages.for_interaction(interaction)
        filename, payload = export_file(t, data, format, "proposals")
        await interaction.followup.send(
            t.ngettext("{n} proposal exported.", "{n} proposals exported.", len(proposals)),
            file=discord.File(io.BytesIO(payload), filename=filename),
            ephemeral=True,
        )


if TYPE_CHECKING:
    # mypy checks that the cog is what its components and form call (views.py knows only the Protocol).
    _handler: type[ProposalsHandler] = ProposalsCog
