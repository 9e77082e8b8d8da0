"""The /testimonial commands, and the moderators' decisions that reach the cog from buttons and forms.

Members submit (a form bound to them, with its photo held on disk), list and withdraw their stories;
moderators approve or reject them from the card in the moderation channel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.cog_base import ClimaCog
from bot.consent import wording
from bot.errors import NotFoundError, ValidationError
from bot.forms import Form, Submission
from bot.i18n import N_, Lang
from bot.member_data import MemberDataHolder
from bot.replies import CONTENT_LIMIT, clip, fit_lines, quote_input
from cogs.testimonials.intake import Intake
from cogs.testimonials.jobs import PhotoRetention
from cogs.testimonials.media import MediaStore, PendingPhotos
from cogs.testimonials.member_data import TestimonialsMemberData
from cogs.testimonials.moderation import Moderation
from cogs.testimonials.render import inert, mine_lines
from cogs.testimonials.rules import CITY_MAX
from cogs.testimonials.views import (
    ApproveButton,
    PhotoSubmissionForm,
    RejectButton,
    RejectReasonForm,
    SubmissionForm,
    decision_view,
)
from storage.testimonials import TestimonialsRepository, TestimonialStoreError

if TYPE_CHECKING:
    from bot.client import ClimaBot

PENDING_FOLDER = "pending"
# A testimonial's state as the member's own list and suggestions name it.
STATUS_NAMES = {"pending": N_("waiting"), "approved": N_("approved"), "rejected": N_("not accepted")}
NO_CAMPAIGN = N_("There is no campaign named {name}; see `/campaign list`.")


class TestimonialsCog(ClimaCog, name="Testimonials"):
    """Members' testimonials: the form, their own list and withdrawal, and the moderators' decisions."""

    __test__ = False  # not a pytest test class, despite the name

    testimonial = app_commands.Group(name="testimonial", description=N_("Tell your story"), guild_only=True)
    dynamic_items = (ApproveButton, RejectButton)

    def __init__(self, bot: ClimaBot, repo: TestimonialsRepository, store: MediaStore) -> None:
        """Keep the repository, the media folder, the held photos and the flows built on them."""
        super().__init__(bot)
        self.repo = repo
        self.store = store
        self.pending = PendingPhotos(store.root / PENDING_FOLDER)
        self.moderation = Moderation(bot, repo, store, decision_view)
        self.intake = Intake(bot, repo, store, self.pending, self.moderation)
        self.retention = PhotoRetention(
            bot.scheduler, self.moderation, bot.settings.limits.rejected_photo_retention_delta
        )
        self.submission_form = SubmissionForm(self.pending, self._lang)
        self.photo_form = PhotoSubmissionForm(self.pending, self._lang)
        self.reject_form = RejectReasonForm()
        self.holder = TestimonialsMemberData(repo, self.moderation, store.root)

    def _lang(self, code: str) -> Lang:
        """The loaded catalog of a language (for the consent a form shows)."""
        return self.bot.languages.catalogs.lang(code)

    def forms(self) -> tuple[Form, ...]:
        """The testimonial form (with and without photo) and the reject-reason form."""
        return (self.submission_form, self.photo_form, self.reject_form)

    def member_data(self) -> MemberDataHolder:
        """Members' testimonials, photos and posts; moderators' decisions."""
        return self.holder

    async def start(self) -> None:
        """Delete held photos no open form refers to (a crash), and start the photo-retention job."""
        keep = [
            str(state["photo"])
            for kind in (self.submission_form.kind, self.photo_form.kind)
            for state in await self.bot.repos.forms.held_states(kind)
            if isinstance(state.get("photo"), str)
        ]
        await asyncio.to_thread(self.pending.sweep, keep)
        self.retention.start()

    async def stop(self) -> None:
        """Stop the photo-retention job."""
        self.retention.stop()

    @testimonial.command(name="submit", description=N_("Tell your story for a campaign (opens a form)"))
    @app_commands.describe(
        campaign=N_("The campaign you answer"),
        photo=N_("A photo (JPEG, PNG or WebP)"),
        city=N_("Your city, from the server's city register (you can also type it in the form)"),
    )
    async def testimonial_submit(
        self,
        interaction: discord.Interaction[Any],
        campaign: str,
        photo: discord.Attachment | None = None,
        city: app_commands.Range[str, 1, CITY_MAX] | None = None,
    ) -> None:
        """Check the campaign and the limits, show the form, and start fetching the photo at once."""
        assert interaction.guild_id is not None
        found = await self.repo.get_campaign(interaction.guild_id, campaign)
        if found is None:
            raise NotFoundError(NO_CAMPAIGN, name=quote_input(campaign))
        if not found.accepts_submissions(datetime.now(UTC)):
            raise ValidationError(
                "Thank you, but campaign **{campaign}** is closed and takes no more stories.",
                campaign=inert(found.name),
            )
        settings = await self.bot.repos.guild_settings.get(interaction.guild_id)
        if settings.moderation_channel_id is None:
            raise ValidationError(
                "Submissions are not open yet: this server has no moderation channel. "
                "An administrator can set one with `/setup channels moderation`."
            )
        await self.intake.check_limits(interaction, found, photo)
        known_city, known_group = await self._profile_defaults(interaction.guild_id, interaction.user.id)
        held = None if photo is None else self.pending.new_name()
        # The consent is fixed now, in the language it is shown in, so what is stored is what was read.
        consent = wording(await self.bot.languages.for_interaction(interaction))
        state = {
            "campaign_name": found.name, "prompt": found.prompt, "licence": found.licence,
            "city": city or known_city, "group": known_group, "photo": held,
            "consent_language": consent.language, "consent_version": consent.version,
        }  # fmt: skip
        await self.bot.forms.open(
            interaction, self.submission_form if photo is None else self.photo_form, state
        )
        if photo is not None and held is not None:
            # Discord's attachment URLs expire, so the photo is fetched, checked and stripped now, while
            # the member writes, and held on disk under the name the form's state keeps.
            self.intake.hold(held, photo, found.max_photo_bytes)

    @testimonial_submit.autocomplete("campaign")
    async def _open_campaigns(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest campaigns that still take stories."""
        if interaction.guild_id is None:
            return []
        names = await self.repo.campaign_names(
            interaction.guild_id, current, now=datetime.now(UTC), open_only=True
        )
        return [app_commands.Choice(name=n, value=n) for n in names]

    @testimonial_submit.autocomplete("city")
    async def _registered_cities(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest cities of the server's register."""
        if interaction.guild_id is None:
            return []
        cities = await self.bot.repos.cities.complete(interaction.guild_id, current)
        return [app_commands.Choice(name=c.name, value=c.name) for c in cities]

    async def _profile_defaults(self, guild_id: int, user_id: int) -> tuple[str | None, str | None]:
        """The member's city and target group from their profile (/profile set), where set."""
        profile = await self.bot.repos.profiles.get(guild_id, user_id)
        if profile is None:
            return None, None
        home = None if profile.city_id is None else await self.bot.repos.cities.get(profile.city_id)
        return (None if home is None else home.name), profile.target_group

    @testimonial.command(name="mine", description=N_("List your testimonials and where they stand"))
    async def testimonial_mine(self, interaction: discord.Interaction[Any]) -> None:
        """List the member's testimonials on this server."""
        assert interaction.guild_id is not None
        items = await self.repo.list_by_author(interaction.guild_id, interaction.user.id, limit=100)
        t = await self.bot.languages.for_interaction(interaction)
        if not items:
            await interaction.response.send_message(t._("You have no testimonials here."), ephemeral=True)
            return
        hint = "\n\n" + t._("Withdraw one with `/testimonial withdraw id:<number>`.")
        more = t._("…and {n} older ones.")
        text = fit_lines(mine_lines(t, items), CONTENT_LIMIT - len(hint), more=more) + hint
        await interaction.response.send_message(text, ephemeral=True)

    @testimonial.command(name="withdraw", description=N_("Remove one of your testimonials everywhere"))
    @app_commands.describe(id=N_("The number of your testimonial (see /testimonial mine)"))
    async def testimonial_withdraw(
        self, interaction: discord.Interaction[Any], id: app_commands.Range[int, 1]
    ) -> None:
        """Delete the member's item, its photo if unused, and its messages."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            notes = await self.moderation.withdraw(id, interaction.user.id)
        except TestimonialStoreError:
            raise NotFoundError("You have no testimonial #{id}; see `/testimonial mine`.", id=id) from None
        t = await self.bot.languages.for_interaction(interaction)
        # Whole sentences, one after the other.
        done = [t._("Testimonial #{id} is withdrawn and deleted.", id=id), *(t.render(n) for n in notes)]
        await interaction.followup.send(" ".join(done), ephemeral=True)

    @testimonial_withdraw.autocomplete("id")
    async def _own_items(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[int]]:
        """Suggest the member's own testimonials."""
        if interaction.guild_id is None:
            return []
        items = await self.repo.list_by_author(interaction.guild_id, interaction.user.id, limit=25)
        t = await self.bot.languages.for_interaction(interaction)
        return [
            app_commands.Choice(
                name=clip(f"#{item.id} {item.campaign_name} ({t._(STATUS_NAMES[item.status])})", 100),
                value=item.id,
            )
            for item in items
            if current.strip().lstrip("#") in str(item.id)
        ]

    # --- called by the buttons and forms in views.py (TestimonialActions) ------------------

    async def receive_submission(
        self, interaction: discord.Interaction[Any], state: Mapping[str, Any], sent: Submission
    ) -> None:
        """Store a sent testimonial form with the consent it showed (see Intake.submit)."""
        await self.intake.submit(interaction, state, sent, self.submission_form.consent_shown(state))

    async def approve(self, interaction: discord.Interaction[Any], testimonial_id: int) -> None:
        """See Moderation.approve."""
        await self.moderation.approve(interaction, testimonial_id)

    async def ask_reject_reason(self, interaction: discord.Interaction[Any], testimonial_id: int) -> None:
        """Open the reason form for a pending item, bound to this moderator."""
        await self.moderation.check_rejectable(interaction, testimonial_id)
        await self.bot.forms.open(interaction, self.reject_form, {"testimonial": testimonial_id})

    async def reject(self, interaction: discord.Interaction[Any], testimonial_id: int, reason: str) -> None:
        """See Moderation.reject."""
        await self.moderation.reject(interaction, testimonial_id, reason)

    async def erase_member(self, user_id: int, *, guild_id: int | None = None) -> int:
        """Delete a member's testimonials in one server, or everywhere; count them (see member_data())."""
        return await self.moderation.erase_member(user_id, guild_id=guild_id)
