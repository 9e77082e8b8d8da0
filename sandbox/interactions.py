"""Interactions: what the emulator sent to the bot, and everything the bot answered."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import sandbox.perms as perms

from .guild import Guild, Ids
from .state import Channel, Member, Message, User

T = TypeVar("T")

PING, COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
CB_MESSAGE, CB_DEFER, CB_DEFER_UPDATE, CB_UPDATE, CB_AUTOCOMPLETE, CB_MODAL = 4, 5, 6, 7, 8, 9
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


class InteractionWorld(Protocol):
    """What an interaction uses of the world (sandbox.world.World, which builds on this module)."""

    @property
    def ids(self) -> Ids:
        """Return the id source."""
        ...

    def now(self) -> float:
        """Return the emulated wall clock."""
        ...

    async def wait_until(self, check: Callable[[], T | None], timeout: float, what: str) -> T:
        """Return check()'s first non-None value, re-checking at every change."""
        ...


@dataclass
class Response:
    """One thing the bot did to answer: a callback, a followup, an edit or a deletion."""

    kind: str  # callback | followup | edit_original | edit_followup | delete_original | delete_followup
    type: int | None
    body: Any
    message: Message | None


class InteractionRecord:
    """An interaction the emulator dispatched, with the bot's answers in order."""

    def __init__(
        self,
        world: InteractionWorld,
        type_: int,
        *,
        guild: Guild | None,
        channel: Channel,
        user: User,
        member: Member | None,
        data: dict[str, Any],
        command_name: str | None = None,
        source_message: Message | None = None,
        parent: InteractionRecord | None = None,
    ) -> None:
        """Create the record (the payload is built by the caller and stored in `payload`)."""
        self.world = world
        self.id = world.ids.next()
        self.token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(96)
        self.type = type_
        self.guild = guild
        self.channel = channel
        self.user = user
        self.member = member
        self.data = data
        self.command_name = command_name
        self.source_message = source_message
        self.parent = parent
        self.payload: dict[str, Any] = {}
        self.created_monotonic = asyncio.get_running_loop().time()
        self.created_at = world.now()
        self.responses: list[Response] = []
        self.callback_type: int | None = None
        self.original: Message | None = None
        self.modal: dict[str, Any] | None = None
        self.choices: list[dict[str, Any]] | None = None
        self.visible: list[Message] = []

    def __repr__(self) -> str:
        """Return a short description for assertion messages."""
        what = self.command_name or self.data.get("custom_id") or ""
        return f"<Interaction {self.id} type={self.type} {what!r} callback={self.callback_type}>"

    @property
    def acknowledged(self) -> bool:
        """Return whether the bot sent its initial callback."""
        return self.callback_type is not None

    @property
    def followups(self) -> list[Message]:
        """Return the followup messages the bot sent (not counting a followup that filled a deferral)."""
        return [r.message for r in self.responses if r.kind == "followup" and r.message is not None]

    async def responded(self, timeout: float = 5.0) -> int:
        """Wait for the initial callback and return its type."""

        def check() -> int | None:
            """Return the callback type once there is one."""
            return self.callback_type

        return await self.world.wait_until(check, timeout, f"a callback to {self!r}")

    async def reply(self, timeout: float = 5.0) -> Message:
        """Wait for the first message the user would see (callback message, filled deferral, followup)."""

        def check() -> Message | None:
            """Return the first visible message, or fail if the bot answered without one."""
            if self.visible:
                return self.visible[0]
            if self.callback_type == CB_MODAL:
                raise AssertionError(f"the bot answered {self!r} with a modal (see .modal), not a message")
            if self.callback_type == CB_AUTOCOMPLETE:
                raise AssertionError(f"the bot answered {self!r} with autocomplete choices, not a message")
            return None

        try:
            return await self.world.wait_until(check, timeout, f"a reply to {self!r}")
        except AssertionError as err:
            raise AssertionError(f"{err}; responses so far: {self.responses}") from None

    async def wait_modal(self, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the bot to answer with a modal and return it."""

        def check() -> dict[str, Any] | None:
            """Return the modal, or fail if the bot answered otherwise."""
            if self.modal is not None:
                return self.modal
            if self.callback_type is not None:
                raise AssertionError(
                    f"the bot answered {self!r} with callback {self.callback_type}, not a modal"
                )
            return None

        return await self.world.wait_until(check, timeout, f"a modal answering {self!r}")

    async def wait_choices(self, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait for autocomplete choices and return them."""

        def check() -> list[dict[str, Any]] | None:
            """Return the choices once answered."""
            return self.choices

        return await self.world.wait_until(check, timeout, f"autocomplete choices for {self!r}")


def interaction_payload(record: InteractionRecord, payloads: Any, app_id: int) -> dict[str, Any]:
    """Return the INTERACTION_CREATE payload Discord sends for a record."""
    guild, channel = record.guild, record.channel
    data: dict[str, Any] = {
        "id": str(record.id),
        "application_id": str(app_id),
        "type": record.type,
        "data": record.data,
        "channel": payloads.partial_channel(channel),
        "channel_id": str(channel.id),
        "token": record.token,
        "version": 1,
        "locale": record.user.locale,
        "entitlements": [],
        "entitlement_sku_ids": [],
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    }
    if guild is not None and record.member is not None:
        data.update(
            {
                "guild_id": str(guild.id),
                "guild": {"id": str(guild.id), "locale": guild.preferred_locale, "features": ["COMMUNITY"]},
                "guild_locale": guild.preferred_locale,
                "member": payloads.member(record.member, permissions=True),
                "app_permissions": str(guild.me.permissions),
                "authorizing_integration_owners": {"0": str(guild.id)},
                "context": 0,
            }
        )
    else:
        data.update(
            {
                "user": payloads.user(record.user),
                "app_permissions": str(perms.DEFAULT_EVERYONE),
                "authorizing_integration_owners": {"0": "0"},
                "context": 1,
            }
        )
    if record.source_message is not None:
        data["message"] = payloads.message(record.source_message)
    return data
