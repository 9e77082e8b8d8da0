"""What happens to a testimonial on Discord: received, checked, queued, decided, published, withdrawn.

Order matters for "never a record pointing at nothing": the photo file is written, then the row is
inserted (both under the media store's lock); if the moderators cannot be reached the row and an
unused file are removed again. Withdrawal deletes the row first, then unused files, then the
messages that showed the item.
"""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord.utils import escape_mentions

from bot.consent import CONSENT_VERSION, ConsentError, check_consent, consent_text
from bot.errors import PermissionDeniedError, ValidationError
from bot.guards import is_moderator
from bot.replies import clip, quote_input
from bot.timestamps import discord_timestamp
from cogs.testimonials.media import CleanImage, MediaError, MediaStore, check_size, clean_image
from cogs.testimonials.render import decided_status, inert, moderation_embed, photo_filename, showcase_embed
from cogs.testimonials.submission import SubmissionError, check_city, check_story, check_target_group
from cogs.testimonials.views import RejectReasonModal, SubmissionModal, decision_view
from storage.testimonials import (
    AlreadyDecidedError,
    Media,
    NewTestimonial,
    Removal,
    Testimonial,
    TestimonialsRepository,
    TestimonialStoreError,
    UnknownTestimonialError,
)

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT = 60.0
# Decoding a large photo takes memory; at most this many are checked at once.
IMAGE_WORKERS = 2


class DownloadError(Exception):
    """The photo could not be fetched from Discord."""


