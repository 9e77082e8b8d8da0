"""The page's view of one demo server: who the viewer is, what they may see, the page's own small state."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

import sandbox.perms as perms

from ..state import DM, Channel, Member, Message

if TYPE_CHECKING:
    from ..emulator import Emulator
    from ..guild import Guild
    from .live import LiveHub


class BadInput(Exception):
    """A request the page should not have sent (unknown id, wrong shape): answered 400 in one line."""


class NotFound(Exception):
    """An id that names nothing (channel, message, interaction, file): answered 404 in one line."""


@dataclass
class Site:
    """The emulator, the demo server shown by the page, and the forms the page closed."""

    emu: Emulator
    guild_id: int
    data_dir: Path | None = None
    live: LiveHub | None = None
    # Interaction ids of modals a member submitted, dismissed or superseded by a newer one.
    closed_modals: set[int] = field(default_factory=set)

    @property
    def guild(self) -> Guild:
        """Return the demo server (it must exist while the page runs)."""
        guild = self.emu.world.guilds.get(self.guild_id)
        if guild is None:
            raise NotFound(f"the emulator has no server {self.guild_id}")
        return guild

    def viewer(self, request: web.Request) -> Member:
        """Return the member named by `?as=<user id>`, or refuse the request."""
        raw = request.query.get("as", "")
        if not raw.isdigit():
            raise BadInput("say who you are: ?as=<member id> (see GET /api/members)")
        member = self.guild.members.get(int(raw))
        if member is None or member.user.bot:
            raise BadInput(f"{raw} is not a member of {self.guild.name}")
        return member

    def channel(self, raw: Any, viewer: Member) -> Channel:
        """Return a channel the viewer may open: one of the server's, or their own DM with the bot."""
        ch = self.emu.world.channels.get(parse_id(raw, "channel id"))
        if ch is None:
            raise NotFound(f"no channel {raw}")
        if ch.type == DM:
            if not ch.recipients or ch.recipients[0].id != viewer.id:
                raise BadInput("that is someone else's direct messages")
            return ch
        if ch.guild_id != self.guild_id:
            raise BadInput(f"channel {raw} is not in {self.guild.name}")
        if not self.can_view(viewer, ch):
            raise BadInput(f"{display(viewer)} cannot see #{ch.name}")
        return ch

    def can_view(self, viewer: Member, ch: Channel) -> bool:
        """Return whether the member sees a channel (Discord's overwrites; threads follow their parent)."""
        return bool(self.guild.permissions_in(viewer, ch) & perms.VIEW_CHANNEL)

    def message(self, raw: Any, viewer: Member) -> Message:
        """Return a message the viewer can see (public in a channel they may open, or their ephemeral)."""
        msg = self.emu.world.messages.get(parse_id(raw, "message id"))
        if msg is None or msg.deleted:
            raise NotFound(f"no message {raw}")
        self.channel(msg.channel_id, viewer)
        if msg.ephemeral and self.ephemeral_owner(msg) != viewer.id:
            raise NotFound(f"no message {raw}")
        return msg

    def ephemeral_owner(self, msg: Message) -> int | None:
        """Return the user id an ephemeral message belongs to (the member whose interaction caused it)."""
        it = self.emu.world.interactions.get(msg.interaction_id or 0)
        return it.user.id if it is not None else None

    def guild_for(self, ch: Channel) -> Guild | None:
        """Return the server an action in this channel happens in (None in the DM with the bot)."""
        return None if ch.type == DM else self.guild


SITE = web.AppKey("site", Site)


def display(member: Member) -> str:
    """Return the name a member goes by in the server."""
    return member.nick or member.user.global_name or member.user.username


def parse_id(raw: Any, what: str) -> int:
    """Return a snowflake from a string or number, or refuse it in one line."""
    text = str(raw).strip() if raw is not None else ""
    if not text.isdigit():
        raise BadInput(f"{what} must be a number, got {raw!r}")
    return int(text)
