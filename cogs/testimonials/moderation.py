"""What happens to a testimonial on Discord once stored: queued, decided, published, withdrawn, erased.

Order matters for "never a record pointing at nothing": withdrawal deletes the row first, then
unused files, then the messages that showed the item. This module imports neither the cog nor the
views: the cog hands it the card's buttons (`card_view`) and opens the forms itself.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import ValidationError
from bot.guards import require_moderator
from bot.replies import quote_input, send_ephemeral
from bot.timestamps import discord_timestamp
from cogs.testimonials.media import CleanImage, MediaStore
from cogs.testimonials.render import decided_status, inert, moderation_embed, photo_filename, showcase_embed
from cogs.testimonials.rules import check_reason
from storage.testimonials import (
    AlreadyDecidedError,
    Removal,
    Testimonial,
    TestimonialsRepository,
    UnknownTestimonialError,
)

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)


class Moderation:
    """Moderation, publication, withdrawal and erasure of stored testimonials."""

    def __init__(
        self,
        bot: ClimaBot,
        repo: TestimonialsRepository,
        store: MediaStore,
        card_view: Callable[[int], discord.ui.View],
    ) -> None:
        """Use the bot's connection, the repository, the media folder and the card's buttons."""
        self.bot = bot
        self.repo = repo
        self.store = store
        self.card_view = card_view

    async def queue(self, item: Testimonial, image: CleanImage | None) -> bool:
        """Post the moderation card; False if the moderation channel cannot be used."""
        settings = await self.bot.repos.guild_settings.get(item.guild_id)
        if settings.moderation_channel_id is None:
            return False
        channel = self.bot.get_partial_messageable(settings.moderation_channel_id, guild_id=item.guild_id)
        files = [] if image is None else [discord.File(io.BytesIO(image.data), filename=photo_filename(item))]
        try:
            message = await channel.send(
                embed=moderation_embed(item), files=files, view=self.card_view(item.id)
            )
        except discord.HTTPException as problem:
            log.warning("guild %s: cannot post to moderation channel: %s", item.guild_id, problem)
            return False
        await self.repo.set_moderation_message(item.id, message.channel.id, message.id)
        return True

    # --- decisions ------------------------------------------------------------------

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
        await require_moderator(interaction)
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

    async def check_rejectable(self, interaction: discord.Interaction[Any], testimonial_id: int) -> None:
        """Refuse anyone but a moderator, and an item that is not pending in this server."""
        await require_moderator(interaction)
        await self._pending(interaction, testimonial_id)

    async def reject(self, interaction: discord.Interaction[Any], testimonial_id: int, reason: str) -> None:
        """Record the rejection with its reason, tell the author by DM, update the card.

        An empty or invisible reason is refused (the form stays, to fix); an item another moderator
        decided meanwhile is only reported, since sending the reason again could not change that.
        """
        await require_moderator(interaction)
        reason = check_reason(reason)
        try:
            await self._pending(interaction, testimonial_id)
        except ValidationError as gone:
            await send_ephemeral(
                interaction, f"{gone} Your reason was not recorded: {quote_input(reason, 300)}"
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
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

    async def drop_rejected_photos(self, retention: timedelta, *, now: datetime | None = None) -> int:
        """Delete the photos of items rejected longer ago than `retention`, files and cards; count them."""
        now = now or datetime.now(UTC)
        async with self.store.lock:
            removals = await self.repo.drop_rejected_photos(decided_before=now - retention, now=now)
            for removal in removals:
                await self._delete_files(removal)
        for removal in removals:
            await self._strip_card_photo(removal.testimonial)
        if removals:
            log.info(
                "deleted the photos of %d testimonial(s) rejected before %s", len(removals), now - retention
            )
        return len(removals)

    async def _strip_card_photo(self, item: Testimonial) -> None:
        """Take the deleted photo off a rejected item's moderation card, saying why."""
        if item.moderation_channel_id is None or item.moderation_message_id is None:
            return
        channel = self.bot.get_partial_messageable(item.moderation_channel_id, guild_id=item.guild_id)
        status = "Rejected. Its photo was deleted when the retention period for rejected photos ended."
        try:
            await channel.get_partial_message(item.moderation_message_id).edit(
                embed=moderation_embed(item, status=status), attachments=[], view=None
            )
        except discord.HTTPException as problem:
            log.info("cannot update moderation card of testimonial %s: %s", item.id, problem)

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
