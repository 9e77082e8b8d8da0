"""API routes for answering interactions: the callback and the interaction webhook."""

from __future__ import annotations

import asyncio
from typing import Any

from .http_base import ApiError, Violation, invalid_form, unknown
from .interactions import (
    AUTOCOMPLETE,
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
    Response,
)
from .messages import EPHEMERAL, SETTABLE_FLAGS
from .payloads import number_components
from .routing import Call, Router
from .state import Message

WEBHOOK_LIFETIME = 15 * 60
ALLOWED_CALLBACKS = {
    COMMAND: {CB_MESSAGE, CB_DEFER, CB_MODAL},
    COMPONENT: {CB_MESSAGE, CB_DEFER, CB_DEFER_UPDATE, CB_UPDATE, CB_MODAL},
    AUTOCOMPLETE: {CB_AUTOCOMPLETE},
    MODAL_SUBMIT: {CB_MESSAGE, CB_DEFER, CB_DEFER_UPDATE, CB_UPDATE},
}


def register(router: Router) -> None:
    """Add the interaction routes to the table."""
    router.add("POST", "/interactions/{interaction_id}/{token}/callback", bot_auth=False)(callback)
    base = "/webhooks/{app_id}/{token}"
    router.add("POST", base, bot_auth=False)(followup)
    for target in ("/messages/@original", "/messages/{message_id}"):
        router.add("GET", base + target, bot_auth=False)(get_message)
        router.add("PATCH", base + target, bot_auth=False)(edit_message)
        router.add("DELETE", base + target, bot_auth=False)(delete_message)


def _msg_type(it: InteractionRecord) -> int:
    """Return the message type of a response: CHAT_INPUT_COMMAND for commands, else DEFAULT."""
    return 20 if it.type == COMMAND else 0


async def callback(call: Call) -> Any:
    """Handle the initial response to an interaction (types 4 to 9)."""
    emu = call.emu
    it = emu.world.interactions.get(call.int_param("interaction_id"))
    if it is None or it.token != call.params["token"]:
        raise unknown("interaction")
    waited = asyncio.get_running_loop().time() - it.created_monotonic
    if emu.interaction_deadline is not None and waited > emu.interaction_deadline:
        problem = (
            f"answered {it!r} after {waited:.2f}s; Discord allows {emu.interaction_deadline}s (defer first)"
        )
        emu.violations.append(Violation(call.method, call.path, [problem], call.body))
        raise unknown("interaction")
    if it.acknowledged:
        raise ApiError(400, 40060, "Interaction has already been acknowledged.")
    body = call.json_body()
    kind = int(body.get("type", 0))
    data = body.get("data") or {}
    from_component = it.source_message is not None
    allowed = ALLOWED_CALLBACKS.get(it.type, set())
    if kind not in allowed or (kind in (CB_DEFER_UPDATE, CB_UPDATE) and not from_component):
        raise invalid_form([f"type: callback type {kind} is not valid for interaction type {it.type}"])
    message: Message | None = None
    if kind == CB_MESSAGE:
        message = _new_message(call, it, data)
        it.original = message
        it.visible.append(message)
    elif kind == CB_DEFER:
        ephemeral = bool(int(data.get("flags") or 0) & EPHEMERAL)
        message = emu.messages.create_loading(it.channel, it.id, ephemeral, _msg_type(it))
        it.original = message
    elif kind in (CB_DEFER_UPDATE, CB_UPDATE):
        it.original = it.source_message
        if kind == CB_UPDATE and it.source_message is not None:
            message = emu.messages.edit(it.source_message, data, call.files)
            it.visible.append(message)
    elif kind == CB_AUTOCOMPLETE:
        choices = data.get("choices") or []
        if len(choices) > 25:
            raise invalid_form(["data.choices: Must be 25 or fewer in length."])
        it.choices = choices
    elif kind == CB_MODAL:
        number_components(data.get("components") or [])
        it.modal = data
    it.callback_type = kind
    it.responses.append(Response("callback", kind, body, message))
    emu.world.notify()
    return _callback_response(call, it, kind, message)


def _new_message(call: Call, it: InteractionRecord, body: dict[str, Any]) -> Message:
    """Create a message the bot sends as the interaction's response or followup (it may be ephemeral)."""
    return call.emu.messages.create(
        it.channel,
        call.emu.world.bot_user,
        body,
        call.files,
        allowed_flags=SETTABLE_FLAGS | EPHEMERAL,
        interaction_id=it.id,
        msg_type=_msg_type(it),
        webhook=True,
    )


def _callback_response(call: Call, it: InteractionRecord, kind: int, message: Message | None) -> Any:
    """Return the InteractionCallbackResponse (discord.py always asks with_response)."""
    if not call.flag("with_response"):
        return None
    info: dict[str, Any] = {"id": str(it.id), "type": it.type, "activity_instance_id": None}
    if message is not None:
        info.update(
            response_message_id=str(message.id),
            response_message_loading=message.loading,
            response_message_ephemeral=message.ephemeral,
        )
    data: dict[str, Any] = {"interaction": info}
    if message is not None and kind in (CB_MESSAGE, CB_DEFER, CB_UPDATE):
        data["resource"] = {"type": kind, "message": call.emu.payloads.message(message)}
    return data


def _record(call: Call) -> InteractionRecord:
    """Return the interaction a webhook route's token belongs to (404 Unknown Webhook otherwise)."""
    emu = call.emu
    it = emu.world.interactions_by_token.get(call.params["token"])
    if it is None or call.params["app_id"] != str(emu.world.application_id):
        raise unknown("webhook")
    if emu.world.now() - it.created_at > WEBHOOK_LIFETIME or not it.acknowledged:
        raise unknown("webhook")
    return it


def _target(call: Call, it: InteractionRecord) -> Message:
    """Return the message a webhook message route names (@original or a followup id)."""
    mid = call.params.get("message_id")
    if mid is None:
        if it.original is None or it.original.deleted:
            raise unknown("message")
        return it.original
    for r in it.responses:
        if r.message is not None and str(r.message.id) == mid and not r.message.deleted:
            return r.message
    raise unknown("message")


async def followup(call: Call) -> Any:
    """Send a followup message (the first followup after a deferral fills the deferred message)."""
    emu = call.emu
    it = _record(call)
    body = call.json_body()
    original = it.original
    if it.callback_type == CB_DEFER and original is not None and original.loading:
        message = emu.messages.edit(original, body, call.files)
    else:
        message = _new_message(call, it, body)
    it.responses.append(Response("followup", None, body, message))
    it.visible.append(message)
    emu.world.notify()
    if call.flag("wait"):
        return emu.payloads.message(message)
    return None


async def get_message(call: Call) -> Any:
    """Return the original response or a followup."""
    it = _record(call)
    return call.emu.payloads.message(_target(call, it))


async def edit_message(call: Call) -> Any:
    """Edit the original response (filling a deferral) or a followup."""
    it = _record(call)
    target = _target(call, it)
    message = call.emu.messages.edit(target, call.json_body(), call.files)
    kind = "edit_original" if "message_id" not in call.params else "edit_followup"
    it.responses.append(Response(kind, None, call.body, message))
    it.visible.append(message)
    call.emu.world.notify()
    return call.emu.payloads.message(message)


async def delete_message(call: Call) -> Any:
    """Delete the original response or a followup."""
    it = _record(call)
    target = _target(call, it)
    call.emu.messages.delete(target)
    kind = "delete_original" if "message_id" not in call.params else "delete_followup"
    it.responses.append(Response(kind, None, None, target))
    call.emu.world.notify()
    return None
