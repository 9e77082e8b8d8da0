"""Forums several capabilities post in: the configured forum, its tags, opening and re-tagging posts."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable, Container, Iterable, Sequence
from typing import Any, Literal

import discord

from bot.discord_steps import refused_as
from bot.errors import ValidationError
from bot.i18n import N_, Msg
from bot.themes import find_tag_name

log = logging.getLogger(__name__)

# Discord's longest inactivity before a thread archives itself (7 days).
MAX_ARCHIVE_MINUTES: Literal[10080] = 10080
# One lock per forum id while anyone uses it: an edit replaces the whole tag list, so two callers must
# not both read the old list and each write their own (the second would drop the first's new tags).
_TAG_LOCKS: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()


def configured_forum(
    guild: discord.Guild, forum_id: int | None, *, unset: Msg, gone: Msg
) -> discord.ForumChannel:
    """Return the forum a server setting names; raise `unset` if none is set, `gone` if it is no forum."""
    if forum_id is None:
        raise ValidationError(unset)
    forum = guild.get_channel(forum_id)
    if not isinstance(forum, discord.ForumChannel):
        raise ValidationError(gone)
    return forum


def forum_tags(forum: discord.ForumChannel, names: Iterable[str]) -> list[discord.ForumTag]:
    """The forum's tags with these names (ignoring case), in order, skipping missing ones."""
    found = []
    for name in names:
        match = find_tag_name([t.name for t in forum.available_tags], name)
        tag = next((t for t in forum.available_tags if t.name == match), None) if match else None
        if tag is not None:
            found.append(tag)
    return found


async def fresh_forum(forum: discord.ForumChannel) -> discord.ForumChannel:
    """The forum as Discord has it now: editing replaces the whole tag list, and the cache may lag behind."""
    fresh = await forum.guild.fetch_channel(forum.id)
    return fresh if isinstance(fresh, discord.ForumChannel) else forum


def tag_lock(forum_id: int) -> asyncio.Lock:
    """The lock of one forum's tag list, made on first use and dropped once nobody holds or awaits it."""
    lock = _TAG_LOCKS.get(forum_id)
    if lock is None:
        lock = _TAG_LOCKS[forum_id] = asyncio.Lock()
    return lock


async def add_tags(
    forum: discord.ForumChannel,
    choose: Callable[[list[str]], list[str]],
    *,
    moderated: Container[str],
    reason: str,
    refusal: Callable[[list[str]], Msg],
) -> discord.ForumChannel:
    """Append the tags `choose` picks from the names the forum has (`moderated` ones only moderators
    apply); return the forum as edited. Forbidden raises `refusal(picked)`.

    Under the forum's lock, the list is read from Discord (the cache may lag) and edited, so concurrent
    callers each start from the previous one's tags; `choose` may raise a ValidationError (no room).
    """
    async with tag_lock(forum.id):
        forum = await fresh_forum(forum)
        names = choose([t.name for t in forum.available_tags])
        if not names:
            return forum
        tags = [*forum.available_tags, *(discord.ForumTag(name=n, moderated=n in moderated) for n in names)]
        try:
            edited = await forum.edit(available_tags=tags, reason=reason)
        except discord.Forbidden:
            message = refusal(names)  # a Msg built by the capability from its own marked text
            raise ValidationError(message) from None
        log.info("forum %s: added tags %s", forum.id, names)
        return edited if isinstance(edited, discord.ForumChannel) else forum


async def open_post(
    forum: discord.ForumChannel,
    *,
    name: str,
    content: str,
    applied_tags: Sequence[discord.ForumTag],
    allowed_mentions: discord.AllowedMentions,
    reason: str,
    **extra: Any,
) -> discord.channel.ThreadWithMessage:
    """Open a post that stays awake longest (`extra`: embed, view); a refusal names the permissions."""
    with refused_as(
        N_(
            "I could not post in {forum} ({error}); I need to view it, send messages and create posts "
            "there. Nothing was recorded."
        ),
        forum=forum.mention,
        log_as=f"guild {forum.guild.id}: cannot post in forum {forum.id}",
    ):
        return await forum.create_thread(
            name=name,
            content=content,
            applied_tags=applied_tags,
            auto_archive_duration=MAX_ARCHIVE_MINUTES,
            allowed_mentions=allowed_mentions,
            reason=reason,
            **extra,
        )


async def retag_post(
    client: discord.Client, thread_id: int, retag: Callable[[list[int]], list[int]], *, reason: str
) -> None:
    """Give a post the tag ids `retag` makes of its current ones, read from Discord (the cache may lag)."""
    data: dict[str, Any] = dict(await client.http.get_channel(thread_id))
    current = [int(t) for t in data.get("applied_tags") or []]
    wanted = retag(current)
    if wanted != current:
        await client.http.edit_channel(thread_id, applied_tags=[str(t) for t in wanted], reason=reason)
