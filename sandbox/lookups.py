"""Find objects for API handlers, failing with Discord's "Unknown ..." and permission errors."""

from __future__ import annotations

from typing import Any

import sandbox.perms as perms

from .guild import Guild
from .http_base import ApiError, UploadedFile, unknown
from .routing import Call
from .state import PRIVATE_THREAD, Channel, Member, Message, Role


def channel(call: Call, key: str = "channel_id") -> Channel:
    """Return the channel named by a path parameter, or 404 Unknown Channel."""
    ch = call.emu.world.channels.get(call.int_param(key))
    if ch is None:
        raise unknown("channel")
    return ch


def guild(call: Call, key: str = "guild_id") -> Guild:
    """Return the guild named by a path parameter, or 404 Unknown Guild."""
    g = call.emu.world.guilds.get(call.int_param(key))
    if g is None:
        raise unknown("guild")
    return g


def message(call: Call, ch: Channel, key: str = "message_id") -> Message:
    """Return a live message of a channel, or 404 Unknown Message."""
    msg = call.emu.world.messages.get(call.int_param(key))
    if msg is None or msg.deleted or msg.channel_id != ch.id or msg.ephemeral:
        raise unknown("message")
    return msg


def member(call: Call, g: Guild, key: str = "user_id") -> Member:
    """Return a guild member, or 404 Unknown Member."""
    m = g.members.get(call.int_param(key))
    if m is None:
        raise unknown("member")
    return m


def role(call: Call, g: Guild, key: str = "role_id") -> Role:
    """Return a guild role, or 404 Unknown Role."""
    r = g.roles.get(call.int_param(key))
    if r is None:
        raise unknown("role")
    return r


def require_bot(g: Guild | None, *any_of: int) -> None:
    """Fail with 403 50013 Missing Permissions unless the bot holds one of these permissions."""
    if g is None:
        return
    have = g.me.permissions
    if not any(have & p == p for p in any_of):
        raise ApiError(403, 50013, "Missing Permissions")


def require_in(g: Guild | None, ch: Channel, *any_of: int) -> int:
    """Return the bot's permissions in a channel, failing as Discord does where it may not act.

    403 50001 Missing Access when it cannot see the channel (a private thread: unless it is in it or
    manages threads); 403 50013 Missing Permissions unless it holds one of `any_of` there (computed with
    the channel's overwrites). A DM channel has no guild and no overwrites: everything is allowed.
    """
    if g is None:
        return perms.ALL
    me = g.me
    have = g.permissions_in(me, ch)
    hidden = ch.type == PRIVATE_THREAD and me.id not in ch.member_ids and not have & perms.MANAGE_THREADS
    if not have & perms.VIEW_CHANNEL or hidden:
        raise ApiError(403, 50001, "Missing Access")
    if any_of and not any(have & p == p for p in any_of):
        raise ApiError(403, 50013, "Missing Permissions")
    return have


def require_for_body(have: int, body: dict[str, Any], files: dict[str, UploadedFile]) -> None:
    """Fail with 403 50013 when a message body needs what the bot lacks: embeds, files, a reply."""
    needs = 0
    if body.get("embeds") or body.get("embed"):
        needs |= perms.EMBED_LINKS
    if files:
        needs |= perms.ATTACH_FILES
    if body.get("message_reference"):
        needs |= perms.READ_MESSAGE_HISTORY
    if not perms.has(have, needs):
        raise ApiError(403, 50013, "Missing Permissions")


def require_above(g: Guild, r: Role) -> None:
    """Fail with 403 50013 unless the role sits below the bot's highest role (Discord's hierarchy)."""
    top = max((x.position for x in g.me.roles), default=0)
    if r.position >= top:
        raise ApiError(403, 50013, "Missing Permissions")
