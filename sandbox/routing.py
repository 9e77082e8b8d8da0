"""The route table of the emulated HTTP API and the parsed calls its handlers receive.

Handlers reach the emulator through `ApiHost`, a Protocol naming what they use of it, so nothing below
the Emulator imports it back.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import web

from .http_base import ApiError, UploadedFile, Violation, invalid_form
from .messages import MessageOps
from .payloads import Payloads
from .state import User
from .world import World


class Host(Protocol):
    """What acting on messages and threads needs: the state, its payloads and the message operations."""

    world: World
    payloads: Payloads
    messages: MessageOps


class ApiHost(Host, Protocol):
    """What the API's handlers use of the Emulator."""

    app_owner: User
    violations: list[Violation]
    interaction_deadline: float | None

    @property
    def gateway_url(self) -> str:
        """Return the gateway address the bot is given."""
        ...


@dataclass
class Call:
    """One API request as handlers see it."""

    emu: ApiHost
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
