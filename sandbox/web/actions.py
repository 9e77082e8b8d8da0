"""The page's actions: act as a member through the emulator (commands, clicks, forms, messages, uploads)."""

from __future__ import annotations

from typing import Any

from aiohttp import BodyPartReader, web

import sandbox.web.convert as convert

from ..interactions import ATTACHMENT_SIZE_LIMIT, InteractionRecord
from ..messages import sniff_content_type
from ..options import NotPossible, find_command
from ..state import FORUM
from .answers import interaction_json, modal_json, open_modals, settled
from .site import SITE, BadInput, NotFound, Site, parse_id
from .views import channel_json, event_json, file_url, is_postable, message_json

routes = web.RouteTableDef()


async def body(request: web.Request) -> dict[str, Any]:
    """Return the JSON object a request carries, or refuse it in one line."""
    try:
        data = await request.json()
    except ValueError:
        raise BadInput("the request body must be JSON") from None
    if not isinstance(data, dict):
        raise BadInput("the request body must be a JSON object")
    return data


async def started(request: web.Request, site: Site, it: InteractionRecord) -> web.Response:
    """Answer an action with its interaction id (and, with ?wait=1, the bot's answer)."""
    data: dict[str, Any] = {"interaction_id": str(it.id)}
    if request.query.get("wait") in ("1", "true"):
        data["interaction"] = await settled(site, it)
    return web.json_response(data)


def command_words(data: dict[str, Any]) -> list[str]:
    """Return the command path the page typed ("poll create"), without a leading slash."""
    words = str(data.get("command") or "").strip().lstrip("/").split()
    if not words:
        raise BadInput('say which command to run: {"command": "poll create", ...}')
    return words


@routes.post("/api/commands/run")
async def run_command(request: web.Request) -> web.Response:
    """Run a slash command as the viewer, in a channel, with typed option values."""
    site = request.app[SITE]
    viewer = site.viewer(request)
    data = await body(request)
    ch = site.channel(data.get("channel_id"), viewer)
    guild = site.guild_for(ch)
    words = command_words(data)
    declared = convert.declared_options(find_command(site.emu.world, guild, words[0]), words[1:])
    values = convert.command_values(site, guild, declared, _object(data.get("options"), "options"))
    it = await site.emu.slash(guild, viewer, " ".join(words), channel=ch, options=values)
    return await started(request, site, it)


@routes.post("/api/commands/autocomplete")
async def autocomplete(request: web.Request) -> web.Response:
    """Return the choices the bot offers for what the viewer typed into an autocomplete option."""
    site = request.app[SITE]
    viewer = site.viewer(request)
    data = await body(request)
    ch = site.channel(data.get("channel_id"), viewer)
    guild = site.guild_for(ch)
    words = command_words(data)
    focused = str(data.get("focused") or "")
    declared = convert.declared_options(find_command(site.emu.world, guild, words[0]), words[1:])
    others = {k: v for k, v in _object(data.get("options"), "options").items() if k != focused}
    values = convert.command_values(site, guild, declared, others)
    value = "" if data.get("value") is None else str(data.get("value"))
    try:
        choices = await site.emu.autocomplete(
            guild, viewer, " ".join(words), focused, value, channel=ch, options=values, timeout=3.0
        )
    except AssertionError as err:
        if isinstance(err, NotPossible):
            raise
        raise BadInput("the bot offered no choices within 3 s") from None
    return web.json_response({"choices": choices})


@routes.post("/api/messages/{message_id}/click")
async def click(request: web.Request) -> web.Response:
    """Click a button of a message as the viewer."""
    site = request.app[SITE]
    viewer = site.viewer(request)
    data = await body(request)
    msg = site.message(request.match_info["message_id"], viewer)
    guild = site.guild_for(site.emu.world.channels[msg.channel_id])
    it = await site.emu.click(guild, viewer, msg, str(data.get("custom_id") or ""))
    return await started(request, site, it)


@routes.post("/api/messages/{message_id}/select")
async def select(request: web.Request) -> web.Response:
    """Choose values in a select menu of a message as the viewer."""
    site = request.app[SITE]
    viewer = site.viewer(request)
    data = await body(request)
    msg = site.message(request.match_info["message_id"], viewer)
    guild = site.guild_for(site.emu.world.channels[msg.channel_id])
    custom_id = str(data.get("custom_id") or "")
    comp = msg.component(custom_id)
    if comp is None:
        raise NotPossible(f"the message has no select {custom_id!r}")
    values = convert.select_values(site, guild, comp, data.get("values"))
    it = await site.emu.select(guild, viewer, msg, custom_id, values)
    return await started(request, site, it)


def _modal(site: Site, request: web.Request) -> InteractionRecord:
    """Return the viewer's open form named in the path, or refuse."""
    viewer = site.viewer(request)
    iid = parse_id(request.match_info["interaction_id"], "interaction id")
    it = site.emu.world.interactions.get(iid)
    if it is None or it.modal is None or it.user.id != viewer.id:
        raise NotFound(f"no form {iid} for this member")
    if iid in site.closed_modals:
        raise BadInput("this form was already submitted or closed")
    return it


@routes.post("/api/modals/{interaction_id}/submit")
async def submit_modal(request: web.Request) -> web.Response:
    """Fill and submit a form the bot opened for the viewer."""
    site = request.app[SITE]
    viewer = site.viewer(request)
    data = await body(request)
    # No await from this check until the form is marked closed, so one form is submitted only once.
    opener = _modal(site, request)
    guild = site.guild_for(opener.channel)
    values = convert.modal_values(site, guild, opener.modal or {}, _object(data.get("values"), "values"))
    it = await site.emu.submit_modal(guild, viewer, opener, values)
    site.closed_modals.add(opener.id)
    site.emu.world.notify()  # the form is gone for the page
    return await started(request, site, it)


