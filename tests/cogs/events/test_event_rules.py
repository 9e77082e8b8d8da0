"""The events rules: inputs within Discord's limits, start times, durations and when notices come."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import ValidationError
from cogs.events.rules import (
    DESCRIPTION_LIMIT,
    LOCATION_LIMIT,
    MAX_DURATION,
    MIN_DURATION,
    REMINDER_OFFSETS,
    TITLE_LIMIT,
    check_description,
    check_location,
    check_title,
    draft_event,
    event_url,
    job_id,
    parse_event_duration,
    parse_start,
    plan_notices,
    split_zone,
)

BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def test_title_is_one_line_within_discords_limit() -> None:
    """Whitespace collapses; 100 characters fit, 101 do not; empty is refused."""
    assert check_title("  Heat  pumps\nwebinar ") == "Heat pumps webinar"
    assert check_title("x" * TITLE_LIMIT) == "x" * TITLE_LIMIT
    with pytest.raises(ValidationError, match="101 characters long; Discord allows at most 100"):
        check_title("x" * 101)
    with pytest.raises(ValidationError, match="empty"):
        check_title("   ")


@pytest.mark.parametrize("invisible", ["\u200b\u200b", " \u2060\ufeff ", "\u200e\u200f", "\u0301"])
def test_invisible_only_text_is_refused_in_every_field(invisible: str) -> None:
    """Zero-width, bidi and lone combining characters show nothing: every text field refuses them."""
    for check, field in (
        (check_title, "title"),
        (check_location, "`where`"),
        (check_description, "description"),
    ):
        with pytest.raises(ValidationError, match="only invisible characters") as refused:
            check(invisible)
        assert field in str(refused.value)


def test_visible_text_around_zero_width_characters_is_kept() -> None:
    """A zero-width joiner inside real text is part of it (emoji sequences use it)."""
    assert check_title("Heat\u200dpumps") == "Heat\u200dpumps"


def test_draft_event_checks_every_field_and_keeps_the_zone() -> None:
    """A draft holds the cleaned text, start and end in UTC, and the zone the start was read in."""
    draft = draft_event(
        title=" Heat  pumps ",
        start="2026-12-01 14:00 Europe/Lisbon",
        duration="90m",
        where="Town hall",
        description=None,
        server_zone=BRUSSELS,
        now=NOW,
    )
    assert (draft.title, draft.location, draft.description) == ("Heat pumps", "Town hall", "")
    assert draft.starts_at == datetime(2026, 12, 1, 14, tzinfo=UTC)
    assert draft.ends_at - draft.starts_at == timedelta(minutes=90)
    recorded = draft.recorded_as(77, "Stories")
    assert (recorded.discord_event_id, recorded.timezone, recorded.campaign) == (
        77,
        "Europe/Lisbon",
        "Stories",
    )
    with pytest.raises(ValidationError, match="title"):
        draft_event(
            title="\u200b",
            start="2026-12-01 14:00",
            duration="90m",
            where="Town hall",
            description=None,
            server_zone=BRUSSELS,
            now=NOW,
        )


def test_location_is_a_place_or_link_within_discords_limit() -> None:
    """A link or a place; at most 100 characters, as Discord's entity_metadata.location."""
    assert check_location(" https://meet.example.org/x ") == "https://meet.example.org/x"
    assert check_location("Town hall,\nroom 2") == "Town hall, room 2"
    assert len(check_location("y" * LOCATION_LIMIT)) == LOCATION_LIMIT
    with pytest.raises(ValidationError, match="at most 100"):
        check_location("https://example.org/" + "a" * 90)
    with pytest.raises(ValidationError, match="empty"):
        check_location("")


def test_description_is_optional_and_within_1000() -> None:
    """None is empty; a typed \\n becomes a line break; 1001 characters are refused."""
    assert check_description(None) == ""
    assert check_description(" First\\nSecond ") == "First\nSecond"
    assert len(check_description("d" * DESCRIPTION_LIMIT)) == DESCRIPTION_LIMIT
    with pytest.raises(ValidationError, match="1001 characters"):
        check_description("d" * 1001)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5m", MIN_DURATION),
        ("90m", timedelta(minutes=90)),
        ("1h30m", timedelta(minutes=90)),
        ("7d", MAX_DURATION),
    ],
)
def test_duration_accepted(text: str, expected: timedelta) -> None:
    """Lengths from 5 minutes to 7 days, in the bot's duration format."""
    assert parse_event_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [("4m", "4m"), ("8d", "8d"), ("0m", "0s"), ("soon", "could not read"), ("90", "could not read")],
)
def test_duration_refused(text: str, why: str) -> None:
    """Too short, too long or unreadable: the error says what is accepted."""
    with pytest.raises(ValidationError, match="5 minutes to 7 days") as caught:
        parse_event_duration(text)
    assert why in str(caught.value)


