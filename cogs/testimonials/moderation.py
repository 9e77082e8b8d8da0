"""What happens to a testimonial on Discord once stored: queued, decided, published, withdrawn, erased.

Order matters for "never a record pointing at nothing": withdrawal deletes the row first, then
unused files, then the messages that showed the item. This module imports neither the cog nor the
views: the cog hands it the card's buttons (`card_view`) and opens the forms itself.

Languages: moderation cards and showcase posts are in the server's language, a moderator's own
replies in theirs, the DM to an author in the author's. What happened is kept as a Msg and rendered
in each of those languages.
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
from bot.i18n import Lang, Msg
from bot.replies import clip, quote_input, send_ephemeral
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
        card_view: Callable[[int, Lang], discord.ui.View],
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
        t = await self.bot.languages.for_guild(item.guild_id)
        try:
            message = await channel.send(
                embed=moderation_embed(t, item), files=files, view=self.card_view(item.id, t)
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
            raise ValidationError(
                "Testimonial #{id} no longer exists (its author withdrew it).", id=testimonial_id
            )
        if item.status != "pending":
            decided = _already(item)
            raise ValidationError(decided)
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
            decided = _already(refusal.testimonial)
            raise ValidationError(decided) from None
        except UnknownTestimonialError:
            raise ValidationError("Testimonial #{id} no longer exists.", id=testimonial_id) from None
        note = await self._publish(item)
        await self._update_card(
            item, lambda t: decided_status(t, item, interaction.user.display_name, t.render(note))
        )
        t = await self.bot.languages.for_interaction(interaction)
        await interaction.followup.send(
            t._("Approved testimonial #{id}. {note}", id=item.id, note=t.render(note)), ephemeral=True
        )

    async def _publish(self, item: Testimonial) -> Msg:
        """Post the item to the showcase channel (in the server's language) if its consent allows; say
        what happened."""
        if item.consent_scope == "research":
            return Msg("Not published: the author allowed research use only.")
        settings = await self.bot.repos.guild_settings.get(item.guild_id)
        if settings.showcase_channel_id is None:
            return Msg("Not published: this server has no showcase channel (`/setup channels showcase`).")
        channel = self.bot.get_partial_messageable(settings.showcase_channel_id, guild_id=item.guild_id)
        t = await self.bot.languages.for_guild(item.guild_id)
        try:
            message = await channel.send(embed=showcase_embed(t, item), files=self._photo_files(item))
        except (discord.HTTPException, OSError) as problem:
            log.warning("guild %s: cannot publish testimonial %s: %s", item.guild_id, item.id, problem)
            return Msg("Not published: I cannot post in the showcase channel.")
        if not await self.repo.set_showcase_message(item.id, message.channel.id, message.id):
            await _delete_quietly(message)
            return Msg("Not published: the author withdrew it meanwhile.")
        if item.consent_scope == "named":
            return Msg("Published with the author's name in <#{channel}>.", channel=message.channel.id)
        return Msg("Published anonymously in <#{channel}>.", channel=message.channel.id)

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
            t = await self.bot.languages.for_interaction(interaction)
            await send_ephemeral(
                interaction,
                t._(
                    "{problem} Your reason was not recorded: {reason}",
                    problem=t.render(gone.text), reason=quote_input(reason, 300),
                ),
            )  # fmt: skip
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
            decided = _already(refusal.testimonial)
            raise ValidationError(decided) from None
        except UnknownTestimonialError:
            raise ValidationError("Testimonial #{id} no longer exists.", id=testimonial_id) from None
        told = await self._tell_author(item, reason)
        note = (
            Msg("The author was told by direct message.")
            if told
            else Msg("The author's direct messages are closed: they were not told.")
        )
        moderator = interaction.user.display_name
        await self._update_card(
            item,
            lambda t: decided_status(
                t, item, moderator, t._("Reason: {reason}. {note}", reason=reason, note=t.render(note))
            ),
        )
        t = await self.bot.languages.for_interaction(interaction)
        await interaction.followup.send(
            t._("Rejected testimonial #{id}. {note}", id=item.id, note=t.render(note)), ephemeral=True
        )

    async def _tell_author(self, item: Testimonial, reason: str) -> bool:
        """Send the author the moderators' reason, in the author's language; False if their DMs are closed."""
        t = await self.bot.languages.for_member(item.guild_id, item.author_id)
        # The reason is what the moderator typed: it is quoted as it is, never translated.
        text = t._(
            "Your testimonial #{id} for the campaign **{campaign}** was not accepted.\n"
            "The moderators' reason: {reason}\n"
            "Nothing of it will be published or exported. "
            "You can submit a new one with `/testimonial submit`.",
            id=item.id, campaign=inert(item.campaign_name), reason=quote_input(reason, 500),
        )  # fmt: skip
        try:
            user = self.bot.get_user(item.author_id) or await self.bot.fetch_user(item.author_id)
            await user.send(clip(text))
        except discord.HTTPException as problem:
            log.info("cannot DM author of testimonial %s: %s", item.id, problem)
            return False
        return True

    async def _update_card(
        self, item: Testimonial, status: Callable[[Lang], str] | None, *, withdrawn: bool = False
    ) -> None:
        """Show the decision (`status` in the server's language) on the moderation card and remove its
        buttons, or blank a withdrawn card."""
        if item.moderation_channel_id is None or item.moderation_message_id is None:
            return
        channel = self.bot.get_partial_messageable(item.moderation_channel_id, guild_id=item.guild_id)
        message = channel.get_partial_message(item.moderation_message_id)
        t = await self.bot.languages.for_guild(item.guild_id)
        try:
            if withdrawn:
                await message.edit(
                    content=t._("Testimonial #{id} was withdrawn by its author and deleted.", id=item.id),
                    embeds=[], attachments=[], view=None,
                )  # fmt: skip
            else:
                shown = None if status is None else status(t)
                await message.edit(embed=moderation_embed(t, item, status=shown), view=None)
        except discord.HTTPException as problem:
            log.info("cannot update moderation card of testimonial %s: %s", item.id, problem)

    # --- withdrawal -----------------------------------------------------------------

    async def withdraw(self, testimonial_id: int, author_id: int) -> list[Msg]:
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
        t = await self.bot.languages.for_guild(item.guild_id)
        status = t._("Rejected. Its photo was deleted when the retention period for rejected photos ended.")
        try:
            await channel.get_partial_message(item.moderation_message_id).edit(
                embed=moderation_embed(t, item, status=status), attachments=[], view=None
            )
        except discord.HTTPException as problem:
            log.info("cannot update moderation card of testimonial %s: %s", item.id, problem)

    async def _delete_files(self, removal: Removal) -> None:
        """Delete the media files the removal left unused."""
        for media in removal.orphaned_media:
            await asyncio.to_thread(self.store.delete, media.relpath)

    async def _retract(self, item: Testimonial) -> list[Msg]:
        """Delete the showcase post and blank the moderation card of a removed item; notes for the author."""
        notes: list[Msg] = []
        if item.showcase_channel_id is not None and item.showcase_message_id is not None:
            channel = self.bot.get_partial_messageable(item.showcase_channel_id, guild_id=item.guild_id)
            if await _delete_quietly(channel.get_partial_message(item.showcase_message_id)):
                notes.append(Msg("Its showcase post was deleted."))
            else:
                notes.append(Msg("I could not delete its showcase post; please ask a moderator."))
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


def _already(item: Testimonial) -> Msg:
    """Say who already decided on an item, and when."""
    # A decided item always has decided_at (a CHECK of the table); now is only a fallback for types.
    when = discord_timestamp(item.decided_at or datetime.now(UTC), "R")
    if item.status == "approved":
        return Msg(
            "Testimonial #{id} was already approved by <@{moderator}> {when}.",
            id=item.id, moderator=item.decided_by, when=when,
        )  # fmt: skip
    return Msg(
        "Testimonial #{id} was already rejected by <@{moderator}> {when}.",
        id=item.id, moderator=item.decided_by, when=when,
    )  # fmt: skip