@routes.post("/api/modals/{interaction_id}/dismiss")
async def dismiss_modal(request: web.Request) -> web.Response:
    """Close a form without submitting it (Discord tells the bot nothing)."""
    site = request.app[SITE]
    opener = _modal(site, request)
    site.closed_modals.add(opener.id)
    site.emu.world.notify()
    return web.json_response({})


@routes.get("/api/modals")
async def modals(request: web.Request) -> web.Response:
    """Return the form the bot opened for the viewer and they have not submitted or closed."""
    site = request.app[SITE]
    viewer = site.viewer(request)
    return web.json_response({"modals": [modal_json(it) for it in open_modals(site, viewer)]})


@routes.get("/api/interactions/{interaction_id}")
async def interaction(request: web.Request) -> web.Response:
    """Return what the bot answered to one of the viewer's interactions (?wait=1 waits for it)."""
    site = request.app[SITE]
    viewer = site.viewer(request)
    iid = parse_id(request.match_info["interaction_id"], "interaction id")
    it = site.emu.world.interactions.get(iid)
    if it is None or it.user.id != viewer.id:
        raise NotFound(f"no interaction {iid} of this member")
    wait = request.query.get("wait") in ("1", "true")
    return web.json_response({"interaction": await settled(site, it) if wait else interaction_json(site, it)})


@routes.post("/api/channels/{channel_id}/messages")
async def post_message(request: web.Request) -> web.Response:
    """Post a plain message (with uploaded attachments) as the viewer."""
    site = request.app[SITE]
    viewer = site.viewer(request)
    data = await body(request)
    ch = site.channel(request.match_info["channel_id"], viewer)
    if not is_postable(ch):
        hint = "is a forum: open a post instead" if ch.type == FORUM else "takes no plain messages"
        raise BadInput(f"#{ch.name} {hint}")
    files = [convert.upload(site, a, "attachments") for a in _listed(data.get("attachments"))]
    reply_to = site.message(data["reply_to"], viewer) if data.get("reply_to") else None
    content = str(data.get("content") or "")
    if not content.strip() and not files:
        raise BadInput("a message needs text or a file")
    msg = site.emu.post_message(viewer, ch, content, attachments=files, reply_to=reply_to)
    return web.json_response({"message": message_json(site, msg)})


@routes.post("/api/channels/{channel_id}/threads")
async def post_thread(request: web.Request) -> web.Response:
    """Open a forum post as the viewer (title, text, tags by id or name, attachments)."""
    site = request.app[SITE]
    viewer = site.viewer(request)
    data = await body(request)
    forum = site.channel(request.match_info["channel_id"], viewer)
    if forum.type != FORUM:
        raise BadInput(f"#{forum.name} is not a forum")
    title, content = str(data.get("title") or "").strip(), str(data.get("content") or "")
    if not title or not content.strip():
        raise BadInput("a forum post needs a title and a text")
    names = {t["id"]: t["name"] for t in forum.available_tags}
    tags = []
    for tag in _listed(data.get("tags")):
        name = names.get(str(tag), str(tag))
        if name not in names.values():
            raise BadInput(f"#{forum.name} has no tag {tag!r}")
        tags.append(name)
    files = [convert.upload(site, a, "attachments") for a in _listed(data.get("attachments"))]
    thread, msg = site.emu.post_forum_thread(viewer, forum, title, content, tags=tags, attachments=files)
    return web.json_response({"thread": channel_json(site, thread), "message": message_json(site, msg)})


@routes.post("/api/uploads")
async def upload(request: web.Request) -> web.Response:
    """Store a file the viewer picked (multipart part `file`) and return its upload id."""
    site = request.app[SITE]
    site.viewer(request)
    if not request.content_type.startswith("multipart/"):
        raise BadInput("send the file as multipart/form-data with a part named 'file'")
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader) or part.name != "file":
            continue
        data = bytearray()
        while chunk := await part.read_chunk():
            data.extend(chunk)
            if len(data) > ATTACHMENT_SIZE_LIMIT:
                raise BadInput("the file is larger than Discord's 10 MiB limit")
        filename = part.filename or "file"
        # Discord reports the type it finds in the bytes, not what the browser declared.
        kind = sniff_content_type(bytes(data), filename, part.headers.get("Content-Type"))
        att = site.emu.upload(filename, bytes(data), kind)
        fid = int(att["id"])
        return web.json_response(
            {
                "id": att["id"],
                "filename": att["filename"],
                "content_type": att["content_type"],
                "size": att["size"],
                "url": file_url(fid, att["filename"]),
            }
        )
    raise BadInput("no part named 'file' in the upload")


@routes.post("/api/events/{event_id}/interest")
async def interest(request: web.Request) -> web.Response:
    """Mark or unmark the viewer as interested in a scheduled event."""
    site = request.app[SITE]
    viewer = site.viewer(request)
    data = await body(request)
    eid = parse_id(request.match_info["event_id"], "event id")
    event = site.guild.events.get(eid)
    if event is None:
        raise NotFound(f"no event {eid}")
    site.emu.show_interest(viewer, event, bool(data.get("interested", True)))
    return web.json_response({"event": event_json(site, event, viewer)})


def _object(value: Any, what: str) -> dict[str, Any]:
    """Return a JSON object field (missing counts as empty)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadInput(f"{what} must be a JSON object")
    return value


def _listed(value: Any) -> list[Any]:
    """Return a JSON list field (missing counts as empty)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadInput(f"expected a list, got {value!r}")
    return value