def test_split_zone_only_after_a_date() -> None:
    """A trailing word after a date is a zone; times and relative forms are left as they are."""
    assert split_zone("2026-12-01 14:00 Europe/Lisbon") == ("2026-12-01 14:00", "Europe/Lisbon")
    assert split_zone("2026-12-01 utc") == ("2026-12-01", "utc")
    assert split_zone("2026-12-01 14:00") == ("2026-12-01 14:00", None)
    assert split_zone("2026-12-01") == ("2026-12-01", None)
    assert split_zone("in 2 hours") == ("in 2 hours", None)


def test_start_in_the_server_zone_or_the_named_one() -> None:
    """Wall-clock time in the server's zone, unless the text names another zone."""
    start, zone = parse_start("2026-12-01 14:00", BRUSSELS, now=NOW)
    assert start == datetime(2026, 12, 1, 13, 0, tzinfo=UTC) and zone is BRUSSELS
    start, zone = parse_start("2026-12-01 14:00 Europe/Lisbon", BRUSSELS, now=NOW)
    assert start == datetime(2026, 12, 1, 14, 0, tzinfo=UTC) and zone.key == "Europe/Lisbon"
    start, zone = parse_start("2026-12-01 14:00 america/new_york", BRUSSELS, now=NOW)
    assert start == datetime(2026, 12, 1, 19, 0, tzinfo=UTC) and zone.key == "America/New_York"
    assert parse_start("in 3d", BRUSSELS, now=NOW)[0] == NOW + timedelta(days=3)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2026-10-31 14:00", "at least a minute from now"),
        ("in 30s", "at least a minute from now"),
        ("2031-01-01", "two years"),
        ("tomorrow at noon", "could not read"),
        ("2026-12-01 14:00 Mars/Olympus", "not a time zone I know"),
        ("2026-12-01 14:00 Europe/Lisbn", "Europe/Lisbon"),
    ],
)
def test_start_refused(text: str, why: str) -> None:
    """Past (or within a minute), years ahead, unreadable, or an unknown zone: a clear refusal."""
    with pytest.raises(ValidationError) as caught:
        parse_start(text, BRUSSELS, now=NOW)
    assert why in str(caught.value)


def test_plan_has_both_reminders_and_the_followup() -> None:
    """A week ahead: reminders 1 day and 1 hour before, follow-up at the end."""
    start = NOW + timedelta(days=7)
    end = start + timedelta(hours=2)
    plans = plan_notices(start, end, now=NOW)
    assert [(p.kind, p.offset, p.due_at) for p in plans] == [
        ("reminder", timedelta(days=1), start - timedelta(days=1)),
        ("reminder", timedelta(hours=1), start - timedelta(hours=1)),
        ("followup", timedelta(0), end),
    ]


def test_plan_skips_reminders_whose_time_has_passed() -> None:
    """Five hours ahead only the 1-hour reminder is left; thirty minutes ahead, none."""
    start = NOW + timedelta(hours=5)
    assert [p.offset for p in plan_notices(start, start + timedelta(hours=1), now=NOW)] == [
        timedelta(hours=1),
        timedelta(0),
    ]
    soon = NOW + timedelta(minutes=30)
    assert [p.kind for p in plan_notices(soon, soon + timedelta(hours=1), now=NOW)] == ["followup"]
    with pytest.raises(ValueError):
        plan_notices(start, start, now=NOW)


@given(
    lead=st.integers(min_value=61, max_value=2 * 365 * 86400),
    length=st.integers(min_value=300, max_value=7 * 86400),
)
def test_plan_invariants(lead: int, length: int) -> None:
    """Every planned notice is ahead of now, reminders come before the start, the follow-up is last."""
    start = NOW + timedelta(seconds=lead)
    end = start + timedelta(seconds=length)
    plans = plan_notices(start, end, now=NOW)
    assert plans[-1].kind == "followup" and plans[-1].due_at == end
    reminders = plans[:-1]
    assert all(p.kind == "reminder" and NOW < p.due_at < start for p in reminders)
    assert [p.due_at for p in plans] == sorted(p.due_at for p in plans)
    assert {p.offset for p in reminders} == {o for o in REMINDER_OFFSETS if start - o > NOW}


def test_job_ids_and_links() -> None:
    """Job ids name the kind and the notice row; links open the Discord event."""
    assert job_id("reminder", 7) == "event-reminder:7"
    assert job_id("followup", 8) == "event-followup:8"
    assert event_url(1, 2) == "https://discord.com/events/1/2"
