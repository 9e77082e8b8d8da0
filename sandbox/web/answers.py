"""What the bot answered to an interaction, and the forms (modals) waiting for a member."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from ..interactions import (
    CB_AUTOCOMPLETE,
    CB_DEFER,
    CB_DEFER_UPDATE,
    CB_MESSAGE,
    CB_MODAL,
    CB_UPDATE,
    COMMAND,
    COMPONENT,
    MODAL_SUBMIT,
    InteractionRecord,
)
from ..state import Member
from .views import message_json

if TYPE_CHECKING:
    from .site import Site

KINDS = {COMMAND: "command", COMPONENT: "component", MODAL_SUBMIT: "modal_submit"}
# How long the page waits for an answer when asked to (?wait=1): Discord's 3 s deadline, plus slack.
WAIT_SECONDS = 3.5
# Most deferred answers follow within milliseconds; a slow one is shown as "thinking" and arrives live.
THINKING_GRACE = 0.5


def deadline(site: Site) -> float:
    """Return the seconds after which an unanswered interaction counts as failed."""
    return site.emu.interaction_deadline or 3.0


def status(site: Site, it: InteractionRecord) -> str:
    """Return pending, message, deferred, updated, modal, choices or failed."""
    kind = it.callback_type
    if kind is None:
        age = asyncio.get_running_loop().time() - it.created_monotonic
        return "failed" if age > deadline(site) else "pending"
    if kind == CB_MODAL:
        return "modal"
    if kind == CB_AUTOCOMPLETE:
        return "choices"
    if kind in (CB_UPDATE, CB_DEFER_UPDATE):
        return "updated"
    if kind == CB_DEFER and it.original is not None and it.original.loading and not it.visible:
        return "deferred"
    return "message" if kind in (CB_MESSAGE, CB_DEFER) else "pending"


def modal_json(it: InteractionRecord) -> dict[str, Any]:
    """Return a modal the bot opened, raw, with where and when it was opened."""
    modal = it.modal or {}
    return {
        "interaction_id": str(it.id),
        "channel_id": str(it.channel.id),
        "opened_at_ms": int(it.created_at * 1000),
        "custom_id": modal.get("custom_id"),
        "title": modal.get("title"),
        "components": modal.get("components", []),
    }


def interaction_json(site: Site, it: InteractionRecord) -> dict[str, Any]:
    """Return an interaction's state and the messages the member saw in answer to it."""
    state = status(site, it)
    seen: dict[int, Any] = {}
    for msg in it.visible:
        if not msg.deleted:
            seen[msg.id] = msg
    if state == "deferred" and it.original is not None:
        seen[it.original.id] = it.original
    messages = [message_json(site, m) for m in seen.values()]
    error = None
    if state == "failed":
        error = f"The application did not respond within {deadline(site):g} s"
    return {
        "id": str(it.id),
        "kind": KINDS.get(it.type, str(it.type)),
        "name": it.command_name,
        "custom_id": it.data.get("custom_id"),
        "channel_id": str(it.channel.id),
        "status": state,
        "callback_type": it.callback_type,
        "ephemeral": any(m.ephemeral for m in seen.values()),
        "messages": messages,
        "modal": modal_json(it) if it.modal is not None else None,
        "error": error,
    }


async def settled(site: Site, it: InteractionRecord) -> dict[str, Any]:
    """Wait (up to WAIT_SECONDS) for the bot's first answer, and briefly past "thinking...", return it."""
    world = site.emu.world

    def answered() -> bool | None:
        """Return True once the bot answered in any way (or the deadline passed)."""
        return True if status(site, it) != "pending" else None

    def past_thinking() -> bool | None:
        """Return True once a deferred answer was filled in."""
        return True if status(site, it) != "deferred" else None

    # A failed wait is no error here: the returned state says "pending", "deferred" or "failed".
    with contextlib.suppress(AssertionError):
        await world.wait_until(answered, WAIT_SECONDS, f"an answer to {it!r}")
        await world.wait_until(past_thinking, THINKING_GRACE, f"the deferred answer to {it!r}")
    return interaction_json(site, it)


def open_modals(site: Site, viewer: Member) -> list[InteractionRecord]:
    """Return the viewer's open form: only the newest unsubmitted one, as Discord shows one at a time."""
    mine = [
        it
        for it in site.emu.world.interactions.values()
        if it.modal is not None and it.user.id == viewer.id and it.id not in site.closed_modals
    ]
    mine.sort(key=lambda it: it.id)
    for older in mine[:-1]:
        site.closed_modals.add(older.id)
    return mine[-1:]
