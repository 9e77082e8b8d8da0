"""API routes for guilds: channels, roles, members and scheduled events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sandbox.lookups as lookups
import sandbox.perms as perms

from .http_base import ApiError, invalid_form, unknown
from .routing import Call, Router
from .state import CATEGORY, FORUM, TEXT, Channel, Role, ScheduledEvent

STAGE, VOICE, EXTERNAL = 1, 2, 3
SCHEDULED, ACTIVE, COMPLETED, CANCELED = 1, 2, 3, 4
TRANSITIONS = {SCHEDULED: {SCHEDULED, ACTIVE, CANCELED}, ACTIVE: {ACTIVE, COMPLETED}}


def register(router: Router) -> None:
    """Add the guild routes to the table."""
    r = router.add
    r("GET", "/guilds/{guild_id}")(get_guild)
    r("GET", "/guilds/{guild_id}/channels")(list_channels)
    r("POST", "/guilds/{guild_id}/channels")(create_channel)
    r("GET", "/guilds/{guild_id}/threads/active")(active_threads)
    r("GET", "/guilds/{guild_id}/roles")(list_roles)
    r("POST", "/guilds/{guild_id}/roles")(create_role)
    r("PATCH", "/guilds/{guild_id}/roles/{role_id}")(edit_role)
    r("DELETE", "/guilds/{guild_id}/roles/{role_id}")(delete_role)
    r("GET", "/guilds/{guild_id}/members")(list_members)
    r("GET", "/guilds/{guild_id}/members/search")(search_members)
    r("GET", "/guilds/{guild_id}/members/{user_id}")(get_member)
    r("PATCH", "/guilds/{guild_id}/members/{user_id}")(edit_member)
    r("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")(add_member_role)
    r("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")(remove_member_role)
    r("GET", "/guilds/{guild_id}/scheduled-events")(list_events)
    r("POST", "/guilds/{guild_id}/scheduled-events")(create_event)
    r("GET", "/guilds/{guild_id}/scheduled-events/{event_id}")(get_event)
    r("PATCH", "/guilds/{guild_id}/scheduled-events/{event_id}")(edit_event)
    r("DELETE", "/guilds/{guild_id}/scheduled-events/{event_id}")(delete_event)
    r("GET", "/guilds/{guild_id}/scheduled-events/{event_id}/users")(event_users)


async def get_guild(call: Call) -> Any:
    """Return a guild (with approximate counts when asked)."""
    g = lookups.guild(call)
    data = call.emu.payloads.guild(g)
    if call.flag("with_counts"):
        data.update(approximate_member_count=len(g.members), approximate_presence_count=0)
    return data


async def list_channels(call: Call) -> Any:
    """Return the guild's channels (not threads)."""
    g = lookups.guild(call)
    return [call.emu.payloads.channel(c) for c in g.channels.values() if not c.is_thread]


async def create_channel(call: Call) -> Any:
    """Create a text, category or forum channel."""
    emu = call.emu
    g = lookups.guild(call)
    lookups.require_bot(g, perms.MANAGE_CHANNELS)
    body = call.json_body()
    kind = int(body.get("type") or TEXT)
    if kind not in (TEXT, CATEGORY, FORUM, 2, 5, 13):
        raise invalid_form(["type: channel type not supported"])
    ch = Channel(emu.world.ids.next(), kind, body.get("name"), position=g._next_position())
    ch.topic = body.get("topic")
    ch.nsfw = bool(body.get("nsfw", False))
    ch.parent_id = int(body["parent_id"]) if body.get("parent_id") else None
    ch.permission_overwrites = list(body.get("permission_overwrites") or [])
    ch.available_tags = [emu.world.new_tag(t["name"]) for t in body.get("available_tags") or []]
    g._add_channel(ch)
    emu.world.events.channel_created(ch)
    return (201, emu.payloads.channel(ch))


async def active_threads(call: Call) -> Any:
    """Return the guild's active threads."""
    g = lookups.guild(call)
    threads = [c for c in g.threads if not c.archived]
    return {"threads": [call.emu.payloads.thread(t) for t in threads], "members": []}


async def list_roles(call: Call) -> Any:
    """Return the guild's roles."""
    g = lookups.guild(call)
    return [call.emu.payloads.role(r) for r in g.roles.values()]


async def create_role(call: Call) -> Any:
    """Create a role (placed just above @everyone, below the bot's role)."""
    g = lookups.guild(call)
    lookups.require_bot(g, perms.MANAGE_ROLES)
    body = call.json_body()
    wanted = int(body.get("permissions") or 0)
    if wanted & ~g.me.permissions:
        raise ApiError(403, 50013, "Missing Permissions")
    role = g.add_role(
        body.get("name") or "new role",
        wanted,
        color=int(body.get("color") or 0),
        hoist=bool(body.get("hoist", False)),
        mentionable=bool(body.get("mentionable", False)),
    )
    return call.emu.payloads.role(role)


