"""Shared pieces of the emulated HTTP API: errors, uploaded files, rejected requests, JSON responses."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web

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
class Violation:
    """A request Discord would reject (400), with why."""

    method: str
    path: str
    problems: list[str]
    body: Any = None


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """Return a JSON response whose Content-Type is exactly application/json (discord.py checks that)."""
    all_headers = {"Content-Type": "application/json"}
    all_headers.update(headers or {})
    return web.Response(status=status, body=json.dumps(data).encode(), headers=all_headers)
