"""Where the probe extension records saved notes: a plain module, shared by every loaded copy of it."""

from __future__ import annotations

# discord.py loads an extension as a fresh module each time, so its own globals are not shared.
SAVED: list[tuple[int, int, str]] = []
