"""Stored times: aware in, aware UTC out, and text order equal to time order."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.times import from_db_time, to_db_time

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
