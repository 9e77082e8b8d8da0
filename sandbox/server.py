"""The HTTP front door: faults, auth, routing, body parsing, validation, rate-limit headers, logs."""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
from typing import Any, NamedTuple, Protocol

from aiohttp import BodyPartReader, web

from .cdn import Cdn
from .faults import Faults
from .gateway import Gateway
from .http_base import ApiError, UploadedFile, Violation, invalid_form, json_response
from .routing import ApiHost, Call, Router
from .validation import RequestValidator

API_PREFIX = "/api/v10"


class Logged(NamedTuple):
    """One API request as the emulator answered it."""

    method: str
    path: str
    status: int


class ServerHost(ApiHost, Protocol):
    """What the front door uses of the Emulator, besides what the handlers use."""

    token: str
    requests: list[Logged]
    unknown_routes: list[tuple[str, str]]
    faults: Faults
    validator: RequestValidator
    gateway: Gateway
    cdn: Cdn


class ApiServer:
    """Handles every /api/v10 request through the route table."""

    def __init__(self, emu: ServerHost, router: Router) -> None:
        """Create the front door for an emulator and its routes."""
        self.emu = emu
        self.router = router

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one API request and log it."""
        path = request.path[len(API_PREFIX) :] or "/"
        method = request.method
        try:
            response = await self._answer(request, method, path)
        except ApiError as err:
            response = json_response(err.body(), err.status)
        response.headers.update(self._ratelimit_headers(method, path, response.status))
        self.emu.requests.append(Logged(method, path, response.status))
        self.emu.world.notify()
        return response

    async def _answer(self, request: web.Request, method: str, path: str) -> web.StreamResponse:
        """Apply faults, auth, routing, parsing and validation, then call the handler."""
        faults = self.emu.faults
        delay = faults.take("delay", method, path)
        if delay is not None:
            await asyncio.sleep(delay.options["seconds"])
        limited = faults.take("rate_limit", method, path)
        if limited is not None:
            return self._too_many_requests(method, path, **limited.options)
        broken = faults.take("server_error", method, path)
        if broken is not None:
            status = broken.options["status"]
            return json_response({"message": f"{status}: Internal Server Error", "code": 0}, status)
        found = self.router.match(method, path)
        if found is None:
            self.emu.unknown_routes.append((method, path))
            raise ApiError(404, 0, "404: Not Found")
        route, params = found
        if route.bot_auth and request.headers.get("Authorization") != f"Bot {self.emu.token}":
            raise ApiError(401, 0, "401: Unauthorized")
        call = Call(self.emu, request, method, path, params)
        await self._parse_body(call)
        if call.body is not None:
            problems = self.emu.validator.validate(method, path, call.body)
            if problems:
                raise self._violation(call, list(problems), invalid_form(list(problems)))
        try:
            result = await route.handler(call)
        except ApiError as err:
            if err.status == 400:
                raise self._violation(call, [f"{err.code} {err.message}"], err) from None
            raise
        lost = faults.take("lost_response", method, path)
        if lost is not None:
            status = lost.options["status"]
            return json_response({"message": f"{status}: Internal Server Error", "code": 0}, status)
        if isinstance(result, web.StreamResponse):
            return result
        if result is None:
            return web.Response(status=204)
        if isinstance(result, tuple):
            status, data = result
            return json_response(data, status)
        return json_response(result)

    def _violation(self, call: Call, problems: list[str], err: ApiError) -> ApiError:
        """Record a rejected request and return the error to answer with."""
        self.emu.violations.append(Violation(call.method, call.path, problems, call.body))
        return err

    async def _parse_body(self, call: Call) -> None:
        """Parse a JSON body, or a multipart body's payload_json and files[n]."""
        request = call.request
        if not request.body_exists:
            return
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    raise ApiError(400, 50035, "Invalid Form Body")  # nested multipart: Discord has none
                data = await part.read()
                name = part.name or ""
                if name == "payload_json":
                    call.body = self._load_json(bytes(data))
                else:
                    content_type = part.headers.get("Content-Type")
                    call.files[name] = UploadedFile(part.filename or name, content_type, bytes(data))
            return
        raw = await request.read()
        if raw:
            call.body = self._load_json(raw)

    @staticmethod
    def _load_json(raw: bytes) -> Any:
        """Parse JSON or fail like Discord does on a malformed body."""
        try:
            return json.loads(raw)
        except ValueError:
            raise ApiError(400, 50109, "The request body contains invalid JSON.") from None

    # --- rate-limit headers ------------------------------------------------

    def _bucket(self, method: str, path: str) -> str:
        """Return a stable bucket hash for a route (ids replaced so one route is one bucket)."""
        found = self.router.match(method, path)
        key = f"{method} {found[0].pattern}" if found else f"{method} {path}"
        return hashlib.sha1(key.encode()).hexdigest()[:16]

    def _ratelimit_headers(self, method: str, path: str, status: int) -> dict[str, str]:
        """Return the X-RateLimit-* headers of a normal response (never exhausted)."""
        if status == 429:
            return {}
        now = self.emu.world.now()
        return {
            "X-RateLimit-Limit": "50",
            "X-RateLimit-Remaining": "49",
            "X-RateLimit-Reset": f"{now + 1:.3f}",
            "X-RateLimit-Reset-After": "1.000",
            "X-RateLimit-Bucket": self._bucket(method, path),
        }

    def _too_many_requests(
        self, method: str, path: str, *, retry_after: float, global_: bool
    ) -> web.Response:
        """Return a 429 as Discord sends it (with Via: discord.py treats a 429 without it as a ban)."""
        now = self.emu.world.now()
        headers = {
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{now + retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{retry_after:.3f}",
            "X-RateLimit-Bucket": self._bucket(method, path),
            "X-RateLimit-Scope": "global" if global_ else "user",
            "Via": "1.1 google",
        }
        if global_:
            headers["X-RateLimit-Global"] = "true"
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": global_}
        if not global_:
            body["code"] = 0
        return json_response(body, 429, headers)


def build_app(emu: ServerHost, router: Router) -> web.Application:
    """Return the aiohttp application serving the gateway, the API and the CDN."""
    api = ApiServer(emu, router)
    app = web.Application(client_max_size=1024**3)
    app.router.add_get("/", emu.gateway.handle)
    app.router.add_get("/attachments/{channel_id}/{file_id}/{filename}", emu.cdn.handle)
    app.router.add_route("*", API_PREFIX + "{tail:.*}", api.handle)

    async def other(request: web.Request) -> web.Response:
        """Answer and record any path outside the API."""
        emu.unknown_routes.append((request.method, request.path))
        return json_response({"message": "404: Not Found", "code": 0}, 404)

    app.router.add_route("*", "/{tail:.*}", other)
    return app
