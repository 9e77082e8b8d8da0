"""Shared pieces of the emulated HTTP API: errors, parsed calls, the route table, JSON responses."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .emulator import Emulator

UNKNOWN = {
    "account": (10001, "Unknown Account"),
    "application": (10002, "Unknown Application"),
    "channel": (10003, "Unknown Channel"),
    "guild": (10004, "Unknown Guild"),
    "member": (10007, "Unknown Member"),
    "message": (10008, "Unknown Message"),
    "role": (10011, "Unknown Role"),
    "user": (10013, "Unknown User"),
    "webhook": (10015, "Unknown Webhook"),
    "command": (10063, "Unknown application command"),
    "interaction": (10062, "Unknown interaction"),
    "event": (10070, "Unknown Guild Scheduled Event"),
}


class ApiError(Exception):
    """An error response in Discord's format: {"code": N, "message": "..."}."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        """Create an error with HTTP status, Discord error code and message."""
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        """Return the JSON body Discord sends for this error."""
        data: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            data["errors"] = self.errors
        return data


def unknown(kind: str) -> ApiError:
    """Return the 404 Discord gives for an unknown object of this kind."""
    code, message = UNKNOWN[kind]
    return ApiError(404, code, message)


def invalid_form(problems: list[str]) -> ApiError:
    """Return a 400 50035 Invalid Form Body with one entry per problem, nested by field where given."""
    errors: dict[str, Any] = {}
    for problem in problems:
        field_path, sep, message = problem.partition(": ")
        if not sep or " " in field_path:
            field_path, message = "_errors", problem
        node = errors
        for part in [p for p in re.split(r"[.\[\]]+", field_path) if p] if field_path != "_errors" else []:
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": "EMULATOR_INVALID", "message": message})
    return ApiError(400, 50035, "Invalid Form Body", errors)


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content_type: str | None
    data: bytes


@dataclass
class Call:
    """One API request as handlers see it."""

    emu: Emulator
    request: web.Request
    method: str
    path: str
    params: dict[str, str]
    body: Any = None
    files: dict[str, UploadedFile] = field(default_factory=dict)

    @property
    def query(self) -> Any:
        """Return the query parameters."""
        return self.request.query

    def int_param(self, name: str) -> int:
        """Return a path parameter as an int (an unparsable snowflake is a 404 like Discord's)."""
        try:
            return int(self.params[name])
        except ValueError:
            raise ApiError(404, 0, "404: Not Found") from None

    def flag(self, name: str) -> bool:
        """Return whether a boolean query parameter is set ("true"/"1")."""
        return self.query.get(name, "").lower() in ("1", "true")

    def json_body(self) -> dict[str, Any]:
        """Return the body as a JSON object (empty when there is none)."""
        if self.body is None:
            return {}
        if not isinstance(self.body, dict):
            raise invalid_form(["_errors: body must be a JSON object"])
        return self.body


Handler = Callable[[Call], Awaitable[Any]]


@dataclass
class Route:
    """One API route: method, path pattern, handler, and whether it needs the bot token."""

    method: str
    pattern: str
    regex: re.Pattern[str]
    handler: Handler
    bot_auth: bool


class Router:
    """The table of emulated API routes, matched on the path after /api/v10."""

    def __init__(self) -> None:
        """Create an empty table."""
        self.routes: list[Route] = []

    def add(self, method: str, pattern: str, *, bot_auth: bool = True) -> Callable[[Handler], Handler]:
        """Register a handler for METHOD /path/{param}/..."""

        def decorator(handler: Handler) -> Handler:
            """Add the handler to the table."""
            regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")
            self.routes.append(Route(method, pattern, regex, handler, bot_auth))
            return handler

        return decorator

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """Return the route and its parameters for a request, or None."""
        for route in self.routes:
            if route.method == method:
                m = route.regex.match(path)
                if m:
                    return route, m.groupdict()
        return None


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """Return a JSON response whose Content-Type is exactly application/json (discord.py checks that)."""
    all_headers = {"Content-Type": "application/json"}
    all_headers.update(headers or {})
    return web.Response(status=status, body=json.dumps(data).encode(), headers=all_headers)
