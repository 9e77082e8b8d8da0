"""Turn changes of the emulated state into the gateway events Discord would dispatch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .gateway import DIRECT_MESSAGES, GUILD_MEMBERS, GUILD_MESSAGES, GUILD_SCHEDULED_EVENTS, GUILDS
from .guild import Guild
from .state import Channel, Member, Message, Role, ScheduledEvent

if TYPE_CHECKING:
    from .gateway import Gateway
    from .payloads import Payloads


class EventSink:
    """Called by state changes; dispatches the matching gateway events."""

    def __init__(self, gateway: Gateway, payloads: Payloads) -> None:
        """Create a sink dispatching through `gateway`."""
        self.gw = gateway
        self.p = payloads

    def guild_created(self, guild: Guild) -> None:
        """Dispatch GUILD_CREATE for a guild the bot joined while connected."""
        for session in self.gw.live_sessions:
            if session.intents & GUILDS:
                session.dispatch("GUILD_CREATE", self.gw.guild_create(guild, session))

    def channel_created(self, ch: Channel) -> None:
        """Dispatch CHANNEL_CREATE."""
        self.gw.dispatch("CHANNEL_CREATE", self.p.channel(ch))

    def channel_updated(self, ch: Channel) -> None:
        """Dispatch CHANNEL_UPDATE (THREAD_UPDATE for threads)."""
        self.gw.dispatch("THREAD_UPDATE" if ch.is_thread else "CHANNEL_UPDATE", self.p.channel(ch))

    def channel_deleted(self, ch: Channel) -> None:
        """Dispatch CHANNEL_DELETE (THREAD_DELETE for threads)."""
        if ch.is_thread:
            data = {
                "id": str(ch.id),
                "guild_id": str(ch.guild_id),
                "parent_id": str(ch.parent_id),
                "type": ch.type,
            }
            self.gw.dispatch("THREAD_DELETE", data)
        else:
            self.gw.dispatch("CHANNEL_DELETE", self.p.channel(ch))

    def thread_created(self, ch: Channel) -> None:
        """Dispatch THREAD_CREATE for a new thread."""
        data = self.p.thread(ch)
        data["newly_created"] = True
        self.gw.dispatch("THREAD_CREATE", data)

    def role_created(self, role: Role) -> None:
        """Dispatch GUILD_ROLE_CREATE."""
        self.gw.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(role.guild_id), "role": self.p.role(role)})

    def role_updated(self, role: Role) -> None:
        """Dispatch GUILD_ROLE_UPDATE."""
        self.gw.dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(role.guild_id), "role": self.p.role(role)})

    def role_deleted(self, role: Role) -> None:
        """Dispatch GUILD_ROLE_DELETE."""
        self.gw.dispatch("GUILD_ROLE_DELETE", {"guild_id": str(role.guild_id), "role_id": str(role.id)})

    def member_added(self, member: Member) -> None:
        """Dispatch GUILD_MEMBER_ADD (needs the members intent)."""
        data = self.p.member(member)
        data["guild_id"] = str(member.guild.id)
        self.gw.dispatch("GUILD_MEMBER_ADD", data, intent=GUILD_MEMBERS)

    def member_updated(self, member: Member) -> None:
        """Dispatch GUILD_MEMBER_UPDATE (needs the members intent)."""
        data = self.p.member(member)
        data["guild_id"] = str(member.guild.id)
        self.gw.dispatch("GUILD_MEMBER_UPDATE", data, intent=GUILD_MEMBERS)

    def _message_intent(self, msg: Message) -> int:
        """Return the intent that carries events of a message."""
        return GUILD_MESSAGES if msg.guild_id else DIRECT_MESSAGES

    def message_created(self, msg: Message) -> None:
        """Dispatch MESSAGE_CREATE (not for ephemeral messages, which only the user sees)."""
        if msg.ephemeral:
            return
        data = self.p.message(msg, gateway=True)
        self.gw.dispatch("MESSAGE_CREATE", data, intent=self._message_intent(msg), message_content=True)

    def message_updated(self, msg: Message) -> None:
        """Dispatch MESSAGE_UPDATE with the whole message."""
        if msg.ephemeral:
            return
        data = self.p.message(msg, gateway=True)
        self.gw.dispatch("MESSAGE_UPDATE", data, intent=self._message_intent(msg), message_content=True)

    def message_deleted(self, msg: Message) -> None:
        """Dispatch MESSAGE_DELETE."""
        if msg.ephemeral:
            return
        data: dict[str, Any] = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
        if msg.guild_id:
            data["guild_id"] = str(msg.guild_id)
        self.gw.dispatch("MESSAGE_DELETE", data, intent=self._message_intent(msg))

    def scheduled_event(self, kind: str, event: ScheduledEvent) -> None:
        """Dispatch GUILD_SCHEDULED_EVENT_CREATE/UPDATE/DELETE (kind is CREATE, UPDATE or DELETE)."""
        data = self.p.scheduled_event(event)
        self.gw.dispatch(f"GUILD_SCHEDULED_EVENT_{kind}", data, intent=GUILD_SCHEDULED_EVENTS)

    def event_interest(self, event: ScheduledEvent, user_id: int, added: bool) -> None:
        """Dispatch GUILD_SCHEDULED_EVENT_USER_ADD or _REMOVE."""
        data = {
            "guild_scheduled_event_id": str(event.id),
            "user_id": str(user_id),
            "guild_id": str(event.guild_id),
        }
        kind = "ADD" if added else "REMOVE"
        self.gw.dispatch(f"GUILD_SCHEDULED_EVENT_USER_{kind}", data, intent=GUILD_SCHEDULED_EVENTS)

    def interaction_created(self, payload: dict[str, Any]) -> None:
        """Dispatch INTERACTION_CREATE (sent whatever the intents)."""
        self.gw.dispatch("INTERACTION_CREATE", payload, intent=None)
