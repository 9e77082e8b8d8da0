"""Rules for an event: what a moderator may type, and when its reminders and follow-up come.

Discord's limits for an external scheduled event shape them: a name of at most 100 characters, a
description of at most 1,000, a location of at most 100, an end time, and a start in the future.
Every check returns the cleaned value or raises ValidationError saying what is accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.durations import format_duration, parse_duration
from bot.errors import ValidationError
from bot.i18n import N_, Msg
from bot.replies import quote_input
from bot.text import TOO_LONG, optional_visible, require_visible
from bot.timeparse import ACCEPTED_WHEN, parse_when
from bot.timestamps import full_and_relative
from bot.timezones import resolve_timezone
from storage.events import EventInput, NoticePlan

TITLE_LIMIT = 100
DESCRIPTION_LIMIT = 1000
LOCATION_LIMIT = 100
MIN_DURATION = timedelta(minutes=5)
MAX_DURATION = timedelta(days=7)
# Discord refuses a start in the past; a minute of margin covers the time the request takes.
MIN_LEAD = timedelta(minutes=1)
# Not a Discord rule: a start years away is almost always a typo in the year.
MAX_AHEAD = timedelta(days=2 * 365)
# Reminders before the start, longest first; one whose time has already passed is skipped.
REMINDER_OFFSETS: tuple[timedelta, ...] = (timedelta(days=1), timedelta(hours=1))

# Translators: {accepted} is the list of accepted date forms (`2026-12-01 09:30`, `in 2h`, ...).
ACCEPTED_START = N_("{accepted}; a date may end with a time zone, e.g. `2026-12-01 14:00 Europe/Lisbon`")
ACCEPTED_DURATION = N_("a length such as `45m`, `90m`, `2h` or `1h30m`, from 5 minutes to 7 days")
# Translators: {field} is what was typed into, e.g. "title"; {length} and {limit} count characters.
LINK_TOO_LONG = N_(
    "The {field} is {length} characters long; Discord allows at most {limit} (use a shorter link)."
)
TITLE = N_("title")
LOCATION = N_("place or link (`where`)")
DESCRIPTION = N_("description")

JOB_PREFIXES = {"reminder": "event-reminder:", "followup": "event-followup:"}

# An absolute date (and time) followed by one more word: that word is read as a time-zone name.
_DATE_THEN_ZONE = re.compile(
    r"(?P<when>[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[tT]|\s+)[0-9]{1,2}:[0-9]{2})?)\s+(?P<zone>[A-Za-z]\S*)",
    re.ASCII,
)


def one_line(text: str, field: str, limit: int, too_long: str = TOO_LONG) -> str:
    """Return member text on one line, or raise ValidationError if it shows nothing or is over the limit.

    `field` names the input (an English msgid marked with N_); `too_long` is the refusal's msgid.
    """
    return require_visible(" ".join((text or "").split()), field, max_length=limit, too_long=too_long)


def check_title(text: str) -> str:
    """Return the title on one line, or raise ValidationError if it is empty, invisible or too long."""
    return one_line(text, TITLE, TITLE_LIMIT)


def check_location(text: str) -> str:
    """Return where the event happens (a place or a link) on one line, or raise ValidationError."""
    return one_line(text, LOCATION, LOCATION_LIMIT, LINK_TOO_LONG)


def check_description(text: str | None) -> str:
    """Return the description trimmed (`\\n` typed becomes a line break), or raise ValidationError."""
    typed = None if text is None else text.replace("\\n", "\n")
    return optional_visible(typed, DESCRIPTION, max_length=DESCRIPTION_LIMIT) or ""


@dataclass(frozen=True)
class EventDraft:
    """A new event as a moderator typed it, checked: what the Discord event and the row are made of."""

    title: str
    location: str
    description: str
    starts_at: datetime
    ends_at: datetime
    zone: ZoneInfo

    def recorded_as(self, discord_event_id: int, campaign: str | None) -> EventInput:
        """The row to store once Discord has created the scheduled event."""
        return EventInput(
            discord_event_id=discord_event_id,
            title=self.title,
            description=self.description,
            location=self.location,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            timezone=self.zone.key,
            campaign=campaign,
        )


def draft_event(
    *,
    title: str,
    start: str,
    duration: str,
    where: str,
    description: str | None,
    server_zone: ZoneInfo,
    now: datetime,
) -> EventDraft:
    """Check everything a moderator typed for /event create; raise ValidationError at the first mistake."""
    name = check_title(title)
    location = check_location(where)
    details = check_description(description)
    length = parse_event_duration(duration)
    starts_at, zone = parse_start(start, server_zone, now=now)
    return EventDraft(name, location, details, starts_at, starts_at + length, zone)


def parse_event_duration(text: str) -> timedelta:
    """Read how long the event lasts, between 5 minutes and 7 days, or raise ValidationError."""
    try:
        length = parse_duration(text)
    except ValueError:
        raise ValidationError(
            "I could not read {typed} as a duration; use {accepted}.",
            typed=quote_input(" ".join(text.split())),
            accepted=Msg(ACCEPTED_DURATION),
        ) from None
    if not MIN_DURATION <= length <= MAX_DURATION:
        raise ValidationError(
            "{typed} is {length}; use {accepted}.",
            typed=quote_input(" ".join(text.split())),
            length=format_duration(length),
            accepted=Msg(ACCEPTED_DURATION),
        )
    return length


def split_zone(text: str) -> tuple[str, str | None]:
    """Split `2026-12-01 14:00 Europe/Lisbon` into the time and the zone name; None when no zone is given."""
    match = _DATE_THEN_ZONE.fullmatch(text.strip())
    if match is None:
        return text, None
    return match["when"], match["zone"]


def parse_start(text: str, server_zone: ZoneInfo, *, now: datetime) -> tuple[datetime, ZoneInfo]:
    """Read the start (server zone unless one is named), check it is ahead; return it and its zone."""
    when, zone_name = split_zone(text)
    zone = server_zone if zone_name is None else resolve_timezone(zone_name)
    start = parse_when(when, zone, now=now)
    if start < now + MIN_LEAD:
        raise ValidationError(
            "{typed} is {when}; an event must start at least a minute from now "
            "(Discord refuses past start times). Accepted: {accepted}.",
            typed=quote_input(" ".join(text.split())),
            when=full_and_relative(start),
            accepted=Msg(ACCEPTED_START, accepted=Msg(ACCEPTED_WHEN)),
        )
    if start > now + MAX_AHEAD:
        raise ValidationError(
            "{typed} is {when}, more than two years ahead; check the year.",
            typed=quote_input(" ".join(text.split())),
            when=full_and_relative(start),
        )
    return start, zone


def plan_notices(
    start: datetime, end: datetime, *, now: datetime, offsets: tuple[timedelta, ...] = REMINDER_OFFSETS
) -> list[NoticePlan]:
    """Plan an event's reminders still ahead of `now` (longest offset first) and its follow-up at the end."""
    if end <= start:
        raise ValueError("an event must end after it starts")
    plans = [
        NoticePlan("reminder", offset, start - offset)
        for offset in sorted(set(offsets), reverse=True)
        if start - offset > now
    ]
    plans.append(NoticePlan("followup", timedelta(0), end))
    return plans


def job_id(kind: str, notice_id: int) -> str:
    """The Timeline job id of a notice row: `event-reminder:<notice id>` or `event-followup:<notice id>`."""
    return f"{JOB_PREFIXES[kind]}{notice_id}"


def event_url(guild_id: int, discord_event_id: int) -> str:
    """The link that opens a Discord scheduled event."""
    return f"https://discord.com/events/{guild_id}/{discord_event_id}"
