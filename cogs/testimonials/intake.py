"""Receiving a testimonial: the limits checked before a form opens, its photo held while the member
writes, and a sent form turned into a stored item queued for the moderators.

Order matters for "never a record pointing at nothing": the photo file is written, then the row is
inserted (both under the media store's lock); if the moderators cannot be reached the row and an
unused file are removed again. The photo held for the form is deleted once it is stored or refused.

Replies speak the member's language. The consent is stored as the form showed it (SubmissionForm.
consent_shown): its language, its version and its exact statement.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import aiohttp
import discord

from bot.consent import Wording, check_consent
from bot.errors import NotFoundError, ValidationError
from bot.forms import Submission
from bot.i18n import Lang, Msg
from bot.replies import clip
from cogs.testimonials.media import (
    CleanImage,
    DownloadError,
    MediaError,
    MediaStore,
    PendingPhotos,
    check_size,
    megabytes,
)
from cogs.testimonials.moderation import Moderation
from cogs.testimonials.render import inert
from cogs.testimonials.rules import check_city, check_story, check_target_group, photo_fits
from storage.testimonials import (
    Campaign,
    CampaignClosedError,
    DailyLimitError,
    Media,
    NewTestimonial,
    Testimonial,
    TestimonialsRepository,
    TestimonialStoreError,
)

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT = 60.0
PHOTO_FORM_KIND = "testimonials:photo"


async def download(photo: discord.Attachment, max_bytes: int) -> bytes:
    """Fetch the attachment's bytes, or raise DownloadError saying why."""
    try:
        data = await asyncio.wait_for(photo.read(), DOWNLOAD_TIMEOUT)
    except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as problem:
        log.info("photo %s could not be downloaded: %s", photo.id, problem)
        raise DownloadError(
            Msg("I could not download your photo from Discord (its link may have expired).")
        ) from None
    check_size(len(data), max_bytes)
    return data


