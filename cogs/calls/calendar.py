"""The iCalendar (RFC 5545) file of call deadlines, built with the icalendar library."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import icalendar

from cogs.calls.programmes import programme
from storage.calls import Call

PRODID = "-//climabot//Funding call deadlines//EN"


def event_uid(call: Call) -> str:
    """Return the call's stable UID, so a re-downloaded calendar updates events instead of adding them."""
    return f"{call.identifier}.{call.guild_id}@climabot"


def deadline_event(call: Call, *, now: datetime, alarm: timedelta | None) -> icalendar.Event:
    """Build the event of one call's deadline (a moment: DTSTART without an end)."""
    event = icalendar.Event()
    event.add("uid", event_uid(call))
    event.add("dtstamp", now)
    event.add("dtstart", call.deadline_at)
    event.add("summary", f"Deadline: {call.identifier} — {call.title}")
    description = [call.summary] if call.summary else []
    description.append(f"Programme: {programme(call.programme).name}")
    if call.link:
        description.append(call.link)
        event.add("url", call.link)
    event.add("description", "\n\n".join(description))
    event.add("categories", [programme(call.programme).name, *call.tags])
    event.add("sequence", call.revision)
    event.add("last-modified", call.updated_at)
    event.add("created", call.created_at)
    event.add("transp", "TRANSPARENT")
    if alarm is not None:
        reminder = icalendar.Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("trigger", -alarm)
        reminder.add("description", f"{call.identifier} closes soon")
        event.add_component(reminder)
    return event


def deadlines_calendar(
    calls: Sequence[Call], *, name: str, now: datetime, alarm: timedelta | None = timedelta(days=1)
) -> bytes:
    """Return an .ics file with one event per call deadline."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for call in calls:
        cal.add_component(deadline_event(call, now=now, alarm=alarm))
    return cal.to_ical()
