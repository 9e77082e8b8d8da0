"""The whole emulated Discord: every object, the clock, ids, and waiting for changes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import sandbox.perms as perms

from .guild import Guild
from .state import DM, Channel, Message, StoredFile, User

if TYPE_CHECKING:
    from .events import EventSink
    from .interactions import InteractionRecord

DISCORD_EPOCH_MS = 1420070400000
T = TypeVar("T")


class Snowflakes:
    """Discord-style ids: milliseconds since 2015 in the high bits, so ids sort by creation time."""

    def __init__(self, clock: Callable[[], float]) -> None:
        """Create a generator reading time from `clock`."""
        self._clock = clock
        self._last = 0

    def next(self) -> int:
        """Return a new id, strictly greater than every id before it."""
        value = (int(self._clock() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(value, self._last + 1)
        return self._last

    @property
    def last(self) -> int:
        """Return the last id handed out (0 before the first)."""
        return self._last

    def skip_past(self, value: int) -> None:
        """Never hand out `value` or anything below it (ids of a world loaded from disk)."""
        self._last = max(self._last, value)


class World:
    """Everything the emulated Discord knows, plus a change signal tests can wait on."""

    def __init__(self, *, bot_name: str = "climabot") -> None:
        """Create an empty world with the application and its bot user."""
        self.clock_offset = 0.0
        self.ids = Snowflakes(self.now)
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.channel_messages: dict[int, list[Message]] = {}
        self.files: dict[int, StoredFile] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.interactions_by_token: dict[str, InteractionRecord] = {}
        # Synced application commands: key None = global, else guild id.
        self.commands: dict[int | None, list[dict[str, Any]]] = {}
        self.command_ids: dict[tuple[int | None, str, int], int] = {}
        self.application_id = self.ids.next()
        self.bot_user = User(self.application_id, bot_name, bot=True)
        self.users[self.bot_user.id] = self.bot_user
        self.application_flags = (1 << 19) | (
            1 << 23
        )  # GATEWAY_MESSAGE_CONTENT_LIMITED, APPLICATION_COMMAND_BADGE
        self.events: EventSink = _NullSink()  # type: ignore[assignment]
        self._changed = asyncio.Event()
        # Counts changes, so a saver can tell whether anything happened since it last looked.
        self.version = 0

    # --- time ----------------------------------------------------------

    def now(self) -> float:
        """Return the emulated wall clock (real time plus any advance a test asked for)."""
        return time.time() + self.clock_offset

    # --- creation --------------------------------------------------------

    def add_user(
        self, name: str, *, global_name: str | None = None, dms_closed: bool = False, locale: str = "en-US"
    ) -> User:
        """Create a user account and return it."""
        user = User(self.ids.next(), name, global_name, dms_closed=dms_closed, locale=locale)
        self.users[user.id] = user
        return user

    def add_guild(
        self, name: str, *, owner_name: str = "owner", bot_permissions: int = perms.DEFAULT_BOT
    ) -> Guild:
        """Create a guild with its owner and the bot as members, and return it."""
        owner = self.add_user(owner_name)
        guild = Guild(self, self.ids.next(), name, owner, bot_permissions)
        self.guilds[guild.id] = guild
        self.events.guild_created(guild)
        self.notify()
        return guild

    def new_tag(self, name: str, *, moderated: bool = False) -> dict[str, Any]:
        """Return a new forum tag object."""
        return {
            "id": str(self.ids.next()),
            "name": name,
            "moderated": moderated,
            "emoji_id": None,
            "emoji_name": None,
        }

    def dm_channel(self, user: User) -> Channel:
        """Return the bot's DM channel with a user, creating it if needed."""
        for ch in self.channels.values():
            if ch.type == DM and ch.recipients and ch.recipients[0].id == user.id:
                return ch
        ch = Channel(self.ids.next(), DM, recipients=[user], created_at=self.now())
        self.channels[ch.id] = ch
        return ch

    def add_message(self, msg: Message) -> Message:
        """Store a message in its channel."""
        self.messages[msg.id] = msg
        ch = self.channels.get(msg.channel_id)
        if not msg.ephemeral:
            self.channel_messages.setdefault(msg.channel_id, []).append(msg)
            if ch is not None:
                ch.last_message_id = msg.id
                if ch.is_thread:
                    ch.message_count += 1
                    ch.total_message_sent += 1
        self.notify()
        return msg

    def add_file(
        self, filename: str, data: bytes, content_type: str | None, *, channel_id: int = 0, **extra: Any
    ) -> StoredFile:
        """Store an uploaded file for the CDN and return it."""
        f = StoredFile(self.ids.next(), filename, data, content_type, channel_id, **extra)
        self.files[f.id] = f
        return f

    # --- lookup ----------------------------------------------------------

    def guild_of(self, channel: Channel) -> Guild | None:
        """Return the guild a channel belongs to (None for DMs)."""
        return self.guilds.get(channel.guild_id) if channel.guild_id else None

    def visible_messages(self, channel_id: int) -> list[Message]:
        """Return the messages of a channel that everybody sees (not deleted, not ephemeral)."""
        return [m for m in self.channel_messages.get(channel_id, []) if not m.deleted]

    # --- change signal -------------------------------------------------

    def notify(self) -> None:
        """Wake everybody waiting for a change of state."""
        self.version += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, check: Callable[[], T | None], timeout: float, what: str) -> T:
        """Return check()'s first non-None value, re-checking at every change; fail after timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = check()
            if value is not None:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            event = self._changed
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                continue


class _NullSink:
    """Swallows state-change notifications until the gateway is attached."""

    def __getattr__(self, name: str) -> Callable[..., None]:
        """Return a no-op for any notification."""
        return lambda *args, **kwargs: None