class Intake:
    """Opens testimonial forms within the limits and stores what members send."""

    def __init__(
        self,
        bot: ClimaBot,
        repo: TestimonialsRepository,
        store: MediaStore,
        pending: PendingPhotos,
        moderation: Moderation,
    ) -> None:
        """Use the repository, the media folder, the held photos and the moderation flows."""
        self.bot = bot
        self.repo = repo
        self.store = store
        self.pending = pending
        self.moderation = moderation

    # --- before the form opens ------------------------------------------------------

    async def check_limits(
        self, interaction: discord.Interaction[Any], campaign: Campaign, photo: discord.Attachment | None
    ) -> None:
        """Refuse a form the member may not open now: daily stories, open photo forms, photo budget."""
        limits = self.bot.settings.limits
        now = datetime.now(UTC)
        sent = await self.repo.sent_today(campaign.guild_id, campaign.name, interaction.user.id, now=now)
        if sent >= limits.testimonials_per_campaign_per_day:
            raise ValidationError(
                "Thank you, but you have sent as many stories to **{campaign}** in the last 24 hours as one "
                "day allows ({limit}). Please come back tomorrow.",
                campaign=inert(campaign.name),
                limit=limits.testimonials_per_campaign_per_day,
            )
        if photo is None:
            return
        try:
            check_size(photo.size, campaign.max_photo_bytes)
        except MediaError as problem:
            raise ValidationError("{problem} Nothing was saved.", problem=problem.text) from None
        held = await self.bot.repos.forms.count_open(interaction.user.id, PHOTO_FORM_KIND, now=now)
        if held >= limits.open_photo_forms_per_member:
            raise ValidationError(
                "You already have as many testimonial forms with a photo open as one member may have "
                "({open}). Send or close one (a form closes by itself after an hour), then try again. "
                "Nothing was saved.",
                open=held,
            )
        if not photo_fits(self.pending.used_bytes(), photo.size, limits.pending_photos_max_bytes):
            log.warning("pending photos are at their budget (%s MB)", limits.pending_photos_max_mb)
            raise ValidationError(
                "Too many photos ({size}) are waiting in forms not yet sent, so I cannot take yours right "
                "now. Please try again in a few minutes. Nothing was saved.",
                size=megabytes(self.pending.used_bytes()),
            )

    def hold(self, name: str, photo: discord.Attachment, max_bytes: int) -> None:
        """Start fetching the photo into the pending folder as `name` (Discord's links expire)."""
        self.pending.fetch(name, photo.size, lambda: download(photo, max_bytes), max_bytes)

    # --- a sent form ------------------------------------------------------------------

    async def submit(
        self,
        interaction: discord.Interaction[Any],
        state: Mapping[str, Any],
        sent: Submission,
        consent: Wording,
    ) -> None:
        """Check a sent form and its photo, store the item with the consent shown (`consent`) and queue
        it for moderators.

        Text and consent problems raise ValidationError, so the member can fix the form (its photo is
        kept). Problems a second try cannot fix answer with the story handed back and drop the photo.
        """
        shown = state.get("consent_version")
        if shown is not None and shown != consent.version:
            # The catalogs changed (a restart with new translations) while the form was open: what the
            # member read is no longer the text that would be stored.
            log.info("consent %s/%s changed while a form was open", consent.language, shown)
            raise NotFoundError(
                "The consent text was updated while your form was open, so nothing was saved. "
                "Run `/testimonial submit` again to read the new text."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        assert interaction.guild_id is not None
        scope = check_consent(sent.choice("usage"), sent.checked("licence"))
        t = await self.bot.languages.for_interaction(interaction)
        story = check_story(sent.text("story"))
        city = check_city(sent.text("city"))
        group = check_target_group(sent.choice("group"))
        photo = state.get("photo") if isinstance(state.get("photo"), str) else None
        try:
            image = await self._held_photo(photo)
        except (DownloadError, MediaError) as problem:
            refusal = t._(
                "{problem} Nothing was saved; run `/testimonial submit` again, with the photo.",
                problem=t.render(problem.text),
            )
            await self._refuse(interaction, t, refusal, story)
            return
        registered = await self.bot.repos.cities.find(interaction.guild_id, city)
        if registered is not None:
            city = registered.name  # the register's spelling, so exports group one city's stories
        consented_at = datetime.now(UTC)
        new = NewTestimonial(
            guild_id=interaction.guild_id, campaign_name=str(state["campaign_name"]),
            author_id=interaction.user.id, author_name=interaction.user.display_name, story=story, city=city,
            target_group=group, consent_scope=scope, consent_version=consent.version,
            consent_language=consent.language, consent_text=consent.statement(scope, str(state["licence"])),
            consented_at=consented_at,
        )  # fmt: skip
        try:
            item = await self._store(new, image)
        except TestimonialStoreError as problem:
            await self._drop(photo)
            await self._refuse(interaction, t, _store_refusal(t, problem, str(state["campaign_name"])), story)
            return
        await self._drop(photo)
        if not await self.moderation.queue(item, image):
            await self.moderation.remove(item.id)
            unreachable = t._(
                "I could not reach the moderators (the moderation channel is missing or closed to me), "
                "so nothing was kept. Please tell an administrator."
            )
            await self._refuse(interaction, t, unreachable, story)
            return
        await interaction.followup.send(
            t._(
                "Thank you! Testimonial #{id} is waiting for a moderator. See it with `/testimonial mine`; "
                "withdraw it any time with `/testimonial withdraw id:{id}`.",
                id=item.id,
            ),
            ephemeral=True,
        )

    async def _held_photo(self, photo: str | None) -> CleanImage | None:
        """The form's photo from the pending folder; DownloadError or MediaError if it cannot be used."""
        if photo is None:
            return None
        try:
            image = await self.pending.take(photo)
        except (DownloadError, MediaError):
            await self._drop(photo)
            raise
        if image is None:
            raise DownloadError(
                Msg(
                    "Your photo is no longer held (the form was open too long, or the bot restarted before "
                    "it had fetched it)."
                )
            )
        return image

    async def _drop(self, photo: str | None) -> None:
        """Delete the form's held photo (stored by now, or refused)."""
        if photo is not None:
            await self.pending.discard(photo)

    async def _refuse(self, interaction: discord.Interaction[Any], t: Lang, message: str, story: str) -> None:
        """Say (message, in language t) why nothing was stored, giving the member their story back."""
        files = []
        if story.strip():
            files = [discord.File(io.BytesIO(story.encode("utf-8")), filename="your-story.txt")]
            message = t._(
                "{refusal} Your story is attached so you do not have to type it again.", refusal=message
            )
        await interaction.followup.send(clip(message), files=files, ephemeral=True)

    async def _store(self, new: NewTestimonial, image: CleanImage | None) -> Testimonial:
        """Write the photo (if new) and the row together, removing a fresh file if the row fails."""
        media = None
        if image is not None:
            media = Media(
                image.sha256, image.relpath, image.mediatype, len(image.data), image.width, image.height
            )
        limit = self.bot.settings.limits.testimonials_per_campaign_per_day
        async with self.store.lock:
            written = image is not None and await asyncio.to_thread(self.store.save, image)
            try:
                return await self.repo.submit(new, media, now=new.consented_at, daily_limit=limit)
            except BaseException:
                if written and image is not None:
                    await asyncio.to_thread(self.store.delete, image.relpath)
                raise


def _store_refusal(t: Lang, problem: TestimonialStoreError, campaign: str) -> str:
    """Why the repository refused a checked submission, in language t."""
    if isinstance(problem, DailyLimitError):
        return t.ngettext(
            "Thank you, but you have sent {n} story to this campaign in the last 24 hours, the most one day "
            "allows. Nothing was saved.",
            "Thank you, but you have sent {n} stories to this campaign in the last 24 hours, the most one "
            "day allows. Nothing was saved.",
            problem.limit,
        )
    if isinstance(problem, CampaignClosedError):
        return t._(
            "Thank you, but campaign **{campaign}** is closed and takes no more stories. Nothing was saved.",
            campaign=inert(campaign),
        )
    log.info("testimonial refused by the repository: %s", problem)
    return t._(
        "Campaign **{campaign}** no longer takes this story. Nothing was saved.", campaign=inert(campaign)
    )
