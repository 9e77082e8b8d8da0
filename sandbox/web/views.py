"""JSON for the page: members, channels, messages as the viewer sees them, events (Discord's own payloads)."""

from __future__ import annotations

import datetime as dt
import json
import re
import zlib
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

import sandbox.perms as perms

from ..state import CATEGORY, DM, FORUM, PRIVATE_THREAD, Channel, Member, Message, ScheduledEvent, User

if TYPE_CHECKING:
    from ..guild import Guild
    from .site import Site

PALETTE = ("#5865f2", "#3ba55c", "#faa61a", "#ed4245", "#eb459e", "#9b59b6", "#1abc9c", "#e67e22")
USER_REF = re.compile(r"<@!?(\d+)>")
ROLE_REF = re.compile(r"<@&(\d+)>")
CHANNEL_REF = re.compile(r"<#(\d+)>")
CDN_PATH = re.compile(r"/attachments/\d+/(\d+)/([^?]*)")


# --- people -----------------------------------------------------------------


def _hex(color: int) -> str | None:
    """Return a role colour as #rrggbb (None for Discord's "no colour", 0)."""
    return f"#{color:06x}" if color else None


def initials(name: str) -> str:
    """Return up to two capital letters for an avatar."""
    words = [w for w in re.split(r"[\s._-]+", name) if w]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def avatar_color(user: User) -> str:
    """Return a stable avatar colour for a person (the bot gets Discord's blurple)."""
    return PALETTE[0] if user.bot else PALETTE[zlib.crc32(str(user.id).encode()) % len(PALETTE)]


def display_name(user: User, member: Member | None) -> str:
    """Return the name Discord shows: server nickname, else global name, else username."""
    return (member.nick if member else None) or user.global_name or user.username


def is_moderator(member: Member) -> bool:
    """Return whether the page should badge a member as a moderator (a heuristic, for display only)."""
    p = member.permissions
    named = any("mod" in r.name.lower() for r in member.roles)
    return named or perms.has(p, perms.MANAGE_GUILD) or perms.has(p, perms.MANAGE_MESSAGES)


def user_json(guild: Guild | None, user: User) -> dict[str, Any]:
    """Return a person (or the bot) as the page shows them, with roles when they are in the server."""
    member = guild.members.get(user.id) if guild is not None else None
    name = display_name(user, member)
    data: dict[str, Any] = {
        "id": str(user.id),
        "username": user.username,
        "display_name": name,
        "nick": member.nick if member else None,
        "avatar_color": avatar_color(user),
        "initials": initials(name),
        "bot": user.bot,
        "locale": user.locale,
        "color": None,
        "roles": [],
        "admin": False,
        "moderator": False,
        "owner": False,
    }
    if member is not None and guild is not None:
        roles = sorted(member.roles, key=lambda r: r.position, reverse=True)
        data["roles"] = [{"id": str(r.id), "name": r.name, "color": _hex(r.color)} for r in roles]
        data["color"] = next((_hex(r.color) for r in roles if r.color), None)
        data["owner"] = user.id == guild.owner_id
        data["admin"] = data["owner"] or perms.has(member.permissions, perms.ADMINISTRATOR)
        data["moderator"] = not user.bot and (data["admin"] or is_moderator(member))
    return data


def members_json(guild: Guild) -> list[dict[str, Any]]:
    """Return the people of the server (not the bot): admins, then moderators, then the rest, by name."""
    people = [user_json(guild, m.user) for m in guild.members.values() if not m.user.bot]
    return sorted(people, key=lambda p: (not p["admin"], not p["moderator"], p["display_name"].lower()))


# --- channels ---------------------------------------------------------------


def channel_json(site: Site, ch: Channel) -> dict[str, Any]:
    """Return a raw Discord channel with the name the page shows for a DM."""
    data = site.emu.payloads.channel(ch)
    if ch.type == DM:
        data["name"] = display_name(site.emu.world.bot_user, None)
    if ch.is_thread:
        owner = site.emu.world.users.get(ch.owner_id or 0)
        data["owner_name"] = display_name(owner, site.guild.members.get(owner.id)) if owner else None
    return data


def channels_json(site: Site, viewer: Member) -> dict[str, Any]:
    """Return the server's categories and channels (threads under their parent) and the viewer's DM."""
    guild = site.guild
    tops = [c for c in guild.channels.values() if not c.is_thread]
    categories = sorted((c for c in tops if c.type == CATEGORY), key=lambda c: c.position)
    cat_pos = {c.id: c.position for c in categories}

    def order(c: Channel) -> tuple[int, int, int]:
        """Sort like Discord: uncategorised first, then by category, then by position."""
        return (cat_pos.get(c.parent_id or 0, -1), c.position, c.id)

    sees_private = perms.has(viewer.permissions, perms.MANAGE_THREADS)
    out = []
    for ch in sorted((c for c in tops if c.type != CATEGORY and site.can_view(viewer, c)), key=order):
        data = channel_json(site, ch)
        threads = [
            t
            for t in guild.threads
            if t.parent_id == ch.id
            and (t.type != PRIVATE_THREAD or sees_private or viewer.id in t.member_ids)
        ]
        threads.sort(key=lambda t: t.last_message_id or t.id, reverse=True)
        data["threads"] = [channel_json(site, t) for t in threads]
        data["unread"] = False
        out.append(data)
    cats = [{"id": str(c.id), "name": c.name, "position": c.position} for c in categories]
    dm = channel_json(site, site.emu.world.dm_channel(viewer.user))
    return {"categories": cats, "channels": out, "dm": dm}


