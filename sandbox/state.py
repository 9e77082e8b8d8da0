"""The emulated Discord's objects: users, roles, members, channels, messages, files, events."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Protocol

import sandbox.perms as perms

TEXT, DM, CATEGORY, NEWS, NEWS_THREAD, PUBLIC_THREAD, PRIVATE_THREAD, FORUM = 0, 1, 4, 5, 10, 11, 12, 15
VOICE = 2
THREAD_TYPES = (NEWS_THREAD, PUBLIC_THREAD, PRIVATE_THREAD)
EPHEMERAL = 1 << 6
LOADING = 1 << 7


@dataclass(eq=False)
class User:
    """A Discord account (a person or the bot)."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    dms_closed: bool = False
    locale: str = "en-US"

    @property
    def name(self) -> str:
        """Return the username."""
        return self.username

    @property
    def mention(self) -> str:
        """Return the mention markup for this user."""
        return f"<@{self.id}>"


@dataclass(eq=False)
class Role:
    """A guild role with its permission bitfield."""

    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None

    @property
    def mention(self) -> str:
        """Return the mention markup for this role."""
        return f"<@&{self.id}>"


class MemberGuild(Protocol):
    """What a membership needs of its guild (sandbox.guild.Guild, which builds on this module)."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, Role]
    members: dict[int, Member]

    @property
    def everyone(self) -> Role:
        """Return the @everyone role."""
        ...


@dataclass(eq=False)
class Member:
    """A user's membership of a guild."""

    user: User
    guild: MemberGuild
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: float = 0.0

    @property
    def id(self) -> int:
        """Return the member's user id."""
        return self.user.id

    @property
    def name(self) -> str:
        """Return the member's username."""
        return self.user.username

    @property
    def mention(self) -> str:
        """Return the mention markup for this member."""
        return self.user.mention

    @property
    def roles(self) -> list[Role]:
        """Return the member's roles (without @everyone)."""
        return [self.guild.roles[r] for r in self.role_ids if r in self.guild.roles]

    @property
    def permissions(self) -> int:
        """Return the member's guild-level permissions."""
        return perms.effective(
            self.guild.everyone.permissions,
            [r.permissions for r in self.roles],
            self.user.id == self.guild.owner_id,
        )


@dataclass(eq=False)
class Channel:
    """A guild channel, thread or DM channel."""

    id: int
    type: int
    name: str | None = None
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    nsfw: bool = False
    rate_limit_per_user: int = 0
    available_tags: list[dict[str, Any]] = field(default_factory=list)
    permission_overwrites: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    default_auto_archive_duration: int = 4320
    last_message_id: int | None = None
    created_at: float = 0.0
    # Only threads use the fields below (one class keeps lookups by id uniform).
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 4320
    archive_timestamp: float = 0.0
    applied_tags: list[int] = field(default_factory=list)
    message_count: int = 0
    total_message_sent: int = 0
    member_ids: set[int] = field(default_factory=set)
    # Only DM channels use this.
    recipients: list[User] = field(default_factory=list)

    @property
    def is_thread(self) -> bool:
        """Return whether this channel is a thread."""
        return self.type in THREAD_TYPES

    @property
    def mention(self) -> str:
        """Return the mention markup for this channel."""
        return f"<#{self.id}>"

    def tag(self, name: str) -> int:
        """Return the id of a forum tag by name."""
        for tag in self.available_tags:
            if tag["name"] == name:
                return int(tag["id"])
        raise KeyError(f"forum #{self.name} has no tag {name!r}")


@dataclass(eq=False)
class StoredFile:
    """An uploaded file, served by the emulated CDN."""

    id: int
    filename: str
    data: bytes
    content_type: str | None
    channel_id: int = 0
    description: str | None = None
    ephemeral: bool = False
    title: str | None = None

    @property
    def size(self) -> int:
        """Return the file size in bytes."""
        return len(self.data)


@dataclass(eq=False)
class Message:
    """A message; edits are kept in `history` (the earlier versions, oldest first)."""

    id: int
    channel_id: int
    author: User
    guild_id: int | None = None
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[StoredFile] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    timestamp: float = 0.0
    edited_timestamp: float | None = None
    tts: bool = False
    pinned: bool = False
    mention_everyone: bool = False
    mention_ids: list[int] = field(default_factory=list)
    mention_role_ids: list[int] = field(default_factory=list)
    allowed_mentions: dict[str, Any] | None = None
    nonce: Any = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_id: int | None = None
    message_reference: dict[str, Any] | None = None
    poll: dict[str, Any] | None = None
    thread_id: int | None = None
    reactions: dict[str, set[int]] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    @property
    def ephemeral(self) -> bool:
        """Return whether only the invoking user can see this message."""
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        """Return whether this is a deferred "thinking..." message not yet filled in."""
        return bool(self.flags & LOADING)

    @property
    def edited(self) -> bool:
        """Return whether the message was edited after it was sent."""
        return self.edited_timestamp is not None

    @property
    def text(self) -> str:
        """Return all human-readable text: content, embeds and text-display components."""
        parts = [self.content]
        for embed in self.embeds:
            for key in ("title", "description"):
                parts.append(embed.get(key) or "")
            for fld in embed.get("fields", []):
                parts.extend((fld.get("name", ""), fld.get("value", "")))
            parts.append((embed.get("footer") or {}).get("text", ""))
            parts.append((embed.get("author") or {}).get("name", ""))
        parts.extend(c.get("content", "") for c in iter_components(self.components) if c.get("type") == 10)
        return "\n".join(p for p in parts if p)

    def component(self, custom_id: str) -> dict[str, Any] | None:
        """Return the component with this custom_id, searching rows, sections and containers."""
        for comp in iter_components(self.components):
            if comp.get("custom_id") == custom_id:
                return comp
        return None

    def buttons(self) -> list[dict[str, Any]]:
        """Return every button component of the message."""
        return [c for c in iter_components(self.components) if c.get("type") == 2]

    def snapshot(self) -> dict[str, Any]:
        """Return a copy of the editable fields, for the edit history."""
        return {
            "content": self.content,
            "embeds": copy.deepcopy(self.embeds),
            "components": copy.deepcopy(self.components),
            "attachments": [a.filename for a in self.attachments],
            "flags": self.flags,
            "edited_timestamp": self.edited_timestamp,
        }


def iter_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return every component, depth first, including those nested in rows, sections and labels."""
    out: list[dict[str, Any]] = []
    for comp in components:
        out.append(comp)
        out.extend(iter_components(comp.get("components", [])))
        for key in ("accessory", "component"):
            if isinstance(comp.get(key), dict):
                out.extend(iter_components([comp[key]]))
    return out


@dataclass(eq=False)
class ScheduledEvent:
    """A guild scheduled event."""

    id: int
    guild_id: int
    name: str
    scheduled_start_time: str
    entity_type: int
    creator_id: int | None = None
    scheduled_end_time: str | None = None
    description: str | None = None
    channel_id: int | None = None
    entity_metadata: dict[str, Any] | None = None
    privacy_level: int = 2
    status: int = 1
    image: str | None = None
    recurrence_rule: dict[str, Any] | None = None
    interested_ids: set[int] = field(default_factory=set)

    @property
    def user_count(self) -> int:
        """Return how many people marked themselves interested."""
        return len(self.interested_ids)
