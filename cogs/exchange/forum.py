"""The exchange forum: finding it, giving it the theme tags, tagging posts and keeping open ones awake."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.errors import ValidationError
from bot.forums import add_tags, configured_forum, forum_tags, retag_post
from bot.i18n import Msg
from bot.themes import RESOLVED_TAG, TagSpaceError, tags_to_create, with_tag
from cogs.exchange.rules import mention
from storage.guild_settings import GuildSettings

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)


def exchange_forum(guild: discord.Guild, settings: GuildSettings) -> discord.ForumChannel:
    """Return the configured exchange forum, or explain how to configure one."""
    return configured_forum(
        guild,
        settings.exchange_forum_id,
        unset=Msg(
            "This server has no exchange forum yet: an administrator can choose one with "
            "`/setup channels exchange_forum:`."
        ),
        gone=Msg(
            "The configured exchange forum ({forum}) no longer exists or is not a forum: an administrator "
            "can choose one with `/setup channels exchange_forum:`.",
            forum=mention("#", settings.exchange_forum_id or 0),  # raised only when an id is set
        ),
    )


def tag_named(forum: discord.ForumChannel, name: str) -> discord.ForumTag | None:
    """Return the forum's tag with this name, ignoring case."""
    return next(iter(forum_tags(forum, [name])), None)


async def ensure_tags(forum: discord.ForumChannel, needed: list[str]) -> discord.ForumChannel:
    """Add the mission's theme tags and the resolved tag to the forum if missing; return the new forum."""
    try:
        if not _missing([t.name for t in forum.available_tags], needed):
            return forum
    except ValidationError:
        pass  # the cache may be stale (a moderator removed tags): judge on Discord's own list below
    return await add_tags(
        forum,
        lambda existing: _missing(existing, needed),
        moderated={RESOLVED_TAG},
        reason="climabot: the mission's exchange themes",
        refusal=lambda new: Msg(
            "I cannot add the theme tags to {forum}: I need the Manage Channels permission there "
            "(missing tags: {tags}).",
            forum=forum.mention,
            tags=", ".join(new),
        ),
    )


def _missing(existing: list[str], needed: list[str]) -> list[str]:
    """Return the tags to create on a forum with these tags, explaining when the needed ones find no room."""
    try:
        return tags_to_create(existing, needed)
    except TagSpaceError as exc:
        raise ValidationError(exc.text) from None


async def tag_post_resolved(bot: ClimaBot, forum: discord.ForumChannel, thread_id: int) -> None:
    """Add the resolved tag to a post, keeping its theme tag."""
    forum = await ensure_tags(forum, [RESOLVED_TAG])
    tag = tag_named(forum, RESOLVED_TAG)
    if tag is None:
        raise ValidationError("The exchange forum has no resolved tag.")
    await retag_post(
        bot, thread_id, lambda current: with_tag(current, tag.id), reason="climabot: exchange resolved"
    )


async def unarchive(bot: ClimaBot, thread_id: int) -> bool:
    """Wake an archived thread; False if Discord refused."""
    try:
        await bot.http.edit_channel(thread_id, archived=False, reason="climabot: the exchange is still open")
    except discord.HTTPException as exc:
        log.warning("cannot un-archive open exchange thread %s: %s", thread_id, exc)
        return False
    return True


async def wake_archived_posts(bot: ClimaBot, guild: discord.Guild) -> None:
    """Un-archive the archived posts of a server's open exchanges (they archived while the bot was away)."""
    open_threads = await bot.repos.exchanges.open_thread_ids(guild.id)
    if not open_threads:
        return
    settings = await bot.repos.guild_settings.get(guild.id)
    forum = guild.get_channel(settings.exchange_forum_id) if settings.exchange_forum_id else None
    if not isinstance(forum, discord.ForumChannel):
        return
    async for thread in forum.archived_threads(limit=None):
        if thread.id in open_threads and not thread.locked:
            await unarchive(bot, thread.id)
