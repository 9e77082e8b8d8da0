"""Discord timestamp markup (`<t:unix:F>`), so each reader sees a time in their own zone."""

from __future__ import annotations

import math
from datetime import datetime

# t: 16:20, T: 16:20:30, d: 20/04/2021, D: 20 April 2021, f: D + t, F: weekday + f, R: "in 2 days".
STYLES = frozenset("tTdDfFR")


def discord_timestamp(dt: datetime, style: str = "F") -> str:
    """Render an aware datetime as `<t:UNIX:STYLE>`."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("discord_timestamp needs a timezone-aware datetime")
    if style not in STYLES:
        raise ValueError(f"unknown timestamp style {style!r}; use one of {''.join(sorted(STYLES))}")
    return f"<t:{math.floor(dt.timestamp())}:{style}>"


def full_and_relative(dt: datetime) -> str:
    """Render an aware datetime as the full date and time followed by the relative time."""
    return f"{discord_timestamp(dt, 'F')} ({discord_timestamp(dt, 'R')})"
