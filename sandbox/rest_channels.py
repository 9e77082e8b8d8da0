"""API routes for channels, messages, threads, thread members, reactions and DM channels."""

from __future__ import annotations

from typing import Any

import sandbox.lookups as lookups
import sandbox.perms as perms

from .http_base import ApiError, UploadedFile, invalid_form, unknown
from .routing import Call, Host, Router
from .state import (
    CATEGORY,
    DM,
    FORUM,
    NEWS,
    NEWS_THREAD,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    Channel,
    Message,
    User,
)

ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)


def register(router: Router) -> None:
    """Add the channel routes to the table."""
    r = router.add
    r("GET", "/channels/{channel_id}")(get_channel)
    r("PATCH", "/channels/{channel_id}")(edit_channel)
    r("DELETE", "/channels/{channel_id}")(delete_channel)
    r("GET", "/channels/{channel_id}/messages")(list_messages)
    r("POST", "/channels/{channel_id}/messages")(send_message)
    r("GET", "/channels/{channel_id}/messages/{message_id}")(get_message)
    r("PATCH", "/channels/{channel_id}/messages/{message_id}")(edit_message)
    r("DELETE", "/channels/{channel_id}/messages/{message_id}")(delete_message)
    r("POST", "/channels/{channel_id}/typing")(typing)
    for method in ("PUT", "DELETE"):
        r(method, "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me")(bot_reaction)
        r(method, "/channels/{channel_id}/pins/{message_id}")(pin)
        r(method, "/channels/{channel_id}/messages/pins/{message_id}")(pin)
    r("POST", "/channels/{channel_id}/threads")(start_thread)
    r("POST", "/channels/{channel_id}/messages/{message_id}/threads")(start_thread_from_message)
    r("GET", "/channels/{channel_id}/threads/archived/public")(archived_threads)
    r("GET", "/channels/{channel_id}/thread-members")(list_thread_members)
    for who in ("@me", "{user_id}"):
        r("PUT", "/channels/{channel_id}/thread-members/" + who)(join_thread)
        r("DELETE", "/channels/{channel_id}/thread-members/" + who)(leave_thread)
    r("POST", "/users/@me/channels")(open_dm)
    r("PUT", "/channels/{channel_id}/permissions/{target_id}")(set_overwrite)
    r("DELETE", "/channels/{channel_id}/permissions/{target_id}")(delete_overwrite)


async def get_channel(call: Call) -> Any:
    """Return a channel the bot can see."""
    ch = lookups.channel(call)
    lookups.require_in(call.emu.world.guild_of(ch), ch)
    return call.emu.payloads.channel(ch)


async def edit_channel(call: Call) -> Any:
    """Edit a channel or thread (name, topic, archived, locked, tags, ...)."""
    emu = call.emu
    ch = lookups.channel(call)
    guild = emu.world.guild_of(ch)
    body = call.json_body()
    if ch.is_thread:
        if ch.owner_id != emu.world.bot_user.id or {"locked", "invitable"} & body.keys():
            lookups.require_in(guild, ch, perms.MANAGE_THREADS)
        else:
            lookups.require_in(guild, ch)
        if "applied_tags" in body:
            ch.applied_tags = _checked_tags(emu, ch, body["applied_tags"])
        for key in ("archived", "locked", "invitable"):
            if key in body:
                setattr(ch, key, bool(body[key]))
        if "archived" in body:
            ch.archive_timestamp = emu.world.now()
        if "auto_archive_duration" in body:
            ch.auto_archive_duration = _duration(body["auto_archive_duration"])
    else:
        lookups.require_in(guild, ch, perms.MANAGE_CHANNELS)
        if "available_tags" in body:
            ch.available_tags = [_tag(emu, t) for t in body["available_tags"] or []]
        for key in ("topic", "position", "nsfw", "rate_limit_per_user", "permission_overwrites"):
            if key in body:
                setattr(ch, key, body[key] if body[key] is not None else getattr(ch, key))
        if "parent_id" in body:
            ch.parent_id = int(body["parent_id"]) if body["parent_id"] else None
    if body.get("name"):
        ch.name = body["name"]
    emu.world.notify()
    emu.world.events.channel_updated(ch)
    return emu.payloads.channel(ch)


