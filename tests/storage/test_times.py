"""Stored times: aware in, aware UTC out, and text order equal to time order."""

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.times import SECONDS, from_db_time, now_db_time, to_db_time

aware = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(9998, 12, 31), timezones=st.just(UTC))


def test_naive_times_are_refused():
    """Naive datetimes cannot be stored."""
    with pytest.raises(ValueError):
        to_db_time(datetime(2026, 11, 28, 12, 0))


def test_other_offsets_are_stored_as_utc_and_none_stays_none():
    """Other offsets are stored as UTC, offset-less text reads as UTC and None stays None."""
    brussels_winter = timezone(timedelta(hours=1))
    assert (
        to_db_time(datetime(2026, 11, 28, 13, 0, tzinfo=brussels_winter))
        == "2026-11-28T12:00:00.000000+00:00"
    )
    assert from_db_time(None) is None
    assert from_db_time("2026-11-28T12:00:00") == datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@given(aware, aware)
def test_round_trip_and_text_order_is_time_order(a: datetime, b: datetime):
    """Stored text reads back to the same instant and sorts like the instants."""
    assert from_db_time(to_db_time(a)) == a
    assert (to_db_time(a) < to_db_time(b)) == (a < b)
    assert from_db_time(to_db_time(a, timespec="seconds")) == a.replace(microsecond=0)


def old_to_iso(moment: datetime) -> str:
    """The helper storage/cities.py used before the shared codec (kept here as the reference)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@given(
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(9998, 12, 31), timezones=st.timezones())
)
def test_columns_to_the_second_are_written_exactly_as_before(moment: datetime):
    """Cities, exchanges, twins and profiles keep the text their existing rows have: same precision."""
    assert to_db_time(moment, timespec=SECONDS) == old_to_iso(moment)


def test_old_rows_read_back_whatever_their_precision():
    """Rows written to the second, to the microsecond or without an offset all read as aware UTC."""
    noon = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    assert from_db_time("2026-03-04T12:00:00+00:00") == noon
    assert from_db_time("2026-03-04T12:00:00.000000+00:00") == noon
    assert from_db_time("2026-03-04T13:00:00+01:00") == noon
    assert from_db_time("2026-03-04T12:00:00.250000+00:00") == noon + timedelta(milliseconds=250)


def test_now_is_stored_in_the_column_timespec():
    """now_db_time gives the current moment in the requested precision."""
    before = datetime.now(UTC).replace(microsecond=0)
    stored = now_db_time(timespec=SECONDS)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", stored)
    assert before <= from_db_time(stored) <= datetime.now(UTC)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", now_db_time())
