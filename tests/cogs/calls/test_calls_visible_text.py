"""Every free-text field of a call or an announcement refuses text made only of invisible characters."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import ValidationError
from cogs.calls.rules import (
    CallFormValues,
    call_input,
    check_link,
    check_summary,
    check_title,
    local_text,
    message_text,
    normalize_identifier,
    parse_tags,
)
from storage.calls import Call

BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
INVISIBLE = ["\u200b\u200b\u200b", "\u2060\ufeff", " \u200d \u200c ", "\u202e\u200f"]


@pytest.mark.parametrize("typed", INVISIBLE)
@pytest.mark.parametrize(
    ("check", "field"),
    [
        (normalize_identifier, "identifier"),
        (check_title, "title"),
        (check_summary, "summary"),
        (check_link, "link"),
        (parse_tags, "tag"),
        (message_text, "message"),
    ],
)
def test_invisible_only_text_is_refused_in_every_field(check, field: str, typed: str) -> None:  # type: ignore[no-untyped-def]
    """The shared wording names the field; nothing comes back to be stored."""
    with pytest.raises(ValidationError, match=f"the {field} is empty or only invisible characters"):
        check(typed)


def test_visible_text_with_invisible_characters_inside_is_kept() -> None:
    """A zero-width joiner inside a word is part of the text (emoji sequences use it)."""
    assert check_title("Zero\u200dpollution") == "Zero\u200dpollution"
    assert message_text("Apply now\\nbefore Friday") == "Apply now\nbefore Friday"


def test_a_tag_of_invisible_characters_among_others_is_refused() -> None:
    """One invisible tag in a list is refused, not silently stored as an empty-looking tag."""
    with pytest.raises(ValidationError, match="tag"):
        parse_tags("energy, \u200b\u200b, water")
    assert parse_tags("energy, , water") == ("energy", "water")


def test_a_link_hiding_invisible_characters_is_refused() -> None:
    """An address with a zero-width character looks like another address: refused."""
    with pytest.raises(ValidationError, match="invisible characters"):
        check_link("https://ec.europa\u200b.eu/x")
    assert check_link(" \n ") is None


def test_an_announcement_message_over_the_limit_is_refused() -> None:
    """Room is kept for the role mention in front."""
    assert message_text("x" * 1900) == "x" * 1900
    with pytest.raises(ValidationError, match="at most 1900"):
        message_text("x" * 1901)


def stored_call(**changes: object) -> Call:
    """A stored call as the repository returns it."""
    call = Call(
        id=7,
        guild_id=1,
        identifier="LIFE-2027-01",
        title="Old title",
        programme="life",
        opens_at=None,
        deadline_at=datetime(2026, 3, 1, 16, 0, tzinfo=UTC),
        timezone="Europe/Brussels",
        link=None,
        summary="",
        tags=(),
        revision=0,
        created_by=5,
        created_at=NOW - timedelta(days=90),
        updated_at=NOW - timedelta(days=90),
    )
    return replace(call, **changes)


def test_call_input_from_the_add_form_guesses_the_programme() -> None:
    """A new call: identifier uppercased, programme guessed from it, deadline read in the zone."""
    values = CallFormValues("horizon-miss-2027-01", " A  call ", "2026-09-17", "", "", "water; energy")
    data = call_input(values, None, None, BRUSSELS, now=NOW)
    assert (data.identifier, data.title, data.programme) == (
        "HORIZON-MISS-2027-01",
        "A call",
        "horizon-europe",
    )
    assert data.deadline_at == datetime(2026, 9, 17, 15, 0, tzinfo=UTC)
    assert data.tags == ("water", "energy") and data.link is None


def test_an_untouched_past_deadline_is_kept_when_editing_a_closed_call() -> None:
    """Editing only the text of a closed call does not trip over its passed deadline."""
    existing = stored_call()
    values = CallFormValues("", "New title", local_text(existing.deadline_at, BRUSSELS), "", "", "")
    data = call_input(values, "dut", existing, BRUSSELS, now=NOW)
    assert data.deadline_at == existing.deadline_at and data.title == "New title"
    assert (data.identifier, data.programme) == ("LIFE-2027-01", "dut")
    with pytest.raises(ValidationError, match="in the past"):
        call_input(replace(values, deadline="2026-03-02"), None, existing, BRUSSELS, now=NOW)


def test_a_deadline_before_the_opening_date_is_refused() -> None:
    """An edit cannot move the deadline before the call opens."""
    existing = stored_call(opens_at=datetime(2026, 10, 1, tzinfo=UTC))
    values = CallFormValues("", "Title", "2026-09-01", "", "", "")
    with pytest.raises(ValidationError, match="opening date"):
        call_input(values, None, existing, BRUSSELS, now=NOW)