def _tag(emu: Host, tag: dict[str, Any]) -> dict[str, Any]:
    """Return a forum tag from a request, giving new tags an id."""
    out = emu.world.new_tag(tag["name"], moderated=bool(tag.get("moderated", False)))
    if tag.get("id"):
        out["id"] = str(tag["id"])
    out["emoji_id"] = tag.get("emoji_id")
    out["emoji_name"] = tag.get("emoji_name")
    return out


def _checked_tags(emu: Host, thread: Channel, tags: list[Any]) -> list[int]:
    """Return applied tag ids after checking they exist in the parent forum (at most 5)."""
    parent = emu.world.channels.get(thread.parent_id or 0)
    known = {int(t["id"]) for t in parent.available_tags} if parent else set()
    ids = [int(t) for t in tags or []]
    if len(ids) > 5:
        raise invalid_form(["applied_tags: Must be 5 or fewer in length."])
    if any(t not in known for t in ids):
        raise invalid_form(["applied_tags: tag is not available in the parent forum"])
    return ids


def _duration(value: Any) -> int:
    """Return a valid auto_archive_duration or fail."""
    if int(value) not in ARCHIVE_DURATIONS:
        raise invalid_form([f"auto_archive_duration: Value must be one of {ARCHIVE_DURATIONS}."])
    return int(value)


async def delete_channel(call: Call) -> Any:
    """Delete a channel or thread."""
    emu = call.emu
    ch = lookups.channel(call)
    guild = emu.world.guild_of(ch)
    if ch.type == DM:
        return emu.payloads.channel(ch)
    lookups.require_in(guild, ch, perms.MANAGE_THREADS if ch.is_thread else perms.MANAGE_CHANNELS)
    data = emu.payloads.channel(ch)
    emu.world.channels.pop(ch.id, None)
    if guild is not None:
        guild.channels.pop(ch.id, None)
    emu.world.notify()
    emu.world.events.channel_deleted(ch)
    return data


