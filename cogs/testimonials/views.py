"""Buttons and forms of the testimonials capability.

Approve and Reject are DynamicItems (`testimonials:approve:<id>`, `testimonials:reject:<id>`), so a
card posted before any number of restarts still works. The forms (modals) live only as long as the
process: they are answers to one interaction, and the member simply runs the command again.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import TYPE_CHECKING, Any, Self

import discord

from bot.consent import licence_texts, wording
from bot.error_handler import report_failure
from bot.target_groups import TARGET_GROUPS
from cogs.testimonials.submission import CITY_MAX, STORY_MAX, STORY_MIN
from storage.testimonials import Campaign

if TYPE_CHECKING:
    from cogs.testimonials.cog import TestimonialsCog

log = logging.getLogger(__name__)

FORM_TIMEOUT = 3600.0


def cog_of(interaction: discord.Interaction[Any]) -> TestimonialsCog:
    """The loaded testimonials cog."""
    cog = interaction.client.get_cog("Testimonials")
    if cog is None:
        raise RuntimeError("the testimonials cog is not loaded")
    return cog


class _DecisionButton:
    """What Approve and Reject share: one testimonial id, rebuilt from the custom id after restarts."""

    action: str
    label: str
    style: discord.ButtonStyle

    def __init__(self, testimonial_id: int) -> None:
        """Build the button for one testimonial."""
        super().__init__(  # type: ignore[call-arg]  # DynamicItem, next in the MRO, takes the button
            discord.ui.Button(
                label=self.label, style=self.style, custom_id=f"testimonials:{self.action}:{testimonial_id}"
            )
        )
        self.testimonial_id = testimonial_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        """Rebuild the button from its custom id."""
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the click to the cog, reporting failures privately."""
        try:
            await self.act(cog_of(interaction), interaction)
        except Exception as error:
            await report_failure(interaction, error, f"{self.action} #{self.testimonial_id}")

    async def act(self, cog: TestimonialsCog, interaction: discord.Interaction[Any]) -> None:
        """What a click does."""
        raise NotImplementedError


class ApproveButton(
    _DecisionButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"testimonials:approve:(?P<id>\d+)",
):
    """Approve a testimonial (moderators only); publishes it as its author consented."""

    action, label, style = "approve", "Approve", discord.ButtonStyle.success

    async def act(self, cog: TestimonialsCog, interaction: discord.Interaction[Any]) -> None:
        """Record the approval and publish."""
        await cog.approve(interaction, self.testimonial_id)


class RejectButton(
    _DecisionButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"testimonials:reject:(?P<id>\d+)",
):
    """Reject a testimonial (moderators only): asks for the reason sent to the author."""

    action, label, style = "reject", "Reject", discord.ButtonStyle.danger

    async def act(self, cog: TestimonialsCog, interaction: discord.Interaction[Any]) -> None:
        """Open the reason form, after checking the clicker may decide."""
        await cog.ask_reject_reason(interaction, self.testimonial_id)


def decision_view(testimonial_id: int) -> discord.ui.View:
    """The Approve / Reject row of a moderation card."""
    view = discord.ui.View(timeout=None)
    view.add_item(ApproveButton(testimonial_id))
    view.add_item(RejectButton(testimonial_id))
    return view


class RejectReasonModal(discord.ui.Modal):
    """Asks the moderator why; the reason is sent to the author."""

    reason: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Reason (sent to the author)",
        style=discord.TextStyle.paragraph,
        custom_id="reason",
        min_length=3,
        max_length=500,
    )

    def __init__(self, testimonial_id: int) -> None:
        """Create the form for one testimonial."""
        super().__init__(
            title=f"Reject testimonial #{testimonial_id}", custom_id=f"testimonials:reason:{testimonial_id}"
        )
        self.testimonial_id = testimonial_id

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        """Record the rejection and tell the author."""
        await cog_of(interaction).reject(interaction, self.testimonial_id, str(self.reason.value))

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception, /) -> None:  # type: ignore[override]
        """Report failures privately."""
        await report_failure(interaction, error, f"reject reason #{self.testimonial_id}")


class SubmissionModal(discord.ui.Modal):
    """The testimonial form: story, city, group, how it may be used, and the licence agreement."""

    def __init__(
        self,
        campaign: Campaign,
        photo: discord.Attachment | None,
        *,
        city: str | None = None,
        group: str | None = None,
    ) -> None:
        """Build the five fields for a campaign, city and group filled in when known."""
        super().__init__(
            title=f"Testimonial: {campaign.name}"[:45],
            custom_id=f"testimonials:submit:{campaign.id}",
            timeout=FORM_TIMEOUT,
        )
        self.campaign = campaign
        self.photo = photo
        # Started right after the form is shown, so the photo is fetched while its URL is fresh.
        self.download: asyncio.Task[bytes] | None = None
        words = wording()
        self.story: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="story", style=discord.TextStyle.paragraph, min_length=STORY_MIN, max_length=STORY_MAX
        )
        self.city: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="city", max_length=CITY_MAX, default=city[:CITY_MAX] if city else None
        )
        self.group: discord.ui.RadioGroup[Any] = discord.ui.RadioGroup(
            custom_id="group",
            options=[
                discord.RadioGroupOption(label=label, value=key, default=key == group)
                for key, label in TARGET_GROUPS.items()
            ],
        )
        self.usage: discord.ui.RadioGroup[Any] = discord.ui.RadioGroup(
            custom_id="usage",
            options=[
                discord.RadioGroupOption(label=label, value=scope, description=detail)
                for scope, (label, detail) in words.scopes.items()
            ],
        )
        self.licence: discord.ui.Checkbox[Any] = discord.ui.Checkbox(custom_id="licence")
        licence_label, licence_description = licence_texts(campaign.licence)
        prompt = campaign.prompt if len(campaign.prompt) <= 100 else campaign.prompt[:99] + "…"
        self.add_item(discord.ui.Label(text="Your story", description=prompt, component=self.story))
        self.add_item(discord.ui.Label(text="Your city", component=self.city))
        self.add_item(discord.ui.Label(text="You are", component=self.group))
        self.add_item(
            discord.ui.Label(
                text=words.usage_label, description=words.usage_description, component=self.usage
            )
        )
        self.add_item(
            discord.ui.Label(text=licence_label, description=licence_description, component=self.licence)
        )

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        """Hand the filled form to the cog."""
        await cog_of(interaction).receive_submission(interaction, self)

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception, /) -> None:  # type: ignore[override]
        """Report failures privately and drop the downloaded photo."""
        self.drop_download()
        await report_failure(interaction, error, f"testimonial form of campaign {self.campaign.id}")

    async def on_timeout(self) -> None:
        """Forget the photo of a form that was never sent."""
        self.drop_download()

    def drop_download(self) -> None:
        """Cancel the photo download if it is still running, or forget how it ended."""
        if self.download is None:
            return
        if not self.download.done():
            self.download.cancel()
        elif not self.download.cancelled():
            # Retrieved so asyncio does not log "exception was never retrieved" for an unused photo.
            self.download.exception()
