"""Short durations such as `90m`, `3d` or `1h30m`, as typed in commands and the config file."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.i18n import ENGLISH, Lang

ACCEPTED_FORMS = "a number and a unit: 30s, 90m, 2h, 3d, 1w (combinations such as 1h30m allowed)"

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

# Spelled-out units are accepted because members type "in 2 hours" as often as "in 2h".
_UNIT_ALIASES = {
    "s": "s",
    "sec": "s",
    "secs": "s",
    "second": "s",
    "seconds": "s",
    "m": "m",
    "min": "m",
    "mins": "m",
    "minute": "m",
    "minutes": "m",
    "h": "h",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "d": "d",
    "day": "d",
    "days": "d",
    "w": "w",
    "wk": "w",
    "wks": "w",
    "week": "w",
    "weeks": "w",
}

# One "<number><unit>" part, anchored where the previous one ended; digit, letter and space classes
# are disjoint, so matching is linear even on hostile input.
_PART = re.compile(r"\s*([0-9]+)\s*([a-z]+)", re.ASCII)
_MAX_DIGITS = 12


def parse_duration(text: str) -> timedelta:
    """Parse a duration such as `90m`, `2h`, `3d`, `1w`, `30s` or `1h 30m` into a timedelta."""
    lowered = text.lower()
    position = 0
    total_seconds = 0
    parts = 0
    while True:
        match = _PART.match(lowered, position)
        if match is None:
            break
        digits, unit = match.groups()
        canonical = _UNIT_ALIASES.get(unit)
        if canonical is None:
            raise ValueError(f"unknown unit {unit[:10]!r}; use {ACCEPTED_FORMS}")
        if len(digits) > _MAX_DIGITS:
            raise ValueError(f"duration is too large; use {ACCEPTED_FORMS}")
        total_seconds += int(digits) * _UNIT_SECONDS[canonical]
        parts += 1
        position = match.end()
    if parts == 0 or lowered[position:].strip():
        raise ValueError(f"not a duration; use {ACCEPTED_FORMS}")
    try:
        return timedelta(seconds=total_seconds)
    except OverflowError:
        raise ValueError(f"duration is too large; use {ACCEPTED_FORMS}") from None


def format_duration(delta: timedelta) -> str:
    """Render a timedelta in the short form parse_duration reads, e.g. `1d 2h`; sub-seconds are dropped."""
    if delta < timedelta(0):
        return "-" + format_duration(-delta)
    seconds = delta.days * 86400 + delta.seconds
    parts = []
    for unit in ("d", "h", "m", "s"):
        amount, seconds = divmod(seconds, _UNIT_SECONDS[unit])
        if amount:
            parts.append(f"{amount}{unit}")
    return " ".join(parts) if parts else "0s"


def describe_offset(offset: timedelta, t: Lang = ENGLISH) -> str:
    """Say an offset in words, in language t: 14 days, 1 day, 3 hours, 30 minutes."""
    seconds = int(offset.total_seconds())
    if seconds >= 86400 and seconds % 86400 == 0:
        return t.ngettext("{n} day", "{n} days", seconds // 86400)
    if seconds >= 3600 and seconds % 3600 == 0:
        return t.ngettext("{n} hour", "{n} hours", seconds // 3600)
    if seconds >= 60 and seconds % 60 == 0:
        return t.ngettext("{n} minute", "{n} minutes", seconds // 60)
    return t.ngettext("{n} second", "{n} seconds", seconds)
