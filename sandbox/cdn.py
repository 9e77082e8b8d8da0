"""The emulated CDN: signed, expiring attachment URLs like cdn.discordapp.com's."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from typing import Protocol
from urllib.parse import quote

from aiohttp import web

from .state import StoredFile


class CdnWorld(Protocol):
    """What the CDN uses of the world: its clock and its files."""

    files: dict[int, StoredFile]

    def now(self) -> float:
        """Return the emulated wall clock."""
        ...


class Cdn:
    """Signs attachment URLs (ex = expiry, is = issue time, hm = HMAC) and serves the files."""

    def __init__(self, world: CdnWorld, ttl: float = 86400.0) -> None:
        """Create a CDN for the world's files; URLs stay valid for `ttl` seconds."""
        self.world = world
        self.ttl = ttl
        self.base_url = ""
        self._secret = secrets.token_bytes(16)
        self.downloads: list[tuple[int, int]] = []  # (file id, status)

    def signed_url(self, f: StoredFile) -> str:
        """Return a URL for the file, valid from now for `ttl` seconds."""
        issued = int(self.world.now())
        expires = math.ceil(self.world.now() + self.ttl)
        path = f"/attachments/{f.channel_id}/{f.id}/{quote(f.filename)}"
        ex, is_ = format(expires, "x"), format(issued, "x")
        return f"{self.base_url}{path}?ex={ex}&is={is_}&hm={self._sign(path, ex, is_)}&"

    def _sign(self, path: str, ex: str, is_: str) -> str:
        """Return the HMAC of a path and its validity window."""
        return hmac.new(self._secret, f"{path}|{ex}|{is_}".encode(), hashlib.sha256).hexdigest()

    def file_for(self, request: web.Request) -> StoredFile | None:
        """Return the file a request asks for if its signature is valid and not expired."""
        try:
            file_id = int(request.match_info["file_id"])
            ex, is_, hm = request.query["ex"], request.query["is"], request.query["hm"]
            expires = int(ex, 16)
        except (KeyError, ValueError):
            return None
        f = self.world.files.get(file_id)
        if f is None or str(f.channel_id) != request.match_info["channel_id"]:
            return None
        path = f"/attachments/{f.channel_id}/{f.id}/{quote(f.filename)}"
        if not hmac.compare_digest(self._sign(path, ex, is_), hm):
            return None
        if self.world.now() >= expires:
            return None
        return f

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve an attachment, or 404 for a bad signature or an expired URL (as Discord's CDN does)."""
        f = self.file_for(request)
        file_id = int(request.match_info["file_id"]) if request.match_info["file_id"].isdigit() else 0
        if f is None:
            self.downloads.append((file_id, 404))
            return web.Response(status=404, text="This content is no longer available.")
        self.downloads.append((file_id, 200))
        return web.Response(
            body=f.data, headers={"Content-Type": f.content_type or "application/octet-stream"}
        )
