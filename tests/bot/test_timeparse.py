"""Points in time typed by members: absolute dates, relative durations, DST edges and refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from bot.errors import ValidationError
from bot.timeparse import localize, parse_when

BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)


def when(text: str, tz: ZoneInfo = BRUSSELS, now: datetime = NOW) -> datetime:
    """Parse with the test defaults."""
    return parse_when(text, tz, now=now)


def utc(*parts: int) -> datetime:
    """A UTC datetime."""
    return datetime(*parts, tzinfo=UTC)  # type: ignore[arg-type, misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Brussels is UTC+1 in winter.
        ("2026-12-01 09:30", utc(2026, 12, 1, 8, 30)),
        ("2026-12-01T09:30", utc(2026, 12, 1, 8, 30)),
        ("2026-12-01t09:30", utc(2026, 12, 1, 8, 30)),
        ("  2026-12-01   9:30 ", utc(2026, 12, 1, 8, 30)),
        ("2026-12-01", utc(2026, 12, 1, 8, 0)),
        # UTC+2 in summer.
        ("2026-07-01 12:00", utc(2026, 7, 1, 10, 0)),
        ("2026-07-01", utc(2026, 7, 1, 7, 0)),
    ],
)
def test_absolute_forms(text: str, expected: datetime) -> None:
    """Dates and date-times are read in the server's zone and returned in UTC."""
    result = when(text)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("in 90m", timedelta(minutes=90)),
        ("in 2h", timedelta(hours=2)),
        ("in 3d", timedelta(days=3)),
        ("in 1w", timedelta(weeks=1)),
        ("IN 2H", timedelta(hours=2)),
        ("  in 1h30m  ", timedelta(hours=1, minutes=30)),
        ("in 2 hours", timedelta(hours=2)),
    ],
)
def test_relative_forms(text: str, delta: timedelta) -> None:
    """`in <duration>` is now plus the duration, in any case and spacing."""
    assert when(text) == NOW + delta


def test_relative_ignores_the_zone_and_returns_utc() -> None:
    """A relative time does not depend on the zone and comes back in UTC."""
    now_elsewhere = datetime(2026, 11, 28, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    result = when("in 1d", now=now_elsewhere)
    assert result == now_elsewhere + timedelta(days=1)
    assert result.tzinfo is UTC


def test_date_is_in_the_given_zone() -> None:
    """The same wall-clock time means another instant in another zone."""
    assert when("2026-12-01 09:30", ZoneInfo("Asia/Tokyo")) == utc(2026, 12, 1, 0, 30)


def test_time_in_the_past_is_returned() -> None:
    """Past times are returned; refusing them is up to the caller."""
    assert when("2020-01-01 00:00") == utc(2019, 12, 31, 23, 0)


def test_dst_gap_is_shifted_forward() -> None:
    """A wall time skipped by the spring jump moves forward by the jump."""
    # 2026-03-29: Brussels clocks jump from 02:00 to 03:00, so 02:30 never happens.
    result = when("2026-03-29 02:30")
    assert result == utc(2026, 3, 29, 1, 30)
    assert result.astimezone(BRUSSELS).strftime("%H:%M") == "03:30"


def test_dst_fold_takes_the_first_occurrence() -> None:
    """A wall time repeated in autumn means its first occurrence."""
    # 2026-10-25: clocks go back from 03:00 to 02:00, so 02:30 happens at 00:30 and 01:30 UTC.
    result = when("2026-10-25 02:30")
    assert result == utc(2026, 10, 25, 0, 30)
    assert result.astimezone(BRUSSELS).utcoffset() == timedelta(hours=2)


def test_localize_helper_agrees() -> None:
    """localize() follows the same fold rule as parse_when."""
    assert localize(datetime(2026, 10, 25, 2, 30), BRUSSELS) == utc(2026, 10, 25, 0, 30)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "tomorrow",
        "2026-13-01",
        "2026-02-30 10:00",
        "2026-12-01 24:00",
        "2026-12-01 09:60",
        "2026/12/01",
        "01-12-2026",
        "in",
        "in 2x",
        "in -2h",
        "2h",
        "2026-12-01 09:30 extra",
        "0000-01-01",
    ],
)
def test_refused_inputs_list_the_accepted_forms(text: str) -> None:
    """Every refusal lists the accepted forms and the zone dates are read in."""
    with pytest.raises(ValidationError) as caught:
        when(text)
    message = str(caught.value)
    assert "2026-12-01 09:30" in message
    assert "in 2h" in message
    assert "09:00" in message
    assert "Europe/Brussels" in message


