"""Render the emulator's objects as the JSON Discord sends (gateway events and REST responses)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from .cdn import Cdn
from .guild import Guild
from .interactions import InteractionRecord
from .state import (
    DM,
    FORUM,
    PRIVATE_THREAD,
    VOICE,
    Channel,
    Member,
    Message,
    Role,
    ScheduledEvent,
    StoredFile,
    User,
    iter_components,
)


class PayloadWorld(Protocol):
    """What rendering reads of the world (sandbox.world.World, which builds on this module)."""

    users: dict[int, User]
    channels: dict[int, Channel]
    guilds: dict[int, Guild]
    interactions: dict[int, InteractionRecord]
    bot_user: User


def iso(ts: float | None) -> str | None:
    """Return an ISO 8601 UTC timestamp as Discord writes it, or None."""
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat()


class Payloads:
    """Builds Discord-shaped dicts from state objects."""

    def __init__(self, world: PayloadWorld, cdn: Cdn) -> None:
        """Create a renderer for this world, signing attachment URLs with `cdn`."""
        self.world = world
        self.cdn = cdn

    # --- people --------------------------------------------------------

    def user(self, u: User) -> dict[str, Any]:
        """Return a user object."""
        data: dict[str, Any] = {
            "id": str(u.id),
            "username": u.username,
            "discriminator": "0",
            "global_name": u.global_name,
            "avatar": None,
            "avatar_decoration_data": None,
            "collectibles": None,
            "primary_guild": None,
            "banner": None,
            "accent_color": None,
            "public_flags": 0,
            "flags": 0,
        }
        if u.bot:
            data["bot"] = True
        return data

    def me(self) -> dict[str, Any]:
        """Return the bot's own user object as /users/@me and READY give it."""
        data = self.user(self.world.bot_user)
        data.update({"verified": True, "mfa_enabled": False, "email": None, "locale": "en-US", "bio": ""})
        return data

    def member(self, m: Member, *, with_user: bool = True, permissions: bool = False) -> dict[str, Any]:
        """Return a guild member object (with the computed permissions for interactions)."""
        data: dict[str, Any] = {
            "nick": m.nick,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in m.role_ids],
            "joined_at": iso(m.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user(m.user)
        if permissions:
            data["permissions"] = str(m.permissions)
        return data

    def role(self, r: Role) -> dict[str, Any]:
        """Return a role object."""
        data: dict[str, Any] = {
            "id": str(r.id),
            "name": r.name,
            "description": None,
            "color": r.color,
            "colors": {"primary_color": r.color, "secondary_color": None, "tertiary_color": None},
            "hoist": r.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": r.position,
            "permissions": str(r.permissions),
            "managed": r.managed,
            "mentionable": r.mentionable,
            "flags": 0,
        }
        if r.bot_id is not None:
            data["tags"] = {"bot_id": str(r.bot_id)}
        return data

    # --- channels ------------------------------------------------------

    def channel(self, c: Channel, *, guild_id: bool = True) -> dict[str, Any]:
        """Return a channel, thread or DM channel object."""
        if c.type == DM:
            return {
                "id": str(c.id),
                "type": DM,
                "last_message_id": _sf(c.last_message_id),
                "flags": 0,
                "recipients": [self.user(u) for u in c.recipients],
            }
        if c.is_thread:
            return self.thread(c)
        data: dict[str, Any] = {
            "id": str(c.id),
            "type": c.type,
            "name": c.name,
            "position": c.position,
            "parent_id": _sf(c.parent_id),
            "permission_overwrites": list(c.permission_overwrites),
            "flags": c.flags,
            "nsfw": c.nsfw,
        }
        if guild_id:
            data["guild_id"] = str(c.guild_id)
        if c.type != 4:
            data.update(
                {
                    "topic": c.topic,
                    "rate_limit_per_user": c.rate_limit_per_user,
                    "last_message_id": _sf(c.last_message_id),
                    "default_auto_archive_duration": c.default_auto_archive_duration,
                }
            )
        if c.type == VOICE:
            # discord.py reads bitrate and user_limit of every voice channel.
            data.update({"bitrate": 64000, "user_limit": 0, "rtc_region": None})
        if c.type == FORUM:
            data.update(
                {
                    "available_tags": list(c.available_tags),
                    "default_reaction_emoji": None,
                    "default_thread_rate_limit_per_user": 0,
                    "default_sort_order": None,
                    "default_forum_layout": 0,
                    "template": "",
                }
            )
        return data

    def thread(self, c: Channel) -> dict[str, Any]:
        """Return a thread channel object."""
        data: dict[str, Any] = {
            "id": str(c.id),
            "type": c.type,
            "guild_id": str(c.guild_id),
            "name": c.name,
            "parent_id": str(c.parent_id),
            "owner_id": str(c.owner_id),
            "last_message_id": _sf(c.last_message_id),
            "rate_limit_per_user": c.rate_limit_per_user,
            "flags": c.flags,
            "message_count": c.message_count,
            "member_count": len(c.member_ids),
            "total_message_sent": c.total_message_sent,
            "applied_tags": [str(t) for t in c.applied_tags],
            "thread_metadata": {
                "archived": c.archived,
                "auto_archive_duration": c.auto_archive_duration,
                "archive_timestamp": iso(c.archive_timestamp or c.created_at),
                "locked": c.locked,
                "create_timestamp": iso(c.created_at),
            },
        }
        if c.type == PRIVATE_THREAD:
            data["thread_metadata"]["invitable"] = c.invitable
        return data

    def thread_member(self, c: Channel, user_id: int) -> dict[str, Any]:
        """Return a thread member object."""
        return {"id": str(c.id), "user_id": str(user_id), "join_timestamp": iso(c.created_at), "flags": 0}

    def partial_channel(self, c: Channel) -> dict[str, Any]:
        """Return the channel as an interaction's `channel` field carries it."""
        data = self.channel(c)
        data.pop("permission_overwrites", None)
        return data

    def resolved_channel(self, c: Channel, permissions: int) -> dict[str, Any]:
        """Return the channel as command option `resolved.channels` carries it."""
        data = self.partial_channel(c)
        data["permissions"] = str(permissions)
        return data

    # --- guilds ----------------------------------------------------------

    def guild(self, g: Guild) -> dict[str, Any]:
        """Return a guild object (as GET /guilds/{id} gives it)."""
        return {
            "id": str(g.id),
            "name": g.name,
            "icon": None,
            "icon_hash": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(g.owner_id),
            "region": "deprecated",
            "afk_channel_id": None,
            "afk_timeout": 300,
            "widget_enabled": False,
            "widget_channel_id": None,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 2,
            "roles": [self.role(r) for r in g.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": ["COMMUNITY"],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_presences": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": g.preferred_locale,
            "nsfw_level": 0,
            "nsfw": False,
            "premium_progress_bar_enabled": False,
            "incidents_data": None,
        }

    def guild_create(self, g: Guild, members: list[Member]) -> dict[str, Any]:
        """Return the GUILD_CREATE payload: the guild with channels, active threads, members and events."""
        data = self.guild(g)
        data.update(
            {
                "joined_at": iso(g.me.joined_at),
                "large": len(g.members) >= 250,
                "unavailable": False,
                "member_count": len(g.members),
                "voice_states": [],
                "members": [self.member(m) for m in members],
                "channels": [self.channel(c, guild_id=False) for c in g.channels.values() if not c.is_thread],
                "threads": [self.thread(c) for c in g.channels.values() if c.is_thread and not c.archived],
                "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": [self.scheduled_event(e) for e in g.events.values()],
                "soundboard_sounds": [],
                "embedded_activities": [],
                "activity_instances": [],
                "version": 0,
            }
        )
        return data

    def scheduled_event(self, e: ScheduledEvent) -> dict[str, Any]:
        """Return a guild scheduled event object."""
        creator = self.world.users.get(e.creator_id or 0)
        data: dict[str, Any] = {
            "id": str(e.id),
            "guild_id": str(e.guild_id),
            "channel_id": _sf(e.channel_id),
            "creator_id": _sf(e.creator_id),
            "name": e.name,
            "description": e.description,
            "scheduled_start_time": e.scheduled_start_time,
            "scheduled_end_time": e.scheduled_end_time,
            "privacy_level": e.privacy_level,
            "status": e.status,
            "entity_type": e.entity_type,
            "entity_id": None,
            "entity_metadata": e.entity_metadata,
            "user_count": e.user_count,
            "image": e.image,
            "recurrence_rule": e.recurrence_rule,
        }
        if creator is not None:
            data["creator"] = self.user(creator)
        return data

    # --- messages ------------------------------------------------------

    def attachment(self, f: StoredFile) -> dict[str, Any]:
        """Return an attachment object with a freshly signed CDN URL."""
        url = self.cdn.signed_url(f)
        data: dict[str, Any] = {
            "id": str(f.id),
            "filename": f.filename,
            "size": f.size,
            "url": url,
            "proxy_url": url,
            "content_type": f.content_type,
            "flags": 0,
        }
        if f.description is not None:
            data["description"] = f.description
        if f.title is not None:
            data["title"] = f.title
        if f.ephemeral:
            data["ephemeral"] = True
        size = image_size(f.data)
        if size is not None:
            data["width"], data["height"] = size
        return data

    def message(self, m: Message, *, gateway: bool = False) -> dict[str, Any]:
        """Return a message object; gateway events also carry guild_id and the author's member."""
        mentions = [self.user(self.world.users[u]) for u in m.mention_ids if u in self.world.users]
        data: dict[str, Any] = {
            "id": str(m.id),
            "channel_id": str(m.channel_id),
            "type": m.type,
            "content": m.content,
            "author": self.user(m.author),
            "attachments": [self.attachment(a) for a in m.attachments],
            "embeds": [self._embed(e, m) for e in m.embeds],
            "components": m.components,
            "mentions": mentions,
            "mention_roles": [str(r) for r in m.mention_role_ids],
            "mention_everyone": m.mention_everyone,
            "pinned": m.pinned,
            "tts": m.tts,
            "timestamp": iso(m.timestamp),
            "edited_timestamp": iso(m.edited_timestamp),
            "flags": m.flags,
            "reactions": [
                {"emoji": {"id": None, "name": k}, "count": len(v), "me": self.world.bot_user.id in v}
                for k, v in m.reactions.items()
                if v
            ],
        }
        if m.nonce is not None:
            data["nonce"] = m.nonce
        for key in ("webhook_id", "application_id"):
            if getattr(m, key) is not None:
                data[key] = str(getattr(m, key))
        if m.message_reference is not None:
            data["message_reference"] = m.message_reference
        if m.poll is not None:
            data["poll"] = m.poll
        if m.interaction_id is not None:
            data.update(self._interaction_metadata(m))
        if m.thread_id is not None and m.thread_id in self.world.channels:
            data["thread"] = self.thread(self.world.channels[m.thread_id])
        if m.guild_id is not None and gateway:
            data["guild_id"] = str(m.guild_id)
            guild = self.world.guilds.get(m.guild_id)
            if guild and m.author.id in guild.members and not m.webhook_id:
                data["member"] = self.member(guild.members[m.author.id], with_user=False)
        return data

    def _interaction_metadata(self, m: Message) -> dict[str, Any]:
        """Return the interaction fields of a message sent in response to an interaction."""
        it = self.world.interactions.get(m.interaction_id or 0)
        if it is None:
            return {}
        user = self.user(it.user)
        meta: dict[str, Any] = {
            "id": str(it.id),
            "type": it.type,
            "user": user,
            "authorizing_integration_owners": it.payload["authorizing_integration_owners"],
        }
        if it.type == 2:
            meta["name"] = it.command_name
            meta["command_type"] = 1
        legacy = {"id": str(it.id), "type": it.type, "name": it.command_name or "", "user": user}
        return {"interaction_metadata": meta, "interaction": legacy}

    def _embed(self, embed: dict[str, Any], m: Message) -> dict[str, Any]:
        """Return an embed as Discord echoes it: typed, with attachment:// images resolved."""
        out = dict(embed)
        out.setdefault("type", "rich")
        by_name = {a.filename: a for a in m.attachments}
        for key in ("image", "thumbnail"):
            media = out.get(key)
            if isinstance(media, dict) and str(media.get("url", "")).startswith("attachment://"):
                f = by_name.get(media["url"][len("attachment://") :])
                if f is not None:
                    url = self.cdn.signed_url(f)
                    size = image_size(f.data) or (0, 0)
                    out[key] = {**media, "url": url, "proxy_url": url, "width": size[0], "height": size[1]}
        return out


def number_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give every component a numeric `id` (as Discord does) where the sender left it out."""
    taken = {c["id"] for c in iter_components(components) if isinstance(c.get("id"), int)}
    counter = 1
    for comp in iter_components(components):
        if not isinstance(comp.get("id"), int):
            while counter in taken:
                counter += 1
            comp["id"] = counter
            taken.add(counter)
    return components


def image_size(data: bytes) -> tuple[int, int] | None:
    """Return (width, height) of a PNG or GIF image from its header, else None."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    return None


def _sf(value: int | None) -> str | None:
    """Return a snowflake as a string, keeping None."""
    return None if value is None else str(value)
