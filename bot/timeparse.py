"""Read a point in time typed by a member (`2026-12-01 09:30`, `2026-12-01`, `in 3d`) into UTC.

Rules, stated once so help texts and tests agree:

- `YYYY-MM-DD HH:MM` or `YYYY-MM-DDTHH:MM` is a wall-clock time in the given zone.
- `YYYY-MM-DD` alone means 09:00 that day in the given zone (a friendly hour for announcements).
- `in <duration>` (`in 90m`, `in 2h`, `in 3d`, `in 1w`, `in 1h30m`) is relative to `now`.
- Case and surrounding whitespace are ignored.
- A wall-clock time that does not exist (skipped by a daylight-saving jump forward) is shifted
  forward by the length of the jump: 02:30 on the night clocks go from 02:00 to 03:00 becomes 03:30.
- A wall-clock time that happens twice (clocks go back) means its first occurrence.
- A time in the past is returned as is; callers decide whether that is allowed.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot.durations import parse_duration
from bot.errors import ValidationError
from bot.i18n import N_, Msg
from bot.replies import quote_input

DATE_ONLY_TIME = time(9, 0)
ACCEPTED_WHEN = N_(
    "`2026-12-01 09:30`, `2026-12-01T09:30`, `2026-12-01` (09:00 that day), "
    "or `in 90m`, `in 2h`, `in 3d`, `in 1w`"
)
QUOTE_LIMIT = 50

_DATE_TIME = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})"
    r"(?:(?:t|\s+)(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2}))?",
    re.ASCII,
)
_RELATIVE = re.compile(r"in\s*(?P<duration>.+)", re.ASCII | re.DOTALL)


def localize(wall: datetime, tz: ZoneInfo) -> datetime:
    """Turn a naive wall-clock time in `tz` into an aware UTC datetime (gap: forward; fold: first)."""
    # fold=0 selects the offset in force before a transition: for a skipped time that lands the
    # instant after the jump, shifted forward by its length; for a repeated time it is the first.
    return wall.replace(tzinfo=tz, fold=0).astimezone(UTC)


def parse_when(text: str, tz: ZoneInfo, *, now: datetime) -> datetime:
    """Parse a member's point in time into an aware UTC datetime, or raise ValidationError."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    cleaned = text.strip().lower()
    relative = _RELATIVE.fullmatch(cleaned)
    if relative is not None:
        return _relative(text, tz, now, relative["duration"])
    absolute = _DATE_TIME.fullmatch(cleaned)
    if absolute is not None:
        return _absolute(text, tz, absolute)
    raise _invalid(text, tz, None)


def _relative(text: str, tz: ZoneInfo, now: datetime, duration: str) -> datetime:
    """Return now plus the typed duration, in UTC."""
    try:
        delta = parse_duration(duration)
    except ValueError:
        raise _invalid(text, tz, Msg("that is not a duration I understand")) from None
    try:
        return now.astimezone(UTC) + delta
    except OverflowError:
        raise _invalid(text, tz, Msg("that is too far in the future")) from None


def _absolute(text: str, tz: ZoneInfo, match: re.Match[str]) -> datetime:
    """Build the UTC instant for a matched date with an optional time of day."""
    try:
        day = date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        raise _invalid(text, tz, Msg("there is no such date")) from None
    if match["hour"] is None:
        at = DATE_ONLY_TIME
    else:
        try:
            at = time(int(match["hour"]), int(match["minute"]))
        except ValueError:
            raise _invalid(text, tz, Msg("there is no such time of day")) from None
    try:
        return localize(datetime.combine(day, at), tz)
    except (OverflowError, ValueError):
        raise _invalid(text, tz, Msg("that date is out of range")) from None


def _invalid(text: str, tz: ZoneInfo, reason: Msg | None) -> ValidationError:
    """Build the error shown to a member, quoting their input safely and listing accepted forms."""
    typed = quote_input(" ".join(text.split()), QUOTE_LIMIT)
    if reason is None:
        return ValidationError(
            "I could not read {typed} as a time. Use {accepted}; dates and times are in {zone}.",
            typed=typed,
            accepted=Msg(ACCEPTED_WHEN),
            zone=str(tz),
        )
    return ValidationError(
        "I could not read {typed} as a time ({reason}). Use {accepted}; dates and times are in {zone}.",
        typed=typed,
        reason=reason,
        accepted=Msg(ACCEPTED_WHEN),
        zone=str(tz),
    )
