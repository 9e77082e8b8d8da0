"""The iCalendar (RFC 5545) file of call deadlines, built with the icalendar library.

Its texts (event summary, description, alarm) are in the language of the member who downloads it;
the deadline written out in the description is formatted by Babel for that language, in the call's
own time zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from bot.i18n import Lang
from cogs.calls.render import programme_name
from storage.calls import Call

PRODID = "-//climabot//Funding call deadlines//EN"


def event_uid(call: Call) -> str:
    """Return the call's stable UID, so a re-downloaded calendar updates events instead of adding them."""
    return f"{call.identifier}.{call.guild_id}@climabot"


def deadline_event(t: Lang, call: Call, *, now: datetime, alarm: timedelta | None) -> icalendar.Event:
    """Build the event of one call's deadline (a moment: DTSTART without an end)."""
    event = icalendar.Event()
    event.add("uid", event_uid(call))
    event.add("dtstamp", now)
    event.add("dtstart", call.deadline_at)
    event.add(
        "summary", t._("Deadline: {identifier} — {title}", identifier=call.identifier, title=call.title)
    )
    name = programme_name(t, call.programme)
    local = call.deadline_at.astimezone(ZoneInfo(call.timezone))
    description = [call.summary] if call.summary else []
    description.append(t._("Programme: {programme}", programme=name))
    # Translators: {when} is a date and time written out, e.g. "16 September 2027, 17:00:00 CEST".
    description.append(t._("Deadline: {when}", when=t.datetime(local, "long")))
    if call.link:
        description.append(call.link)
        event.add("url", call.link)
    event.add("description", "\n\n".join(description))
    event.add("categories", [name, *call.tags])
    event.add("sequence", call.revision)
    event.add("last-modified", call.updated_at)
    event.add("created", call.created_at)
    event.add("transp", "TRANSPARENT")
    if alarm is not None:
        reminder = icalendar.Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("trigger", -alarm)
        reminder.add("description", t._("{identifier} closes soon", identifier=call.identifier))
        event.add_component(reminder)
    return event


def deadlines_calendar(
    t: Lang, calls: Sequence[Call], *, name: str, now: datetime, alarm: timedelta | None = timedelta(days=1)
) -> bytes:
    """Return an .ics file with one event per call deadline, its texts in language t."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for call in calls:
        cal.add_component(deadline_event(t, call, now=now, alarm=alarm))
    return cal.to_ical()