async def edit_role(call: Call) -> Any:
    """Edit a role below the bot's highest role."""
    g = lookups.guild(call)
    role = lookups.role(call, g)
    lookups.require_bot(g, perms.MANAGE_ROLES)
    lookups.require_above(g, role)
    body = call.json_body()
    for key in ("name", "color", "hoist", "mentionable"):
        if key in body and body[key] is not None:
            setattr(role, key, body[key])
    if body.get("permissions") is not None:
        role.permissions = int(body["permissions"])
    call.emu.world.notify()
    call.emu.world.events.role_updated(role)
    return call.emu.payloads.role(role)


async def delete_role(call: Call) -> Any:
    """Delete a role below the bot's highest role."""
    g = lookups.guild(call)
    role = lookups.role(call, g)
    lookups.require_bot(g, perms.MANAGE_ROLES)
    lookups.require_above(g, role)
    del g.roles[role.id]
    for m in g.members.values():
        if role.id in m.role_ids:
            m.role_ids.remove(role.id)
    call.emu.world.notify()
    call.emu.world.events.role_deleted(role)
    return None


async def list_members(call: Call) -> Any:
    """Return members ordered by id, paginated with limit/after."""
    g = lookups.guild(call)
    after = int(call.query.get("after", 0))
    limit = min(int(call.query.get("limit", 1)), 1000)
    members = sorted((m for m in g.members.values() if m.id > after), key=lambda m: m.id)[:limit]
    return [call.emu.payloads.member(m) for m in members]


async def search_members(call: Call) -> Any:
    """Return members whose username or nickname starts with the query."""
    g = lookups.guild(call)
    query = call.query.get("query", "").lower()
    limit = min(int(call.query.get("limit", 1)), 1000)
    found = [
        m
        for m in g.members.values()
        if m.user.username.lower().startswith(query) or (m.nick or "").startswith(query)
    ]
    return [call.emu.payloads.member(m) for m in found[:limit]]


async def get_member(call: Call) -> Any:
    """Return one member."""
    g = lookups.guild(call)
    return call.emu.payloads.member(lookups.member(call, g))


async def edit_member(call: Call) -> Any:
    """Change a member's nickname or roles."""
    g = lookups.guild(call)
    member = lookups.member(call, g)
    body = call.json_body()
    if "nick" in body:
        member.nick = body["nick"]
    if "roles" in body:
        lookups.require_bot(g, perms.MANAGE_ROLES)
        new = [int(r) for r in body["roles"] or []]
        for rid in set(new) ^ set(member.role_ids):
            if rid not in g.roles:
                raise unknown("role")
            lookups.require_above(g, g.roles[rid])
        member.role_ids = new
    call.emu.world.notify()
    call.emu.world.events.member_updated(member)
    return call.emu.payloads.member(member)


def _member_role(call: Call) -> tuple[Any, Role]:
    """Return the member and role of a member-role route after Discord's permission checks."""
    g = lookups.guild(call)
    member = lookups.member(call, g)
    role = lookups.role(call, g)
    lookups.require_bot(g, perms.MANAGE_ROLES)
    lookups.require_above(g, role)
    return member, role


async def add_member_role(call: Call) -> Any:
    """Give a member a role."""
    member, role = _member_role(call)
    member.guild.give_role(member, role)
    call.emu.world.notify()
    return None


async def remove_member_role(call: Call) -> Any:
    """Take a role from a member."""
    member, role = _member_role(call)
    member.guild.take_role(member, role)
    call.emu.world.notify()
    return None


# --- scheduled events -------------------------------------------------------


def _event(call: Call) -> ScheduledEvent:
    """Return the scheduled event of a route, or 404 Unknown Guild Scheduled Event."""
    g = lookups.guild(call)
    event = g.events.get(call.int_param("event_id"))
    if event is None:
        raise unknown("event")
    return event