# --- messages ---------------------------------------------------------------


def _ms(iso: str | None) -> int | None:
    """Return epoch milliseconds of an ISO timestamp."""
    if not iso:
        return None
    try:
        return int(dt.datetime.fromisoformat(iso).timestamp() * 1000)
    except ValueError:  # a time the bot wrote oddly: the raw string is still in the payload
        return None


def local_urls(value: Any) -> Any:
    """Return a payload with the emulated CDN's signed URLs replaced by the page's own /api/files URLs."""
    if isinstance(value, dict):
        return {k: local_urls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [local_urls(v) for v in value]
    if isinstance(value, str) and "/attachments/" in value:
        match = CDN_PATH.search(value)
        if match is not None and "?ex=" in value:
            return file_url(int(match.group(1)), unquote(match.group(2)))
    return value


def file_url(file_id: int, filename: str) -> str:
    """Return the page's URL of an uploaded or attached file."""
    return f"/api/files/{file_id}/{quote(filename)}"


def message_json(site: Site, msg: Message) -> dict[str, Any]:
    """Return a raw Discord message with the fields the page needs added (times, flags, who ran it)."""
    data: dict[str, Any] = local_urls(site.emu.payloads.message(msg))
    data["timestamp_ms"] = _ms(data["timestamp"])
    data["edited_timestamp_ms"] = _ms(data["edited_timestamp"])
    data["edited"] = msg.edited
    data["ephemeral"] = msg.ephemeral
    data["loading"] = msg.loading
    it = site.emu.world.interactions.get(msg.interaction_id or 0)
    data["interaction"] = None
    if it is not None:
        name = display_name(it.user, site.guild.members.get(it.user.id))
        what = it.command_name or it.data.get("custom_id")
        data["interaction"] = {"id": str(it.id), "name": what, "user_id": str(it.user.id), "user_name": name}
    return data


def visible_to(site: Site, viewer: Member, channel: Channel) -> list[Message]:
    """Return the channel's messages as the viewer sees them: public ones plus their own ephemerals."""
    world = site.emu.world
    shown = {m.id: m for m in world.visible_messages(channel.id)}
    for it in world.interactions.values():
        if it.user.id != viewer.id:
            continue
        for msg in (it.original, it.source_message, *it.visible):
            if msg is not None and msg.ephemeral and not msg.deleted and msg.channel_id == channel.id:
                shown[msg.id] = msg
    return sorted(shown.values(), key=lambda m: (m.timestamp, m.id))


def lookups(site: Site, payloads: list[dict[str, Any]]) -> dict[str, Any]:
    """Return users, roles and channels referenced by messages, so the page can show their names."""
    world, guild = site.emu.world, site.guild
    text = json.dumps(payloads)
    user_ids = {int(u) for u in USER_REF.findall(text)}
    for p in payloads:
        user_ids.add(int(p["author"]["id"]))
        if p.get("interaction"):
            user_ids.add(int(p["interaction"]["user_id"]))
    users = {str(u): user_json(guild, world.users[u]) for u in sorted(user_ids) if u in world.users}
    roles = {
        str(r): {"id": str(r), "name": guild.roles[r].name, "color": _hex(guild.roles[r].color)}
        for r in sorted({int(x) for x in ROLE_REF.findall(text)})
        if r in guild.roles
    }
    chans = {}
    for c in sorted({int(x) for x in CHANNEL_REF.findall(text)}):
        ch = world.channels.get(c)
        if ch is not None and ch.guild_id == guild.id:
            chans[str(c)] = {"id": str(c), "name": ch.name, "type": ch.type}
    return {"users": users, "roles": roles, "channels": chans}


def messages_json(site: Site, viewer: Member, channel: Channel, limit: int) -> dict[str, Any]:
    """Return the last `limit` messages of a channel as the viewer sees them, with lookup tables."""
    msgs = [message_json(site, m) for m in visible_to(site, viewer, channel)[-limit:]]
    return {"channel": channel_json(site, channel), "messages": msgs, **lookups(site, msgs)}


# --- scheduled events ------------------------------------------------------


def event_json(site: Site, event: ScheduledEvent, viewer: Member) -> dict[str, Any]:
    """Return a raw scheduled event with whether the viewer is interested, and epoch-ms times."""
    data = site.emu.payloads.scheduled_event(event)
    data["interested"] = viewer.id in event.interested_ids
    data["start_ms"] = _ms(event.scheduled_start_time or None)
    data["end_ms"] = _ms(event.scheduled_end_time)
    return data


def events_json(site: Site, viewer: Member) -> list[dict[str, Any]]:
    """Return the server's scheduled events, soonest first."""
    events = [event_json(site, e, viewer) for e in site.guild.events.values()]
    return sorted(events, key=lambda e: (e["start_ms"] or 0, e["id"]))


def is_postable(ch: Channel) -> bool:
    """Return whether a person can type a plain message in this channel (not a forum, category or voice)."""
    return ch.type not in (FORUM, CATEGORY, 2, 13)
