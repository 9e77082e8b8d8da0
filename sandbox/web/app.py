"""The sandbox page's aiohttp app: the page and its static files, the JSON API, the live websocket."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

import sandbox.perms as perms
import sandbox.web.actions as actions

from ..http_base import ApiError
from ..options import NotPossible
from .live import LiveHub
from .site import SITE, BadInput, NotFound, Site, parse_id
from .views import (
    channels_json,
    events_json,
    lookups,
    members_json,
    message_json,
    messages_json,
    user_json,
)

if TYPE_CHECKING:
    from ..emulator import Emulator
    from ..guild import Guild
    from ..state import Member

STATIC_DIR = Path(__file__).parent / "static"
MAX_UPLOAD = 11 * 1024 * 1024  # Discord's 10 MiB file limit plus the multipart envelope
log = logging.getLogger(__name__)
routes = web.RouteTableDef()
PLACEHOLDER = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>climabot sandbox</title>
</head><body><h1>climabot sandbox</h1><p>The page is not installed (sandbox/web/static/index.html is
missing); the JSON API is under <a href="/api/members">/api/</a>.</p></body></html>"""


def page_app(emu: Emulator, guild_id: int, *, data_dir: Path | None = None) -> web.Application:
    """Return the aiohttp app that lets a browser act as any member of one emulated server."""
    app = web.Application(middlewares=[errors], client_max_size=MAX_UPLOAD)
    site = Site(emu, guild_id, data_dir)
    app[SITE] = site
    app.add_routes(routes)
    app.add_routes(actions.routes)

    async def start_live(app: web.Application) -> None:
        """Start pushing world changes to open pages."""
        site.live = LiveHub(emu.world)
        site.live.start()

    async def stop_live(app: web.Application) -> None:
        """Close open websockets so the server can stop at once."""
        if site.live is not None:
            await site.live.stop()

    app.on_startup.append(start_live)
    app.on_shutdown.append(stop_live)
    return app


def _error(status: int, text: str) -> web.Response:
    """Return the one-line JSON error the page shows."""
    line = (text.strip().splitlines() or ["error"])[0]
    return web.json_response({"error": line}, status=status)


@web.middleware
async def errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Turn refusals into {"error": "one line"}: 400 for wrong input or what Discord would refuse, 404."""
    try:
        return await handler(request)
    except (NotPossible, BadInput) as err:
        return _error(400, str(err))
    except NotFound as err:
        return _error(404, str(err))
    except ApiError as err:
        return _error(400, f"Discord refused it: {err.message}")
    except web.HTTPException as err:
        if not request.path.startswith("/api/") or err.status < 400:
            raise
        return _error(err.status, err.reason)
    except AssertionError as err:  # e.g. no bot connected to the emulator
        return _error(400, str(err))


@routes.get("/")
async def index(request: web.Request) -> web.StreamResponse:
    """Serve the page (or a placeholder while it is not installed)."""
    page = STATIC_DIR / "index.html"
    if page.is_file():
        return web.FileResponse(page, headers={"Cache-Control": "no-cache"})
    return web.Response(text=PLACEHOLDER, content_type="text/html")


@routes.get("/static/{path:.+}")
async def static(request: web.Request) -> web.StreamResponse:
    """Serve a file of the page from sandbox/web/static/ (never outside it)."""
    root = STATIC_DIR.resolve()
    target = (root / request.match_info["path"]).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(target, headers={"Cache-Control": "no-cache"})


@routes.get("/api/live")
async def live(request: web.Request) -> web.StreamResponse:
    """Open the websocket that says when to refetch."""
    hub = request.app[SITE].live
    if hub is None:
        raise web.HTTPServiceUnavailable()
    return await hub.handle(request)


@routes.get("/api/version")
async def version(request: web.Request) -> web.Response:
    """Return the change counter the websocket pushes."""
    hub = request.app[SITE].live
    return web.json_response({"version": hub.version if hub else 0})


@routes.get("/api/guild")
async def guild(request: web.Request) -> web.Response:
    """Return the demo server's name and the bot."""
    site = request.app[SITE]
    g = site.guild
    bot = user_json(g, site.emu.world.bot_user)
    return web.json_response({"id": str(g.id), "name": g.name, "locale": g.preferred_locale, "bot": bot})


@routes.get("/api/members")
async def members(request: web.Request) -> web.Response:
    """Return who the page can act as."""
    return web.json_response({"members": members_json(request.app[SITE].guild)})


@routes.get("/api/channels")
async def channels(request: web.Request) -> web.Response:
    """Return the channel list as the viewer sees it."""
    site = request.app[SITE]
    return web.json_response(channels_json(site, site.viewer(request)))


@routes.get("/api/channels/{channel_id}/messages")
async def messages(request: web.Request) -> web.Response:
    """Return a channel's messages as the viewer sees them (with their ephemerals)."""
    site = request.app[SITE]
    viewer = site.viewer(request)
    ch = site.channel(request.match_info["channel_id"], viewer)
    raw = request.query.get("limit", "100")
    if not raw.isdigit() or not 1 <= int(raw) <= 500:
        raise BadInput("limit must be a number from 1 to 500")
    return web.json_response(messages_json(site, viewer, ch, int(raw)))


@routes.get("/api/messages/{message_id}")
async def message(request: web.Request) -> web.Response:
    """Return one message the viewer can see, with its lookup tables."""
    site = request.app[SITE]
    viewer = site.viewer(request)
    msg = message_json(site, site.message(request.match_info["message_id"], viewer))
    return web.json_response({"message": msg, **lookups(site, [msg])})


@routes.get("/api/commands")
async def commands(request: web.Request) -> web.Response:
    """Return the synced slash commands the viewer can use in a channel, raw."""
    site = request.app[SITE]
    viewer = site.viewer(request)
    ch = site.channel(request.query.get("channel_id"), viewer)
    g = site.guild_for(ch)
    scopes: list[int | None] = ([g.id] if g else []) + [None]
    out: dict[str, dict[str, Any]] = {}
    for scope in scopes:
        for cmd in site.emu.commands(scope):
            if cmd.get("type", 1) == 1 and cmd["name"] not in out and usable(cmd, g, viewer):
                out[cmd["name"]] = cmd
    return web.json_response({"commands": [out[name] for name in sorted(out)]})


def usable(cmd: dict[str, Any], g: Guild | None, viewer: Member) -> bool:
    """Return whether Discord's client offers this command to the viewer here (contexts, permissions)."""
    contexts = cmd.get("contexts")
    if g is None:
        return (contexts is None or 1 in contexts) and cmd.get("dm_permission") is not False
    if contexts is not None and 0 not in contexts:
        return False
    required = cmd.get("default_member_permissions")
    return required is None or perms.has(viewer.permissions, int(required))


@routes.get("/api/events")
async def events(request: web.Request) -> web.Response:
    """Return the server's scheduled events."""
    site = request.app[SITE]
    return web.json_response({"events": events_json(site, site.viewer(request))})


@routes.get("/api/files/{file_id}/{filename}")
async def file(request: web.Request) -> web.Response:
    """Serve an uploaded or attached file (images inline, anything else as a download)."""
    site = request.app[SITE]
    f = site.emu.world.files.get(parse_id(request.match_info["file_id"], "file id"))
    if f is None:
        raise NotFound("no such file")
    kind = f.content_type or "application/octet-stream"
    inline = kind.split(";")[0] in ("image/png", "image/jpeg", "image/gif", "image/webp", "text/plain")
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"}
    if not inline:
        headers["Content-Disposition"] = "attachment"
    return web.Response(body=f.data, headers={**headers, "Content-Type": kind})
