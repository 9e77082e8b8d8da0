"""Validates request bodies the bot sends to the emulated Discord.

Two layers: :mod:`sandbox.limits` (Discord's documented limits, checked by hand) and
Discord's OpenAPI description (``openapi.json``), whose request schemas are checked with
``jsonschema``. The spec is loaded lazily, once per file, and shared by all validators.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sandbox.limits as limits

ENV_VAR = "DISCORD_OPENAPI_SPEC"


def default_spec_path() -> Path:
    """Return the spec path from $DISCORD_OPENAPI_SPEC, else <repo>/../shared/discord-api/openapi.json."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared" / "discord-api" / "openapi.json"


# --- public interface -------------------------------------------------------------------------


class RequestValidator:
    """Checks each request body against Discord's limits and, when present, its OpenAPI spec."""

    def __init__(self, spec_path: Path | None = None) -> None:
        """Locate the spec (argument, $DISCORD_OPENAPI_SPEC, or the shared copy); missing is fine."""
        path = spec_path if spec_path is not None else default_spec_path()
        self.spec_found: bool = path.is_file()
        self.spec_path: Path | None = path if self.spec_found else None

    def validate(self, method: str, path: str, body: Any) -> list[str]:
        """Return every problem with a request body from both layers ([] when Discord would accept it)."""
        return self.check_limits(method, path, body) + self.check_spec(method, path, body)

    def check_limits(self, method: str, path: str, body: Any) -> list[str]:
        """Return problems found by the hand-written limits layer."""
        return limits.check_request(method, path, body)

    def check_spec(self, method: str, path: str, body: Any) -> list[str]:
        """Return problems found by validating against the OpenAPI request schema, if any."""
        if body is None or self.spec_path is None:
            return []
        from sandbox.openapi_index import load_index  # jsonschema is needed only when the spec is here

        return load_index(self.spec_path).problems(method, path, body)
