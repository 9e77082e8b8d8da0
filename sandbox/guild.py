"""A guild: its roles, members, channels, threads and scheduled events, and how tests build them."""

from __future__ import annotations

from typing import Any, Protocol

import sandbox.perms as perms

from .state import (
    CATEGORY,
    FORUM,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    TEXT,
    VOICE,
    Channel,
    Member,
    Role,
    ScheduledEvent,
    User,
)


class Ids(Protocol):
    """A source of new snowflakes."""

    def next(self) -> int:
        """Return a new id."""
        ...


class GuildEvents(Protocol):
    """The gateway events a guild's changes cause (sandbox.events.EventSink)."""

    def channel_created(self, ch: Channel) -> None:
        """A channel or category was added."""

    def thread_created(self, ch: Channel) -> None:
        """A thread was added."""

    def role_created(self, role: Role) -> None:
        """A role was added."""

    def role_updated(self, role: Role) -> None:
        """A role changed."""

    def member_added(self, member: Member) -> None:
        """Someone joined."""

    def member_updated(self, member: Member) -> None:
        """A member's roles changed."""


class GuildWorld(Protocol):
    """What a guild uses of the world it lives in (sandbox.world.World, which builds on this module)."""

    channels: dict[int, Channel]
    bot_user: User

    @property
    def ids(self) -> Ids:
        """Return the id source."""
        ...

    @property
    def events(self) -> GuildEvents:
        """Return where changes are announced."""
        ...

    def now(self) -> float:
        """Return the emulated wall clock."""
        ...

    def notify(self) -> None:
        """Wake everybody waiting for a change."""

    def add_user(
        self, name: str, *, global_name: str | None = None, dms_closed: bool = False, locale: str = "en-US"
    ) -> User:
        """Create a user account."""
        ...

    def new_tag(self, name: str, *, moderated: bool = False) -> dict[str, Any]:
        """Return a new forum tag."""
        ...


