"""Validate and suggest IANA time-zone names typed by members."""

from __future__ import annotations

import difflib
import functools
import zoneinfo

from bot.errors import ValidationError
from bot.replies import quote_input


@functools.cache
def zone_names() -> tuple[str, ...]:
    """Return every IANA zone name this machine knows, sorted."""
    return tuple(sorted(zoneinfo.available_timezones()))


def matching_zones(text: str, limit: int = 25) -> list[str]:
    """Return zone names containing the text (case-insensitive), best matches first."""
    needle = text.strip().lower().replace(" ", "_")
    if not needle:
        return list(zone_names()[:limit])
    starts = [z for z in zone_names() if z.lower().split("/")[-1].startswith(needle)]
    contains = [z for z in zone_names() if needle in z.lower() and z not in starts]
    return (starts + contains)[:limit]


def resolve_timezone(text: str) -> zoneinfo.ZoneInfo:
    """Return the zone named by text, or raise ValidationError with close suggestions."""
    name = text.strip()
    if name in zone_names():
        return zoneinfo.ZoneInfo(name)
    by_lower = {z.lower(): z for z in zone_names()}
    if name.lower() in by_lower:
        return zoneinfo.ZoneInfo(by_lower[name.lower()])
    close = difflib.get_close_matches(name, zone_names(), n=3, cutoff=0.6) or matching_zones(name, 3)
    if close:
        raise ValidationError(
            "{typed} is not a time zone I know. Use an IANA name such as `Europe/Brussels` or "
            "`Europe/Lisbon`. Did you mean {suggestions}?",
            typed=quote_input(name),
            suggestions=", ".join(f"`{z}`" for z in close),
        )
    raise ValidationError(
        "{typed} is not a time zone I know. Use an IANA name such as `Europe/Brussels` or `Europe/Lisbon`.",
        typed=quote_input(name),
    )
