"""Buttons and forms of the testimonials capability, on the shared component layer.

Approve and Reject are persistent buttons (`testimonials:approve:<id>`, `testimonials:reject:<id>`,
the same custom_ids as cards posted before this layer), so a card still works after any number of
restarts. The testimonial form and the moderator's reject-reason form are bot.forms Forms: each use
has its own token and its state (campaign, held photo, testimonial) in the database, so two people's
forms never mix and a form sent after a restart still completes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, ClassVar, Protocol

import discord

from bot.components import PersistentButton, persistent_view
from bot.consent import Wording, wording
from bot.forms import Form, Submission, text_input
from bot.i18n import ENGLISH, N_, Lang
from bot.target_groups import TARGET_GROUPS
from cogs.testimonials.media import PendingPhotos
from cogs.testimonials.rules import CITY_MAX, REASON_MAX, REASON_MIN, STORY_MAX, STORY_MIN

COG = "Testimonials"
PROMPT_SHOWN = 100
APPROVE = N_("Approve")
REJECT = N_("Reject")
STORY_LABEL = N_("Your story")
CITY_LABEL = N_("Your city")
# Translators: the label of the choice of target group in the testimonial form.
GROUP_LABEL = N_("You are")
REASON_LABEL = N_("Reason (sent to the author)")


class TestimonialActions(Protocol):
    """What the buttons and forms ask of the testimonials cog."""

    async def approve(self, interaction: discord.Interaction[Any], testimonial_id: int) -> None:
        """Approve a pending testimonial and publish it as consented."""
        ...

    async def ask_reject_reason(self, interaction: discord.Interaction[Any], testimonial_id: int) -> None:
        """Open the reject-reason form for a pending testimonial."""
        ...

    async def reject(self, interaction: discord.Interaction[Any], testimonial_id: int, reason: str) -> None:
        """Reject a pending testimonial with the moderator's reason."""
        ...

    async def receive_submission(
        self, interaction: discord.Interaction[Any], state: Mapping[str, Any], sent: Submission
    ) -> None:
        """Store a sent testimonial form."""
        ...


class DecisionButton(PersistentButton, cog=COG):
    """A moderator's decision on one testimonial; each subclass names its caption, colour and action."""

    testimonial: int
    caption: ClassVar[str]
    colour: ClassVar[discord.ButtonStyle]

    def __init__(self, testimonial: int, t: Lang = ENGLISH) -> None:
        """Build the button for one testimonial, labelled in the moderation channel's language."""
        super().__init__(testimonial, label=t._(self.caption), style=self.colour)


class ApproveButton(DecisionButton, prefix="testimonials:approve", fields={"testimonial": int}):
    """Approve a testimonial (moderators only); publishes it as its author consented."""

    caption = APPROVE
    colour = discord.ButtonStyle.success

    async def clicked(self, interaction: discord.Interaction[Any], handler: TestimonialActions) -> None:
        """Record the approval and publish."""
        await handler.approve(interaction, self.testimonial)


class RejectButton(DecisionButton, prefix="testimonials:reject", fields={"testimonial": int}):
    """Reject a testimonial (moderators only): asks for the reason sent to the author."""

    caption = REJECT
    colour = discord.ButtonStyle.danger

    async def clicked(self, interaction: discord.Interaction[Any], handler: TestimonialActions) -> None:
        """Open the reason form, after checking the clicker may decide."""
        await handler.ask_reject_reason(interaction, self.testimonial)


def decision_view(testimonial_id: int, t: Lang = ENGLISH) -> discord.ui.View:
    """The Approve / Reject row of a moderation card, in the server's language t."""
    return persistent_view(ApproveButton(testimonial_id, t), RejectButton(testimonial_id, t))


class RejectReasonForm(Form):
    """Asks the moderator why; the reason is sent to the author. State: {"testimonial": id}."""

    kind = "testimonials:reason"
    cog_name = COG
    moderators_only = True
    labels: ClassVar[dict[str, str]] = {"reason": REASON_LABEL}

    def build(self, state: Mapping[str, Any], typed: Mapping[str, Any], t: Lang) -> discord.ui.Modal:
        """One paragraph field, filled in again after a refusal."""
        modal = discord.ui.Modal(title=t._("Reject testimonial #{id}", id=int(state["testimonial"]))[:45])
        modal.add_item(
            text_input(
                t._(REASON_LABEL),
                "reason",
                typed.get("reason"),
                style=discord.TextStyle.paragraph,
                min_length=REASON_MIN,
                max_length=REASON_MAX,
            )
        )
        return modal

    async def submit(
        self,
        interaction: discord.Interaction[Any],
        handler: TestimonialActions,
        state: Mapping[str, Any],
        sent: Submission,
    ) -> None:
        """Record the rejection and tell the author."""
        await handler.reject(interaction, int(state["testimonial"]), sent.text("reason"))