def _parse_time(value: Any, field: str) -> dt.datetime:
    """Return an ISO 8601 timestamp as an aware datetime, or fail."""
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise invalid_form([f"{field}: Could not parse {value!r}. Should be ISO8601."]) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _check_event(call: Call, event: ScheduledEvent, *, new_start: bool) -> None:
    """Apply Discord's rules for scheduled events (times, location, channel)."""
    start = _parse_time(event.scheduled_start_time, "scheduled_start_time")
    now = dt.datetime.fromtimestamp(call.emu.world.now(), dt.UTC)
    if new_start and start < now:
        raise invalid_form(["scheduled_start_time: Cannot schedule event in the past."])
    end = event.scheduled_end_time
    if end is not None and _parse_time(end, "scheduled_end_time") <= start:
        raise invalid_form(["scheduled_end_time: Cannot schedule event to end before starting."])
    if event.entity_type == EXTERNAL:
        if not (event.entity_metadata or {}).get("location"):
            raise invalid_form(["entity_metadata.location: This field is required"])
        if event.scheduled_end_time is None:
            raise invalid_form(["scheduled_end_time: This field is required"])
        event.channel_id = None
    elif event.entity_type in (STAGE, VOICE):
        if event.channel_id is None or event.channel_id not in call.emu.world.channels:
            raise invalid_form(["channel_id: This field is required"])
    else:
        raise invalid_form(["entity_type: Value must be one of (1, 2, 3)."])


async def list_events(call: Call) -> Any:
    """Return the guild's scheduled events."""
    g = lookups.guild(call)
    return [call.emu.payloads.scheduled_event(e) for e in g.events.values()]


async def create_event(call: Call) -> Any:
    """Create a scheduled event."""
    emu = call.emu
    g = lookups.guild(call)
    lookups.require_bot(g, perms.MANAGE_EVENTS, perms.CREATE_EVENTS)
    body = call.json_body()
    event = ScheduledEvent(
        emu.world.ids.next(),
        g.id,
        body.get("name") or "",
        body.get("scheduled_start_time") or "",
        int(body.get("entity_type") or 0),
        creator_id=emu.world.bot_user.id,
        scheduled_end_time=body.get("scheduled_end_time"),
        description=body.get("description"),
        channel_id=int(body["channel_id"]) if body.get("channel_id") else None,
        entity_metadata=body.get("entity_metadata"),
        privacy_level=int(body.get("privacy_level") or 2),
        image=body.get("image"),
        recurrence_rule=body.get("recurrence_rule"),
    )
    _check_event(call, event, new_start=True)
    g.events[event.id] = event
    emu.world.notify()
    emu.world.events.scheduled_event("CREATE", event)
    return emu.payloads.scheduled_event(event)


async def get_event(call: Call) -> Any:
    """Return one scheduled event."""
    return call.emu.payloads.scheduled_event(_event(call))


async def edit_event(call: Call) -> Any:
    """Edit a scheduled event, including status changes (start, end, cancel)."""
    emu = call.emu
    event = _event(call)
    lookups.require_bot(emu.world.guilds[event.guild_id], perms.MANAGE_EVENTS, perms.CREATE_EVENTS)
    body = call.json_body()
    before = dict(event.__dict__)
    if "status" in body and int(body["status"]) not in TRANSITIONS.get(event.status, set()):
        raise invalid_form([f"status: Cannot change status from {event.status} to {body['status']}."])
    for key in (
        "name",
        "description",
        "scheduled_start_time",
        "scheduled_end_time",
        "entity_metadata",
        "image",
    ):
        if key in body:
            setattr(event, key, body[key])
    for key in ("entity_type", "status", "privacy_level"):
        if key in body and body[key] is not None:
            setattr(event, key, int(body[key]))
    if "channel_id" in body:
        event.channel_id = int(body["channel_id"]) if body["channel_id"] else None
    try:
        _check_event(call, event, new_start="scheduled_start_time" in body)
    except ApiError:
        event.__dict__.update(before)
        raise
    emu.world.notify()
    emu.world.events.scheduled_event("UPDATE", event)
    return emu.payloads.scheduled_event(event)


async def delete_event(call: Call) -> Any:
    """Delete a scheduled event."""
    emu = call.emu
    event = _event(call)
    lookups.require_bot(emu.world.guilds[event.guild_id], perms.MANAGE_EVENTS, perms.CREATE_EVENTS)
    del emu.world.guilds[event.guild_id].events[event.id]
    emu.world.notify()
    emu.world.events.scheduled_event("DELETE", event)
    return None


async def event_users(call: Call) -> Any:
    """Return the people interested in an event, by ascending id, paginated with before/after."""
    event = _event(call)
    guild = call.emu.world.guilds[event.guild_id]
    ids = sorted(event.interested_ids)
    limit = min(int(call.query.get("limit", 100)), 100)
    if "after" in call.query:
        ids = [i for i in ids if i > int(call.query["after"])][:limit]
    else:
        if "before" in call.query:
            ids = [i for i in ids if i < int(call.query["before"])]
        ids = ids[-limit:]
    out = []
    for uid in ids:
        entry: dict[str, Any] = {
            "guild_scheduled_event_id": str(event.id),
            "user": call.emu.payloads.user(call.emu.world.users[uid]),
        }
        if call.flag("with_member") and uid in guild.members:
            entry["member"] = call.emu.payloads.member(guild.members[uid], with_user=False)
        out.append(entry)
    return out
