"""The .ics file: one event per deadline, stable UIDs, valid iCalendar read back by the library."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import icalendar

from bot.i18n import ENGLISH
from cogs.calls.calendar import deadlines_calendar, event_uid
from storage.calls import Call

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def make_call(identifier: str, deadline: datetime, **changes: object) -> Call:
    """A stored call as the repository would return it."""
    call = Call(
        id=1,
        guild_id=42,
        identifier=identifier,
        title="Zero-pollution cities, air; noise",
        programme="horizon-europe",
        opens_at=None,
        deadline_at=deadline,
        timezone="Europe/Brussels",
        link="https://ec.europa.eu/x",
        summary="Cut pollution.",
        tags=("air quality",),
        revision=0,
        created_by=7,
        created_at=NOW - timedelta(days=1),
        updated_at=NOW - timedelta(days=1),
    )
    return replace(call, **changes)  # type: ignore[arg-type]


def events(data: bytes) -> list[icalendar.Event]:
    """Parse an .ics file and return its events."""
    cal = icalendar.Calendar.from_ical(data)
    assert cal["VERSION"] == "2.0"
    assert "PRODID" in cal
    return list(cal.walk("VEVENT"))


def test_one_event_per_call_with_deadline_and_details() -> None:
    """Each call becomes one event at its deadline (UTC), with summary, URL, categories and an alarm."""
    first = make_call("HORIZON-MISS-2027-CIT-01-01", datetime(2027, 9, 16, 15, 0, tzinfo=UTC))
    second = make_call(
        "LIFE-2027", datetime(2027, 9, 23, 15, 0, tzinfo=UTC), id=2, programme="life", link=None
    )
    found = events(deadlines_calendar(ENGLISH, [first, second], name="Mission: deadlines", now=NOW))
    assert [str(e["UID"]) for e in found] == [event_uid(first), event_uid(second)]
    assert found[0].decoded("DTSTART") == first.deadline_at
    assert (
        str(found[0]["SUMMARY"])
        == "Deadline: HORIZON-MISS-2027-CIT-01-01 — Zero-pollution cities, air; noise"
    )
    assert str(found[0]["URL"]) == "https://ec.europa.eu/x"
    assert "URL" not in found[1]
    assert "Cut pollution." in str(found[0]["DESCRIPTION"])
    alarms = list(found[0].walk("VALARM"))
    assert len(alarms) == 1
    assert alarms[0].decoded("TRIGGER") == -timedelta(days=1)


def test_uid_is_stable_and_sequence_grows_with_edits() -> None:
    """Downloading again after an edit keeps the UID and raises SEQUENCE: calendars update the event."""
    call = make_call("EUI-IA-05", datetime(2027, 6, 30, 12, 0, tzinfo=UTC))
    edited = replace(call, deadline_at=datetime(2027, 7, 7, 12, 0, tzinfo=UTC), revision=1, updated_at=NOW)
    before = events(deadlines_calendar(ENGLISH, [call], name="x", now=NOW))[0]
    after = events(deadlines_calendar(ENGLISH, [edited], name="x", now=NOW + timedelta(days=1)))[0]
    assert before["UID"] == after["UID"] == "EUI-IA-05.42@climabot"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after.decoded("DTSTART") == edited.deadline_at


def test_same_identifier_in_two_servers_gets_two_uids() -> None:
    """UIDs include the server so two communities' calendars do not collide."""
    call = make_call("DUT-2027", datetime(2027, 11, 18, 11, 0, tzinfo=UTC))
    assert event_uid(call) != event_uid(replace(call, guild_id=43))


def test_empty_calendar_is_still_valid() -> None:
    """No open calls: a valid calendar with no events."""
    assert events(deadlines_calendar(ENGLISH, [], name="none", now=NOW)) == []
