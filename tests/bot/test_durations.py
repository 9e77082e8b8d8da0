"""Durations such as 90m, 3d and 1h30m: parsing, refusing, and formatting back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("90m", timedelta(minutes=90)),
        ("2h", timedelta(hours=2)),
        ("3d", timedelta(days=3)),
        ("1w", timedelta(weeks=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        ("  2 h ", timedelta(hours=2)),
        ("1W2D", timedelta(days=9)),
        ("2 hours", timedelta(hours=2)),
        ("1 day 12 hours", timedelta(days=1, hours=12)),
        ("45 min", timedelta(minutes=45)),
        ("0m", timedelta(0)),
    ],
)
def test_accepted_forms(text: str, expected: timedelta) -> None:
    """Each documented form parses to its timedelta."""
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "3x", "90", "m", "1.5h", "-2h", "2h30", "in 2h", "1h,30m", "1 mo", "٣d", "2h!", "1e3s"],
)
def test_refused_forms_list_what_is_accepted(text: str) -> None:
    """Anything else is a ValueError that lists the accepted forms."""
    with pytest.raises(ValueError) as caught:
        parse_duration(text)
    assert "90m" in str(caught.value)
    assert "1h30m" in str(caught.value)


def test_huge_numbers_are_a_value_error_not_an_overflow() -> None:
    """Durations too large for a timedelta are a ValueError, never an OverflowError."""
    with pytest.raises(ValueError, match="too large"):
        parse_duration("999999999999w")
    with pytest.raises(ValueError, match="too large"):
        parse_duration("9" * 5000 + "s")


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(days=1, hours=2), "1d 2h"),
        (timedelta(minutes=90), "1h 30m"),
        (timedelta(0), "0s"),
        (timedelta(days=14), "14d"),
        (timedelta(seconds=61, microseconds=5), "1m 1s"),
        (timedelta(hours=-2), "-2h"),
    ],
)
def test_format(delta: timedelta, text: str) -> None:
    """format_duration renders days, hours, minutes and seconds, dropping microseconds."""
    assert format_duration(delta) == text


@given(st.integers(min_value=0, max_value=10**9 * 86400 - 1).map(lambda s: timedelta(seconds=s)))
def test_format_then_parse_round_trips(delta: timedelta) -> None:
    """Whatever format_duration writes, parse_duration reads back to the same duration."""
    assert parse_duration(format_duration(delta)) == delta


@given(st.text(max_size=40))
def test_arbitrary_text_raises_only_value_error(text: str) -> None:
    """Any text either parses to a non-negative duration or raises ValueError."""
    try:
        result = parse_duration(text)
    except ValueError:
        return
    assert result >= timedelta(0)