class SubmissionForm(Form):
    """The testimonial form: story, city, group, how it may be used, and the licence agreement.

    State: campaign (id, name, prompt, licence), the city and group to suggest, `photo`, the name
    of the photo held for this form under media_dir/pending (None without a photo), and the consent
    shown: `consent_language` and `consent_version` (bot.consent), fixed when the form is first opened.
    The form speaks the member's language t; its consent block speaks consent_language, so the text
    shown, even when the form is shown again after a refusal, is the text that is stored.
    """

    kind = "testimonials:submit"
    cog_name = COG
    lifetime = timedelta(hours=1)
    labels: ClassVar[dict[str, str]] = {"story": STORY_LABEL, "city": CITY_LABEL}

    def __init__(self, pending: PendingPhotos, lang_of: Callable[[str], Lang]) -> None:
        """Use the pending-photo folder (an expired or erased form's photo is deleted) and the catalogs."""
        self.pending = pending
        self.lang_of = lang_of

    def consent_shown(self, state: Mapping[str, Any]) -> Wording:
        """The consent wording this form shows (English for a form opened before consent had languages)."""
        return wording(self.lang_of(str(state.get("consent_language") or ENGLISH.code)))

    def build(self, state: Mapping[str, Any], typed: Mapping[str, Any], t: Lang) -> discord.ui.Modal:
        """The five fields, filled in from the profile or from what was typed before a refusal."""
        words = self.consent_shown(state)
        modal = discord.ui.Modal(title=t._("Testimonial: {campaign}", campaign=state["campaign_name"])[:45])
        chosen_group = _first(typed.get("group")) or state.get("group")
        group: discord.ui.RadioGroup[Any] = discord.ui.RadioGroup(
            custom_id="group",
            options=[
                discord.RadioGroupOption(label=t._(label)[:100], value=key, default=key == chosen_group)
                for key, label in TARGET_GROUPS.items()
            ],
        )
        chosen_usage = _first(typed.get("usage"))
        usage: discord.ui.RadioGroup[Any] = discord.ui.RadioGroup(
            custom_id="usage",
            options=[
                discord.RadioGroupOption(
                    label=label, value=scope, description=detail, default=scope == chosen_usage
                )
                for scope, (label, detail) in words.scopes.items()
            ],
        )
        licence: discord.ui.Checkbox[Any] = discord.ui.Checkbox(
            custom_id="licence", default=typed.get("licence") is True
        )
        licence_label, licence_description = words.licence_texts(str(state["licence"]))
        prompt = str(state["prompt"])
        if len(prompt) > PROMPT_SHOWN:
            prompt = prompt[: PROMPT_SHOWN - 1] + "…"
        modal.add_item(
            text_input(
                t._(STORY_LABEL),
                "story",
                typed.get("story"),
                description=prompt,
                style=discord.TextStyle.paragraph,
                min_length=STORY_MIN,
                max_length=STORY_MAX,
            )
        )
        city = typed.get("city") or state.get("city")
        modal.add_item(text_input(t._(CITY_LABEL), "city", city, max_length=CITY_MAX))
        modal.add_item(discord.ui.Label(text=t._(GROUP_LABEL)[:45], component=group))
        modal.add_item(
            discord.ui.Label(text=words.usage_label, description=words.usage_description, component=usage)
        )
        modal.add_item(
            discord.ui.Label(text=licence_label, description=licence_description, component=licence)
        )
        return modal

    async def submit(
        self,
        interaction: discord.Interaction[Any],
        handler: TestimonialActions,
        state: Mapping[str, Any],
        sent: Submission,
    ) -> None:
        """Hand the sent form to the cog."""
        await handler.receive_submission(interaction, state, sent)

    async def discard(self, state: Mapping[str, Any]) -> None:
        """Delete the photo held for a form that will never be sent."""
        photo = state.get("photo")
        if isinstance(photo, str):
            await self.pending.discard(photo)


class PhotoSubmissionForm(SubmissionForm):
    """The same form with a photo attached: a kind of its own, so open photo forms can be counted."""

    kind = "testimonials:photo"


def _first(value: Any) -> str | None:
    """The picked value of a radio group as typed before (a list of one), or None."""
    if isinstance(value, list) and value:
        return str(value[0])
    return value if isinstance(value, str) and value else None