class Moderation:
    """Submission, moderation, publication and withdrawal of testimonials."""

    def __init__(self, bot: ClimaBot, repo: TestimonialsRepository, store: MediaStore) -> None:
        """Use the bot's connection, the repository and the media folder."""
        self.bot = bot
        self.repo = repo
        self.store = store
        self.image_workers = asyncio.Semaphore(IMAGE_WORKERS)

    # --- submission -----------------------------------------------------------------

    async def download(self, photo: discord.Attachment, max_bytes: int) -> bytes:
        """Fetch the attachment's bytes, or raise DownloadError saying why."""
        try:
            data = await asyncio.wait_for(photo.read(), DOWNLOAD_TIMEOUT)
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError, OSError) as problem:
            log.info("photo %s could not be downloaded: %s", photo.id, problem)
            raise DownloadError(
                "I could not download your photo from Discord (its link may have expired)."
            ) from None
        check_size(len(data), max_bytes)
        return data

    async def submit(self, interaction: discord.Interaction[Any], form: SubmissionModal) -> None:
        """Check a sent form and its photo, store the item with its consent and queue it for moderators."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        assert interaction.guild_id is not None
        campaign = form.campaign
        try:
            scope = check_consent(form.usage.value, form.licence.value)
            story = check_story(str(form.story.value))
            city = check_city(str(form.city.value))
            group = check_target_group(form.group.value)
        except (ConsentError, SubmissionError) as problem:
            form.drop_download()
            await self._refuse(interaction, str(problem), str(form.story.value))
            return
        image: CleanImage | None = None
        if form.download is not None:
            try:
                raw = await form.download
                async with self.image_workers:
                    image = await asyncio.to_thread(clean_image, raw, max_bytes=campaign.max_photo_bytes)
            except (DownloadError, MediaError) as problem:
                message = f"{problem} Nothing was saved; run `/testimonial submit` again, with the photo."
                await self._refuse(interaction, message, story)
                return
        registered = await self.bot.repos.cities.find(interaction.guild_id, city)
        if registered is not None:
            city = registered.name  # the register's spelling, so exports group one city's stories
        consented_at = datetime.now(UTC)
        new = NewTestimonial(
            guild_id=interaction.guild_id, campaign_name=campaign.name, author_id=interaction.user.id,
            author_name=interaction.user.display_name, story=story, city=city, target_group=group,
            consent_scope=scope, consent_version=CONSENT_VERSION,
            consent_text=consent_text(scope, campaign.licence), consented_at=consented_at,
        )  # fmt: skip
        try:
            item = await self._store(new, image)
        except TestimonialStoreError as problem:
            await self._refuse(interaction, f"{escape_mentions(str(problem))} Nothing was saved.", story)
            return
        if not await self._queue(item, image):
            await self.remove(item.id)
            await self._refuse(
                interaction,
                "I could not reach the moderators (the moderation channel is missing or closed to me), "
                "so nothing was kept. Please tell an administrator.",
                story,
            )
            return
        await interaction.followup.send(
            f"Thank you! Testimonial #{item.id} is waiting for a moderator. See it with `/testimonial mine`; "
            f"withdraw it any time with `/testimonial withdraw id:{item.id}`.",
            ephemeral=True,
        )

    async def _refuse(self, interaction: discord.Interaction[Any], message: str, story: str) -> None:
        """Say why nothing was stored, giving the member their story back to reuse."""
        files = []
        if story.strip():
            files = [discord.File(io.BytesIO(story.encode("utf-8")), filename="your-story.txt")]
            message += " Your story is attached so you do not have to type it again."
        await interaction.followup.send(clip(message), files=files, ephemeral=True)

    async def _store(self, new: NewTestimonial, image: CleanImage | None) -> Testimonial:
        """Write the photo (if new) and the row together, removing a fresh file if the row fails."""
        media = None
        if image is not None:
            media = Media(
                image.sha256, image.relpath, image.mediatype, len(image.data), image.width, image.height
            )
        async with self.store.lock:
            written = image is not None and await asyncio.to_thread(self.store.save, image)
            try:
                return await self.repo.submit(new, media, now=new.consented_at)
            except BaseException:
                if written and image is not None:
                    await asyncio.to_thread(self.store.delete, image.relpath)
                raise

    async def _queue(self, item: Testimonial, image: CleanImage | None) -> bool:
        """Post the moderation card; False if the moderation channel cannot be used."""
        settings = await self.bot.repos.guild_settings.get(item.guild_id)
        if settings.moderation_channel_id is None:
            return False
        channel = self.bot.get_partial_messageable(settings.moderation_channel_id, guild_id=item.guild_id)
        files = [] if image is None else [discord.File(io.BytesIO(image.data), filename=photo_filename(item))]
        try:
            message = await channel.send(
                embed=moderation_embed(item), files=files, view=decision_view(item.id)
            )
        except discord.HTTPException as problem:
            log.warning("guild %s: cannot post to moderation channel: %s", item.guild_id, problem)
            return False
        await self.repo.set_moderation_message(item.id, message.channel.id, message.id)
        return True

    # --- decisions ------------------------------------------------------------------

    async def require_moderator(self, interaction: discord.Interaction[Any]) -> None:
        """Refuse anyone but the server's moderators (checked here, not only by Discord)."""
        member = interaction.user
        if interaction.guild is None or not isinstance(member, discord.Member):
            raise PermissionDeniedError("This only works inside a server.")
        settings = await self.bot.repos.guild_settings.get(interaction.guild.id)
        if not is_moderator(
            member.guild_permissions, (r.id for r in member.roles), settings.moderator_role_id
        ):
            raise PermissionDeniedError("Only moderators can approve or reject testimonials.")

    async def _pending(self, interaction: discord.Interaction[Any], testimonial_id: int) -> Testimonial:
        """The pending item of this server, or a user-facing error saying what became of it."""
        item = await self.repo.get(testimonial_id)
        if item is None or item.guild_id != interaction.guild_id:
            raise ValidationError(f"Testimonial #{testimonial_id} no longer exists (its author withdrew it).")
        if item.status != "pending":
            raise ValidationError(_already(item))
        return item

    async def approve(self, interaction: discord.Interaction[Any], testimonial_id: int) -> None:
        """Record the approval, publish as consented, update the card and tell the moderator."""
        await self.require_moderator(interaction)
        await self._pending(interaction, testimonial_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            item = await self.repo.decide(
                testimonial_id, approve=True, moderator_id=interaction.user.id, now=datetime.now(UTC)
            )
        except AlreadyDecidedError as refusal:
            raise ValidationError(_already(refusal.testimonial)) from None
        except UnknownTestimonialError:
            raise ValidationError(f"Testimonial #{testimonial_id} no longer exists.") from None
        note = await self._publish(item)
        await self._update_card(item, decided_status(item, interaction.user.display_name, note))
        await interaction.followup.send(f"Approved testimonial #{item.id}. {note}", ephemeral=True)

    async def _publish(self, item: Testimonial) -> str:
        """Post the item to the showcase channel if its consent allows; return what happened."""
        if item.consent_scope == "research":
            return "Not published: the author allowed research use only."
        settings = await self.bot.repos.guild_settings.get(item.guild_id)
        if settings.showcase_channel_id is None:
            return "Not published: this server has no showcase channel (`/setup channels showcase`)."
        channel = self.bot.get_partial_messageable(settings.showcase_channel_id, guild_id=item.guild_id)
        try:
            message = await channel.send(embed=showcase_embed(item), files=self._photo_files(item))
        except (discord.HTTPException, OSError) as problem:
            log.warning("guild %s: cannot publish testimonial %s: %s", item.guild_id, item.id, problem)
            return "Not published: I cannot post in the showcase channel."
        if not await self.repo.set_showcase_message(item.id, message.channel.id, message.id):
            await _delete_quietly(message)
            return "Not published: the author withdrew it meanwhile."
        how = "with the author's name" if item.consent_scope == "named" else "anonymously"
        return f"Published {how} in <#{message.channel.id}>."

    def _photo_files(self, item: Testimonial) -> list[discord.File]:
        """The item's stored photo as an attachment, if it has one."""
        if item.media is None:
            return []
        return [discord.File(self.store.path(item.media.relpath), filename=photo_filename(item))]

    async def ask_reject_reason(self, interaction: discord.Interaction[Any], testimonial_id: int) -> None:
        """Open the reason form for a pending item."""
        await self.require_moderator(interaction)
        await self._pending(interaction, testimonial_id)
        await interaction.response.send_modal(RejectReasonModal(testimonial_id))

    async def reject(self, interaction: discord.Interaction[Any], testimonial_id: int, reason: str) -> None:
        """Record the rejection with its reason, tell the author by DM, update the card."""
        await self.require_moderator(interaction)
        await self._pending(interaction, testimonial_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        reason = " ".join(reason.split())
        try:
            item = await self.repo.decide(
                testimonial_id,
                approve=False,
                moderator_id=interaction.user.id,
                now=datetime.now(UTC),
                reason=reason,
            )
        except AlreadyDecidedError as refusal:
            raise ValidationError(_already(refusal.testimonial)) from None
        except UnknownTestimonialError:
            raise ValidationError(f"Testimonial #{testimonial_id} no longer exists.") from None
        told = await self._tell_author(item, reason)
        note = (
            "The author was told by direct message."
            if told
            else "The author's direct messages are closed: they were not told."
        )
        await self._update_card(
            item, decided_status(item, interaction.user.display_name, f"Reason: {reason}. {note}")
        )
        await interaction.followup.send(f"Rejected testimonial #{item.id}. {note}", ephemeral=True)

    async def _tell_author(self, item: Testimonial, reason: str) -> bool:
        """Send the author the moderators' reason; False when their DMs are closed."""
        text = (
            f"Your testimonial #{item.id} for the campaign **{inert(item.campaign_name)}** "
            f"was not accepted.\nThe moderators' reason: {quote_input(reason, 500)}\n"
            "Nothing of it will be published or exported. "
            "You can submit a new one with `/testimonial submit`."
        )
        try:
            user = self.bot.get_user(item.author_id) or await self.bot.fetch_user(item.author_id)
            await user.send(text)
        except discord.HTTPException as problem:
            log.info("cannot DM author of testimonial %s: %s", item.id, problem)
            return False
        return True

    async def _update_card(self, item: Testimonial, status: str | None, *, withdrawn: bool = False) -> None:
        """Show the decision on the moderation card and remove its buttons (or blank a withdrawn one)."""
        if item.moderation_channel_id is None or item.moderation_message_id is None:
            return
        channel = self.bot.get_partial_messageable(item.moderation_channel_id, guild_id=item.guild_id)
        message = channel.get_partial_message(item.moderation_message_id)
        try:
            if withdrawn:
                await message.edit(
                    content=f"Testimonial #{item.id} was withdrawn by its author and deleted.",
                    embeds=[], attachments=[], view=None,
                )  # fmt: skip
            else:
                await message.edit(embed=moderation_embed(item, status=status), view=None)
        except discord.HTTPException as problem:
            log.info("cannot update moderation card of testimonial %s: %s", item.id, problem)

    # --- withdrawal -----------------------------------------------------------------

    async def withdraw(self, testimonial_id: int, author_id: int) -> list[str]:
        """Delete the author's item, unused media and its messages; return notes for the author."""
        async with self.store.lock:
            removal = await self.repo.withdraw(testimonial_id, author_id=author_id)
            await self._delete_files(removal)
        return await self._retract(removal.testimonial)

    async def remove(self, testimonial_id: int) -> None:
        """Delete an item that never reached the moderators, with its unused photo."""
        async with self.store.lock:
            removal = await self.repo.remove(testimonial_id)
            await self._delete_files(removal)

    async def erase_member(self, user_id: int, *, guild_id: int | None = None) -> int:
        """Delete every testimonial of a member (in one server, or all), with photos and messages."""
        async with self.store.lock:
            removals = await self.repo.remove_all_by_author(user_id, guild_id=guild_id)
            for removal in removals:
                await self._delete_files(removal)
        for removal in removals:
            await self._retract(removal.testimonial)
        return len(removals)

    async def _delete_files(self, removal: Removal) -> None:
        """Delete the media files the removal left unused."""
        for media in removal.orphaned_media:
            await asyncio.to_thread(self.store.delete, media.relpath)

    async def _retract(self, item: Testimonial) -> list[str]:
        """Delete the showcase post and blank the moderation card of a removed item."""
        notes = []
        if item.showcase_channel_id is not None and item.showcase_message_id is not None:
            channel = self.bot.get_partial_messageable(item.showcase_channel_id, guild_id=item.guild_id)
            if await _delete_quietly(channel.get_partial_message(item.showcase_message_id)):
                notes.append("Its showcase post was deleted.")
            else:
                notes.append("I could not delete its showcase post; please ask a moderator.")
        await self._update_card(item, None, withdrawn=True)
        return notes


async def _delete_quietly(message: discord.Message | discord.PartialMessage) -> bool:
    """Delete a message; True if it is gone (also when it was already gone)."""
    try:
        await message.delete()
    except discord.NotFound:
        return True
    except discord.HTTPException as problem:
        log.info("cannot delete message %s: %s", message.id, problem)
        return False
    return True


def _already(item: Testimonial) -> str:
    """Say who already decided on an item, and when."""
    when = discord_timestamp(item.decided_at, "R") if item.decided_at else "earlier"
    return f"Testimonial #{item.id} was already {item.status} by <@{item.decided_by}> {when}."