def test_refusal_quotes_input_safely() -> None:
    """The echoed input cannot ping, break lines, run long or close its code span."""
    with pytest.raises(ValidationError) as caught:
        when("@everyone <@123456789012345678> `boom`\nnext line " + "x" * 200)
    message = str(caught.value)
    assert "@everyone" not in message
    assert "<@1" not in message
    assert "\n" not in message
    assert "x" * 60 not in message
    # Backticks in the input are swapped so the quote stays one inline-code span.
    assert "`boom`" not in message
    assert "'boom'" in message


@pytest.mark.parametrize(
    ("text", "tz"),
    [
        ("0001-01-01 00:00", ZoneInfo("Asia/Tokyo")),
        ("9999-12-31 23:59", ZoneInfo("America/New_York")),
        ("9999-12-31 20:00", ZoneInfo("Pacific/Pago_Pago")),
    ],
)
def test_out_of_range_years_are_validation_errors(text: str, tz: ZoneInfo) -> None:
    """Dates whose UTC instant falls outside datetime's range are refused, not crashes."""
    with pytest.raises(ValidationError, match="out of range"):
        when(text, tz)


def test_relative_overflow_is_a_validation_error() -> None:
    """A relative time beyond datetime's range is refused, not a crash."""
    with pytest.raises(ValidationError):
        when("in 999999999w")
    with pytest.raises(ValidationError, match="too far"):
        when("in 5200w", now=utc(9990, 1, 1))


def test_naive_now_is_a_programming_error() -> None:
    """Passing a naive `now` is a bug in the caller and raises ValueError."""
    with pytest.raises(ValueError, match="aware"):
        parse_when("in 2h", BRUSSELS, now=datetime(2026, 1, 1))


aware_nows = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)
zones = st.sampled_from(
    [
        "Europe/Brussels",
        "America/New_York",
        "America/St_Johns",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
        "Pacific/Chatham",
        "Pacific/Apia",
        "UTC",
    ]
).map(ZoneInfo)


near_misses = st.one_of(
    st.from_regex(r"\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ tT][0-9]{1,2}:[0-9]{2})?\s*", fullmatch=True),
    st.from_regex(r"(?i)\s*in\s*[0-9]{1,25}\s*(s|m|h|d|w|min|hours|weeks)\s*", fullmatch=True),
)


@settings(deadline=None)  # loading a zone file the first time can be slow on a busy machine
@given(text=st.one_of(st.text(max_size=80), near_misses), tz=zones, now=aware_nows)
@example(text="9999-12-31 23:59", tz=ZoneInfo("America/New_York"), now=NOW)
@example(text="in 99999999999999999999999w", tz=ZoneInfo("UTC"), now=NOW)
@example(text="2026-02-29", tz=ZoneInfo("UTC"), now=NOW)
def test_arbitrary_text_raises_only_validation_error(text: str, tz: ZoneInfo, now: datetime) -> None:
    """Any text either parses to an aware UTC time or raises ValidationError, nothing else."""
    try:
        result = parse_when(text, tz, now=now)
    except ValidationError:
        return
    assert result.tzinfo is UTC


@settings(deadline=None)
@given(
    instant=st.datetimes(
        min_value=datetime(1971, 1, 1), max_value=datetime(2100, 12, 31), timezones=st.just(UTC)
    ).map(lambda d: d.replace(second=0, microsecond=0)),
    tz=st.one_of(zones, st.timezone_keys(allow_prefix=False).map(ZoneInfo)),
)
@example(instant=utc(2026, 10, 25, 1, 30), tz=BRUSSELS)
def test_formatted_local_time_parses_back_to_the_instant(instant: datetime, tz: ZoneInfo) -> None:
    """Any instant written as local `YYYY-MM-DD HH:MM` reads back to itself (first occurrence on a fold)."""
    local = instant.astimezone(tz)
    # Some zones had offsets with seconds; such wall times cannot be written as HH:MM.
    assume(local.second == 0)
    result = parse_when(local.strftime("%Y-%m-%d %H:%M"), tz, now=NOW)
    if local.fold == 0:
        assert result == instant
    else:
        # The second occurrence of a repeated wall time reads back as the first one.
        assert result == local.replace(fold=0).astimezone(UTC)
        assert result < instant
    assert result.astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None, fold=0)


@given(minutes=st.integers(min_value=0, max_value=10**7), now=aware_nows)
def test_in_minutes_is_now_plus_minutes(minutes: int, now: datetime) -> None:
    """`in Nm` is exactly now plus N minutes."""
    assert parse_when(f"in {minutes}m", BRUSSELS, now=now) == now + timedelta(minutes=minutes)