async def list_messages(call: Call) -> Any:
    """Return up to `limit` messages, newest first, with before/after/around (none without history)."""
    ch = lookups.channel(call)
    if not lookups.require_in(call.emu.world.guild_of(ch), ch) & perms.READ_MESSAGE_HISTORY:
        return []
    msgs = call.emu.world.visible_messages(ch.id)
    limit = min(int(call.query.get("limit", 50)), 100)
    if "before" in call.query:
        msgs = [m for m in msgs if m.id < int(call.query["before"])]
    if "after" in call.query:
        msgs = [m for m in msgs if m.id > int(call.query["after"])][:limit]
    if "around" in call.query:
        pivot = int(call.query["around"])
        older = [m for m in msgs if m.id <= pivot][-(limit // 2 + 1) :]
        newer = [m for m in msgs if m.id > pivot][: limit - len(older)]
        msgs = older + newer
    return [call.emu.payloads.message(m) for m in reversed(msgs[-limit:])]


async def send_message(call: Call) -> Any:
    """Post a message as the bot, where it may (with the channel's overwrites)."""
    emu = call.emu
    ch = lookups.channel(call)
    guild = emu.world.guild_of(ch)
    lookups.require_in(guild, ch)
    emu.messages.check_can_send(ch)
    have = lookups.require_in(guild, ch, _send_permission(ch))
    body = call.json_body()
    lookups.require_for_body(have, body, call.files)
    msg = emu.messages.create(ch, emu.world.bot_user, body, call.files)
    return emu.payloads.message(msg)


def _send_permission(ch: Channel) -> int:
    """Return the permission that lets the bot post in a channel or thread."""
    return perms.SEND_MESSAGES_IN_THREADS if ch.is_thread else perms.SEND_MESSAGES


async def get_message(call: Call) -> Any:
    """Return one message."""
    ch = lookups.channel(call)
    lookups.require_in(call.emu.world.guild_of(ch), ch, perms.READ_MESSAGE_HISTORY)
    return call.emu.payloads.message(lookups.message(call, ch))


async def edit_message(call: Call) -> Any:
    """Edit one of the bot's messages (others' messages: only their flags, like Discord)."""
    emu = call.emu
    ch = lookups.channel(call)
    have = lookups.require_in(emu.world.guild_of(ch), ch)
    msg = lookups.message(call, ch)
    body = call.json_body()
    if msg.author.id != emu.world.bot_user.id:
        if set(body) - {"flags"}:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        lookups.require_in(emu.world.guild_of(ch), ch, perms.MANAGE_MESSAGES)
    lookups.require_for_body(have, body, call.files)
    return emu.payloads.message(emu.messages.edit(msg, body, call.files))


async def delete_message(call: Call) -> Any:
    """Delete a message (someone else's needs Manage Messages)."""
    emu = call.emu
    ch = lookups.channel(call)
    guild = emu.world.guild_of(ch)
    lookups.require_in(guild, ch)
    msg = lookups.message(call, ch)
    if msg.author.id != emu.world.bot_user.id:
        lookups.require_in(guild, ch, perms.MANAGE_MESSAGES)
    emu.messages.delete(msg)
    return None


async def typing(call: Call) -> Any:
    """Accept a typing indicator where the bot may post."""
    ch = lookups.channel(call)
    lookups.require_in(call.emu.world.guild_of(ch), ch, _send_permission(ch))
    return None


async def bot_reaction(call: Call) -> Any:
    """Add (PUT) or remove (DELETE) the bot's reaction to a message (a new emoji needs Add Reactions)."""
    ch = lookups.channel(call)
    guild = call.emu.world.guild_of(ch)
    lookups.require_in(guild, ch, perms.READ_MESSAGE_HISTORY)
    msg = lookups.message(call, ch)
    if call.method == "PUT" and not msg.reactions.get(call.params["emoji"]):
        lookups.require_in(guild, ch, perms.READ_MESSAGE_HISTORY | perms.ADD_REACTIONS)
    reacted = msg.reactions.setdefault(call.params["emoji"], set())
    if call.method == "PUT":
        reacted.add(call.emu.world.bot_user.id)
    else:
        reacted.discard(call.emu.world.bot_user.id)
    call.emu.world.notify()
    return None


async def pin(call: Call) -> Any:
    """Pin (PUT) or unpin (DELETE) a message."""
    ch = lookups.channel(call)
    lookups.require_in(call.emu.world.guild_of(ch), ch, perms.MANAGE_MESSAGES, perms.PIN_MESSAGES)
    msg = lookups.message(call, ch)
    msg.pinned = call.method == "PUT"
    call.emu.world.notify()
    return None


def create_thread(
    emu: Host,
    parent: Channel,
    name: str,
    owner: User,
    *,
    kind: int = PUBLIC_THREAD,
    thread_id: int | None = None,
    applied_tags: list[Any] | None = None,
    auto_archive_duration: int = 4320,
) -> Channel:
    """Create a thread under a channel (or a forum post's thread) and dispatch THREAD_CREATE."""
    guild = emu.world.guild_of(parent)
    if guild is None:
        raise unknown("channel")
    ch = Channel(thread_id or emu.world.ids.next(), kind, name, parent_id=parent.id, owner_id=owner.id)
    ch.auto_archive_duration = _duration(auto_archive_duration)
    ch.member_ids.add(owner.id)
    if applied_tags:
        ch.applied_tags = _checked_tags(emu, ch, applied_tags) if parent.type == FORUM else []
    guild._add_channel(ch)
    emu.world.events.thread_created(ch)
    return ch


def post_in_forum(
    emu: Host,
    forum: Channel,
    author: User,
    body: dict[str, Any],
    files: dict[str, UploadedFile],
) -> tuple[Channel, Message]:
    """Create a forum post: a thread whose starter message has the thread's id."""
    if not body.get("name"):
        raise invalid_form(["name: This field is required"])
    message_body = body.get("message")
    if not isinstance(message_body, dict):
        raise invalid_form(["message: This field is required"])
    if not (
        message_body.get("content") or message_body.get("embeds") or message_body.get("components") or files
    ):
        raise ApiError(400, 50006, "Cannot send an empty message")
    thread_id = emu.world.ids.next()
    tags = body.get("applied_tags") or []
    thread = create_thread(
        emu,
        forum,
        body["name"],
        author,
        thread_id=thread_id,
        applied_tags=tags,
        auto_archive_duration=int(body.get("auto_archive_duration") or 4320),
    )
    try:
        starter = emu.messages.create(thread, author, message_body, files, msg_id=thread_id)
    except ApiError:
        emu.world.channels.pop(thread.id, None)
        emu.world.guilds[forum.guild_id or 0].channels.pop(thread.id, None)
        raise
    return thread, starter


async def start_thread(call: Call) -> Any:
    """Start a thread without a message, or a forum post (thread plus starter message)."""
    emu = call.emu
    parent = lookups.channel(call)
    guild = emu.world.guild_of(parent)
    body = call.json_body()
    if parent.type == FORUM:
        have = lookups.require_in(guild, parent, perms.SEND_MESSAGES)
        starter_body = body.get("message")
        lookups.require_for_body(have, starter_body if isinstance(starter_body, dict) else {}, call.files)
        thread, starter = post_in_forum(emu, parent, emu.world.bot_user, body, call.files)
        data = emu.payloads.thread(thread)
        data["message"] = emu.payloads.message(starter)
        data["member"] = emu.payloads.thread_member(thread, emu.world.bot_user.id)
        return (201, data)
    if parent.type in (CATEGORY, DM) or parent.is_thread:
        raise invalid_form(["type: threads can only be started in text and announcement channels"])
    kind = int(body.get("type") or PRIVATE_THREAD)
    if kind not in (PUBLIC_THREAD, PRIVATE_THREAD, NEWS_THREAD):
        raise invalid_form(["type: not a thread type"])
    lookups.require_in(
        guild, parent, perms.CREATE_PRIVATE_THREADS if kind == PRIVATE_THREAD else perms.CREATE_PUBLIC_THREADS
    )
    thread = create_thread(
        emu,
        parent,
        body.get("name") or "thread",
        emu.world.bot_user,
        kind=kind,
        auto_archive_duration=int(body.get("auto_archive_duration") or 4320),
    )
    if "invitable" in body:
        thread.invitable = bool(body["invitable"])
    return (201, emu.payloads.thread(thread))


async def start_thread_from_message(call: Call) -> Any:
    """Start a public thread on a message (the thread takes the message's id)."""
    emu = call.emu
    parent = lookups.channel(call)
    lookups.require_in(emu.world.guild_of(parent), parent, perms.CREATE_PUBLIC_THREADS)
    msg = lookups.message(call, parent)
    if msg.thread_id is not None:
        raise ApiError(400, 160004, "A thread has already been created for this message")
    body = call.json_body()
    kind = NEWS_THREAD if parent.type == NEWS else PUBLIC_THREAD
    thread = create_thread(
        emu,
        parent,
        body.get("name") or "thread",
        emu.world.bot_user,
        kind=kind,
        thread_id=msg.id,
        auto_archive_duration=int(body.get("auto_archive_duration") or 4320),
    )
    msg.thread_id = thread.id
    emu.world.events.message_updated(msg)
    return (201, emu.payloads.thread(thread))


async def archived_threads(call: Call) -> Any:
    """Return the archived public threads of a channel."""
    parent = lookups.channel(call)
    lookups.require_in(call.emu.world.guild_of(parent), parent, perms.READ_MESSAGE_HISTORY)
    threads = [
        c for c in call.emu.world.channels.values() if c.parent_id == parent.id and c.is_thread and c.archived
    ]
    return {"threads": [call.emu.payloads.thread(t) for t in threads], "members": [], "has_more": False}


def _thread(call: Call) -> Channel:
    """Return the thread of a thread-member route (one the bot can see)."""
    ch = lookups.channel(call)
    if not ch.is_thread:
        raise invalid_form(["channel_id: not a thread"])
    lookups.require_in(call.emu.world.guild_of(ch), ch)
    return ch


async def list_thread_members(call: Call) -> Any:
    """Return the members of a thread."""
    ch = _thread(call)
    return [call.emu.payloads.thread_member(ch, uid) for uid in sorted(ch.member_ids)]


async def join_thread(call: Call) -> Any:
    """Add the bot (or another user, which needs sending in the thread) to a thread."""
    ch = _thread(call)
    uid = call.emu.world.bot_user.id if "user_id" not in call.params else call.int_param("user_id")
    guild = call.emu.world.guild_of(ch)
    if guild is None or uid not in guild.members:
        raise unknown("member")
    if uid != call.emu.world.bot_user.id:
        lookups.require_in(guild, ch, perms.SEND_MESSAGES_IN_THREADS)
    if ch.archived:
        raise ApiError(400, 50083, "Operation cannot be performed on an archived thread")
    ch.member_ids.add(uid)
    call.emu.world.notify()
    return None


async def leave_thread(call: Call) -> Any:
    """Remove the bot (or another user: Manage Threads, or owning the private thread) from a thread."""
    ch = _thread(call)
    bot_id = call.emu.world.bot_user.id
    uid = bot_id if "user_id" not in call.params else call.int_param("user_id")
    if uid != bot_id and not (ch.type == PRIVATE_THREAD and ch.owner_id == bot_id):
        lookups.require_in(call.emu.world.guild_of(ch), ch, perms.MANAGE_THREADS)
    ch.member_ids.discard(uid)
    call.emu.world.notify()
    return None


async def open_dm(call: Call) -> Any:
    """Open (or return) the bot's DM channel with a user."""
    body = call.json_body()
    user = call.emu.world.users.get(int(body.get("recipient_id") or 0))
    if user is None:
        raise unknown("user")
    return call.emu.payloads.channel(call.emu.world.dm_channel(user))


async def set_overwrite(call: Call) -> Any:
    """Set a role's or member's permission overwrite on a channel."""
    ch = lookups.channel(call)
    lookups.require_in(call.emu.world.guild_of(ch), ch, perms.MANAGE_ROLES)
    body = call.json_body()
    target = call.params["target_id"]
    overwrite = {
        "id": target,
        "type": int(body.get("type", 0)),
        "allow": str(body.get("allow") or 0),
        "deny": str(body.get("deny") or 0),
    }
    ch.permission_overwrites = [o for o in ch.permission_overwrites if str(o["id"]) != target] + [overwrite]
    call.emu.world.notify()
    call.emu.world.events.channel_updated(ch)
    return None


async def delete_overwrite(call: Call) -> Any:
    """Remove a permission overwrite from a channel."""
    ch = lookups.channel(call)
    lookups.require_in(call.emu.world.guild_of(ch), ch, perms.MANAGE_ROLES)
    target = call.params["target_id"]
    ch.permission_overwrites = [o for o in ch.permission_overwrites if str(o["id"]) != target]
    call.emu.world.notify()
    call.emu.world.events.channel_updated(ch)
    return None
