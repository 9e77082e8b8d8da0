"""When things happen: occurrences of repeating announcements and deadline reminder times.

Repeats are computed from the first occurrence's wall-clock time in the zone it was entered in, so a
weekly 09:00 Europe/Brussels announcement stays at 09:00 local across daylight-saving changes.
A wall-clock time skipped by a jump forward moves forward by the jump; a repeated one means the first.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.timeparse import localize


class Repeat(enum.StrEnum):
    """How often an announcement comes back."""

    NONE = "none"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


_STEP_DAYS = {Repeat.DAILY: 1, Repeat.WEEKLY: 7}


def add_months(wall: datetime, months: int) -> datetime:
    """Move a naive wall-clock time by whole months, clamping the day (31 Jan + 1 month = 28/29 Feb)."""
    index = wall.month - 1 + months
    year, month = wall.year + index // 12, index % 12 + 1
    day = min(wall.day, calendar.monthrange(year, month)[1])
    return wall.replace(year=year, month=month, day=day)


def local_occurrence(first_local: datetime, repeat: Repeat, n: int) -> datetime:
    """Return the naive wall-clock time of occurrence number n (0 is the first)."""
    if n < 0:
        raise ValueError("occurrence numbers start at 0")
    if repeat is Repeat.NONE:
        if n != 0:
            raise ValueError("a one-off announcement has only occurrence 0")
        return first_local
    if repeat is Repeat.MONTHLY:
        return add_months(first_local, n)
    return first_local + timedelta(days=_STEP_DAYS[repeat] * n)


def occurrence_at(first_local: datetime, tz: ZoneInfo, repeat: Repeat, n: int) -> datetime:
    """Return the UTC instant of occurrence number n."""
    return localize(local_occurrence(first_local, repeat, n), tz)


def _estimate(first_local: datetime, tz: ZoneInfo, repeat: Repeat, moment: datetime) -> int:
    """Return an occurrence number at or just below the one due around `moment` (never negative)."""
    local = moment.astimezone(tz).replace(tzinfo=None)
    if repeat is Repeat.MONTHLY:
        months = (local.year - first_local.year) * 12 + local.month - first_local.month
        return max(months - 1, 0)
    return max((local - first_local).days // _STEP_DAYS[repeat] - 1, 0)


def next_after(
    first_local: datetime, tz: ZoneInfo, repeat: Repeat, after: datetime, *, start: int = 0
) -> tuple[int, datetime] | None:
    """Return the first occurrence numbered at least `start` that falls strictly after `after`."""
    if repeat is Repeat.NONE:
        if start > 0:
            return None
        due = occurrence_at(first_local, tz, repeat, 0)
        return (0, due) if due > after else None
    n = max(start, _estimate(first_local, tz, repeat, after))
    while (due := occurrence_at(first_local, tz, repeat, n)) <= after:
        n += 1
    return n, due


def latest_until(
    first_local: datetime, tz: ZoneInfo, repeat: Repeat, moment: datetime, *, start: int = 0
) -> tuple[int, datetime] | None:
    """Return the last occurrence numbered at least `start` that falls at or before `moment`."""
    following = next_after(first_local, tz, repeat, moment, start=start)
    if repeat is Repeat.NONE:
        return None if start > 0 or following is not None else (0, occurrence_at(first_local, tz, repeat, 0))
    assert following is not None
    n = following[0] - 1
    return None if n < start else (n, occurrence_at(first_local, tz, repeat, n))


@dataclass(frozen=True)
class CatchUp:
    """What to do with a pending occurrence at start: run one now, skip missed ones, or wait."""

    run: tuple[int, datetime] | None  # occurrence to send now (within the grace period)
    missed: int  # occurrences that came and went beyond the grace period
    following: tuple[int, datetime] | None  # the next occurrence to wait for when none runs now


def catch_up(
    first_local: datetime,
    tz: ZoneInfo,
    repeat: Repeat,
    *,
    occurrence: int,
    due: datetime,
    now: datetime,
    grace: timedelta,
) -> CatchUp:
    """Decide what a pending announcement owes after downtime: at most one late send, never a burst."""
    if due > now:
        return CatchUp(run=None, missed=0, following=(occurrence, due))
    latest = latest_until(first_local, tz, repeat, now, start=occurrence) or (occurrence, due)
    if now - latest[1] <= grace:
        return CatchUp(run=latest, missed=latest[0] - occurrence, following=None)
    following = next_after(first_local, tz, repeat, now, start=latest[0] + 1)
    return CatchUp(run=None, missed=latest[0] - occurrence + 1, following=following)


def reminder_times(
    deadline: datetime, offsets: Sequence[timedelta], tz: ZoneInfo, *, now: datetime
) -> list[tuple[timedelta, datetime]]:
    """Return (offset, due) for the reminders still ahead, counted in wall-clock time in the zone.

    Wall-clock subtraction keeps "3 days before a 17:00 deadline" at 17:00 local even when a
    daylight-saving change falls in between.
    """
    local = deadline.astimezone(tz).replace(tzinfo=None)
    planned = []
    for offset in sorted(set(offsets), reverse=True):
        due = localize(local - offset, tz)
        if due > now and due < deadline:
            planned.append((offset, due.astimezone(UTC)))
    return planned
