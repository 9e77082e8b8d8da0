"""The proposals forum: finding it, giving it the theme and status tags, keeping one status tag per post."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.discord_steps import create_then_record
from bot.errors import ValidationError
from bot.forums import add_tags, configured_forum, forum_tags, open_post, retag_post
from bot.i18n import Msg
from bot.themes import MAX_FORUM_TAGS, THEMES, theme_by_key
from cogs.proposals.render import change_note, post_content, post_embed
from cogs.proposals.rules import STATUS_TAGS, applied_tags, missing_tags, status_tag_names
from cogs.proposals.views import support_view
from storage.guild_settings import GuildSettings
from storage.proposal_records import Change, Proposal

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

# Only moderators (and the bot) may apply these on Discord's side.
MODERATED = frozenset(status_tag_names())


def proposals_forum(guild: discord.Guild, settings: GuildSettings) -> discord.ForumChannel:
    """Return the configured proposals forum, or explain how to configure one."""
    return configured_forum(
        guild,
        settings.proposals_forum_id,
        unset=Msg(
            "This server has no proposals forum yet: an administrator can choose one with "
            "`/setup channels proposals_forum:`."
        ),
        gone=Msg(
            "The configured proposals forum (<#{forum}>) no longer exists or is not a forum: an "
            "administrator can choose one with `/setup channels proposals_forum:`.",
            forum=settings.proposals_forum_id,
        ),
    )


async def ensure_tags(forum: discord.ForumChannel, theme: str) -> discord.ForumChannel:
    """Add the status tags and the post's theme tag (and other themes while room is left) if missing."""
    needed = [*status_tag_names(), theme_by_key(theme).tag]
    if not missing_tags([t.name for t in forum.available_tags], needed):
        return forum
    # add_tags reads Discord's list and edits it under the forum's lock, so two first submits on a fresh
    # forum do not overwrite each other's new tags.
    return await add_tags(
        forum,
        lambda existing: _tags_to_add(existing, needed),
        moderated=MODERATED,
        reason="climabot: proposal themes and statuses",
        refusal=lambda new: Msg(
            "I cannot add tags to {forum}: I need the Manage Channels permission there.", forum=forum.mention
        ),
    )


def _tags_to_add(existing: list[str], needed: list[str]) -> list[str]:
    """The missing needed tags, then other themes while room is left; refuse when the needed do not fit."""
    new = missing_tags(existing, needed)
    if not new:
        return []
    extra = missing_tags([*existing, *new], [t.tag for t in THEMES])
    new += extra[: max(0, MAX_FORUM_TAGS - len(existing) - len(new))]
    if len(existing) + len(new) > MAX_FORUM_TAGS:
        raise ValidationError(
            "The proposals forum already has {count} tags (Discord allows {limit}); a moderator must remove "
            "some so I can add {tags}.",
            count=len(existing),
            limit=MAX_FORUM_TAGS,
            tags=", ".join(new),
        )
    return new


async def set_status_tag(bot: ClimaBot, forum_id: int, thread_id: int, theme: str, status: str) -> None:
    """Keep exactly one status tag on a post (its theme and other tags stay)."""
    guild_forum = bot.get_channel(forum_id)
    if not isinstance(guild_forum, discord.ForumChannel):
        log.info("proposals forum %s is gone; post %s keeps its tags", forum_id, thread_id)
        return
    forum = await ensure_tags(guild_forum, theme)
    names = {t.id: t.name for t in forum.available_tags}

    def retag(current: list[int]) -> list[int]:
        """The post's tags with this status as its one status tag."""
        return [
            t.id for t in forum_tags(forum, applied_tags(current, names, theme_by_key(theme).tag, status))
        ]

    await retag_post(bot, thread_id, retag, reason="climabot: proposal status")


async def post_proposal(bot: ClimaBot, forum: discord.ForumChannel, proposal: Proposal) -> Proposal:
    """Open the forum post (theme and Open tags, Support button) and record where it is."""
    public = await bot.languages.for_guild(proposal.guild_id)

    async def create() -> discord.channel.ThreadWithMessage:
        """Create the post; a refusal becomes a clear error."""
        # Resolve the tag ids now, from the newest list known (another submit may have edited it).
        cached = bot.get_channel(forum.id)
        newest = cached if isinstance(cached, discord.ForumChannel) else forum
        wanted = [theme_by_key(proposal.theme).tag, STATUS_TAGS["open"]]
        tags = forum_tags(newest, wanted)
        if len(tags) < len(wanted):
            tags = forum_tags(forum, wanted)
        return await open_post(
            forum,
            name=proposal.title,
            content=post_content(public, proposal),
            embed=post_embed(public, proposal),
            view=support_view(proposal.id, public, is_open=True),
            applied_tags=tags,
            allowed_mentions=discord.AllowedMentions.none(),
            reason=f"climabot: proposal {proposal.id}",
        )

    return await create_then_record(
        create,
        lambda made: bot.repos.proposals.set_post(proposal.id, forum.id, made.thread.id, made.message.id),
        lambda made: made.thread.delete(reason="climabot: the proposal could not be recorded"),
        what=f"the post of proposal {proposal.id}",
    )


async def note_in_thread(bot: ClimaBot, change: Change) -> None:
    """Post a change in the proposal's thread (server's language) and keep one status tag on the post."""
    proposal = change.proposal
    if proposal.thread_id is None:
        return
    public = await bot.languages.for_guild(proposal.guild_id)
    try:
        await bot.get_partial_messageable(proposal.thread_id).send(
            change_note(public, change), allowed_mentions=discord.AllowedMentions.none()
        )
        if proposal.forum_id is not None:
            await set_status_tag(bot, proposal.forum_id, proposal.thread_id, proposal.theme, proposal.status)
    except discord.HTTPException as exc:
        # A deleted post leaves the proposal readable in /proposal show and the export.
        log.info("proposal %s: thread not updated (%s)", proposal.id, exc.status)


async def delete_post(bot: ClimaBot, thread_id: int | None) -> None:
    """Delete a proposal's forum post (its author erased it); a post already gone is fine."""
    if thread_id is None:
        return
    try:
        await bot.http.delete_channel(thread_id, reason="climabot: the author erased the proposal")
    except discord.NotFound:
        pass
    except discord.HTTPException as exc:
        log.warning("thread %s of an erased proposal not deleted (%s)", thread_id, exc.status)
