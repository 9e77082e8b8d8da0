"""Discord permission bits and how a member's permissions are computed, in the guild and in a channel."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_AUDIT_LOG = 1 << 7
STREAM = 1 << 9
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
SEND_TTS_MESSAGES = 1 << 12
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
USE_VAD = 1 << 25
CHANGE_NICKNAME = 1 << 26
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
REQUEST_TO_SPEAK = 1 << 32
MANAGE_EVENTS = 1 << 33
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
USE_EXTERNAL_STICKERS = 1 << 37
SEND_MESSAGES_IN_THREADS = 1 << 38
USE_EMBEDDED_ACTIVITIES = 1 << 39
CREATE_EVENTS = 1 << 44
SEND_VOICE_MESSAGES = 1 << 46
SEND_POLLS = 1 << 49
USE_EXTERNAL_APPS = 1 << 50
PIN_MESSAGES = 1 << 51

# Every bit Discord has defined so far (0..51); an administrator holds them all.
ALL = (1 << 52) - 1

# What Discord gives @everyone in a newly created server.
DEFAULT_EVERYONE = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | STREAM
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | USE_VAD
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS
    | REQUEST_TO_SPEAK
    | CREATE_PUBLIC_THREADS
    | CREATE_PRIVATE_THREADS
    | USE_EXTERNAL_STICKERS
    | SEND_MESSAGES_IN_THREADS
    | USE_EMBEDDED_ACTIVITIES
    | SEND_VOICE_MESSAGES
    | SEND_POLLS
    | USE_EXTERNAL_APPS
)

# What a typical invite link grants the bot's managed role.
DEFAULT_BOT = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | SEND_MESSAGES_IN_THREADS
    | CREATE_PUBLIC_THREADS
    | MANAGE_THREADS
    | MANAGE_MESSAGES
    | MANAGE_CHANNELS
    | MANAGE_ROLES
    | MANAGE_EVENTS
    | CREATE_EVENTS
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | MENTION_EVERYONE
    | USE_APPLICATION_COMMANDS
)


def effective(everyone: int, role_permissions: list[int], is_owner: bool) -> int:
    """Return guild-level permissions from @everyone plus the member's roles (owner/admin get all)."""
    if is_owner:
        return ALL
    value = everyone
    for perm in role_permissions:
        value |= perm
    if value & ADMINISTRATOR:
        return ALL
    return value


def has(value: int, required: int) -> bool:
    """Return whether a permission value holds every bit of `required`."""
    return value & required == required


# What losing Send Messages (in a thread: Send Messages in Threads) takes away with it.
NEEDS_SENDING = SEND_TTS_MESSAGES | MENTION_EVERYONE | EMBED_LINKS | ATTACH_FILES


def in_channel(
    base: int,
    overwrites: Iterable[Mapping[str, Any]],
    *,
    guild_id: int,
    member_id: int,
    role_ids: Iterable[int],
    thread: bool = False,
) -> int:
    """Return a member's permissions in a channel: guild-level `base`, then the channel's overwrites.

    Discord's order: administrators keep everything; @everyone's overwrite, then the member's roles'
    overwrites together, then the member's own; each step denies first, then allows. Then the implicit
    rules: no View Channel means nothing at all, and no sending (Send Messages, or Send Messages in
    Threads for a thread, whose overwrites are its parent's) takes embeds, files and mentions with it.
    """
    if base & ADMINISTRATOR:
        return ALL
    by_id = {int(o["id"]): o for o in overwrites}
    value = base
    everyone = by_id.get(guild_id)
    if everyone is not None:
        value = _apply(value, int(everyone["allow"]), int(everyone["deny"]))
    allow = deny = 0
    for role_id in role_ids:
        o = by_id.get(role_id)
        if o is not None and int(o.get("type", 0)) == 0 and role_id != guild_id:
            allow, deny = allow | int(o["allow"]), deny | int(o["deny"])
    value = _apply(value, allow, deny)
    own = by_id.get(member_id)
    if own is not None and int(own.get("type", 0)) == 1:
        value = _apply(value, int(own["allow"]), int(own["deny"]))
    if not value & VIEW_CHANNEL:
        return 0
    if not value & (SEND_MESSAGES_IN_THREADS if thread else SEND_MESSAGES):
        value &= ~NEEDS_SENDING
    return value


def _apply(value: int, allow: int, deny: int) -> int:
    """Return permissions after one overwrite step (deny first, then allow)."""
    return (value & ~deny) | allow