class Guild:
    """A guild with its roles, members, channels, threads and scheduled events."""

    def __init__(
        self, world: GuildWorld, guild_id: int, name: str, owner: User, bot_permissions: int
    ) -> None:
        """Create the guild with @everyone, the owner and the bot (with its managed role)."""
        self.world = world
        self.id = guild_id
        self.name = name
        self.owner_id = owner.id
        self.preferred_locale = "en-US"
        self.roles: dict[int, Role] = {
            guild_id: Role(guild_id, guild_id, "@everyone", perms.DEFAULT_EVERYONE)
        }
        self.members: dict[int, Member] = {}
        self.channels: dict[int, Channel] = {}
        self.events: dict[int, ScheduledEvent] = {}
        self._add_member(owner)
        bot = world.bot_user
        bot_role = Role(world.ids.next(), guild_id, bot.username, bot_permissions, position=1, managed=True)
        bot_role.bot_id = bot.id
        self.roles[bot_role.id] = bot_role
        self.bot_role = bot_role
        self._add_member(bot, [bot_role.id])

    # --- reading -------------------------------------------------------

    @property
    def everyone(self) -> Role:
        """Return the @everyone role."""
        return self.roles[self.id]

    @property
    def owner(self) -> Member:
        """Return the owner's membership."""
        return self.members[self.owner_id]

    @property
    def me(self) -> Member:
        """Return the bot's membership."""
        return self.members[self.world.bot_user.id]

    @property
    def text_channels(self) -> list[Channel]:
        """Return the text channels in position order."""
        return sorted((c for c in self.channels.values() if c.type == TEXT), key=lambda c: c.position)

    @property
    def threads(self) -> list[Channel]:
        """Return every thread of the guild."""
        return [c for c in self.channels.values() if c.is_thread]

    def channel(self, name: str) -> Channel:
        """Return a channel or thread by name."""
        for ch in self.channels.values():
            if ch.name == name:
                return ch
        raise KeyError(f"no channel named {name!r} in {self.name}")

    def role(self, name: str) -> Role:
        """Return a role by name."""
        for role in self.roles.values():
            if role.name == name:
                return role
        raise KeyError(f"no role named {name!r} in {self.name}")

    def member(self, user: User | Member | int) -> Member:
        """Return the membership of a user (by object or id)."""
        uid = user if isinstance(user, int) else user.id
        return self.members[uid]

    def permissions_in(self, member: Member, channel: Channel) -> int:
        """Return a member's permissions in a channel (a thread takes its parent's overwrites)."""
        place = channel
        if channel.is_thread:
            place = self.channels.get(channel.parent_id or 0, channel)
        return perms.in_channel(
            member.permissions,
            place.permission_overwrites,
            guild_id=self.id,
            member_id=member.id,
            role_ids=member.role_ids,
            thread=channel.is_thread,
        )

    # --- building (dispatches gateway events when a bot is connected) ---

    def _add_member(self, user: User, role_ids: list[int] | None = None) -> Member:
        """Add a membership without dispatching anything."""
        member = Member(user, self, list(role_ids or []), joined_at=self.world.now())
        self.members[user.id] = member
        return member

    def _add_channel(self, ch: Channel) -> Channel:
        """Register a channel in the guild and the world and dispatch its creation."""
        ch.guild_id = self.id
        ch.created_at = self.world.now()
        self.channels[ch.id] = ch
        self.world.channels[ch.id] = ch
        self.world.notify()
        return ch

    def _next_position(self) -> int:
        """Return a position after every existing channel."""
        return len([c for c in self.channels.values() if not c.is_thread])

    def add_text_channel(
        self, name: str, *, category: Channel | None = None, topic: str | None = None
    ) -> Channel:
        """Add a text channel and return it."""
        ch = Channel(self.world.ids.next(), TEXT, name, position=self._next_position(), topic=topic)
        ch.parent_id = category.id if category else None
        self._add_channel(ch)
        self.world.events.channel_created(ch)
        return ch

    def add_category(self, name: str) -> Channel:
        """Add a category channel and return it."""
        ch = self._add_channel(Channel(self.world.ids.next(), CATEGORY, name, position=self._next_position()))
        self.world.events.channel_created(ch)
        return ch

    def add_forum_channel(
        self, name: str, *, tags: list[str] | tuple[str, ...] = (), category: Channel | None = None
    ) -> Channel:
        """Add a forum channel with the given tag names and return it."""
        ch = Channel(self.world.ids.next(), FORUM, name, position=self._next_position())
        ch.parent_id = category.id if category else None
        ch.available_tags = [self.world.new_tag(t) for t in tags]
        self._add_channel(ch)
        self.world.events.channel_created(ch)
        return ch

    def add_voice_channel(self, name: str, *, category: Channel | None = None) -> Channel:
        """Add a voice channel (a place to hold events; nobody speaks in the emulator) and return it."""
        ch = Channel(self.world.ids.next(), VOICE, name, position=self._next_position())
        ch.parent_id = category.id if category else None
        self._add_channel(ch)
        self.world.events.channel_created(ch)
        return ch

    def add_thread(
        self, parent: Channel, name: str, *, owner: Member | None = None, private: bool = False
    ) -> Channel:
        """Add an (empty) thread under a text channel, as a person would, and return it."""
        kind = PRIVATE_THREAD if private else PUBLIC_THREAD
        ch = Channel(self.world.ids.next(), kind, name, parent_id=parent.id)
        ch.owner_id = (owner or self.owner).id
        ch.member_ids.add(ch.owner_id)
        ch.archive_timestamp = self.world.now()
        self._add_channel(ch)
        self.world.events.thread_created(ch)
        return ch

    def add_role(
        self,
        name: str,
        permissions: int = 0,
        *,
        color: int = 0,
        hoist: bool = False,
        mentionable: bool = False,
    ) -> Role:
        """Add a role and return it."""
        # New roles go just below the bot's role, as if an admin had dragged the bot's role to the top.
        position = self.bot_role.position
        self.bot_role.position += 1
        role = Role(self.world.ids.next(), self.id, name, permissions, position, color, hoist, mentionable)
        self.roles[role.id] = role
        self.world.events.role_updated(self.bot_role)
        self.world.events.role_created(role)
        return role

    def add_member(
        self,
        name: str,
        *,
        roles: list[Role] | tuple[Role, ...] = (),
        administrator: bool = False,
        global_name: str | None = None,
        dms_closed: bool = False,
        locale: str = "en-US",
    ) -> Member:
        """Add a person to the guild (optionally with roles, or as an administrator) and return them."""
        user = self.world.add_user(name, global_name=global_name, dms_closed=dms_closed, locale=locale)
        role_ids = [r.id for r in roles]
        if administrator:
            role_ids.append(self._admin_role().id)
        member = self._add_member(user, role_ids)
        self.world.events.member_added(member)
        return member

    def add_members(self, count: int, *, prefix: str = "member") -> list[Member]:
        """Add many people at once, without a gateway event per member, and return them."""
        out = []
        for i in range(count):
            user = self.world.add_user(f"{prefix}{i}")
            out.append(self._add_member(user))
        self.world.notify()
        return out

    def _admin_role(self) -> Role:
        """Return (creating once) an "Admin" role with the administrator permission."""
        for role in self.roles.values():
            if role.name == "Admin" and role.permissions & perms.ADMINISTRATOR:
                return role
        return self.add_role("Admin", perms.ADMINISTRATOR)

    def give_role(self, member: Member, role: Role) -> None:
        """Give a member a role, as a moderator would in the Discord client."""
        if role.id not in member.role_ids:
            member.role_ids.append(role.id)
            self.world.events.member_updated(member)

    def take_role(self, member: Member, role: Role) -> None:
        """Remove a role from a member, as a moderator would in the Discord client."""
        if role.id in member.role_ids:
            member.role_ids.remove(role.id)
            self.world.events.member_updated(member)
