"""Occurrences of repeating announcements and deadline reminder times, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from cogs.calls.recurrence import (
    Repeat,
    add_months,
    catch_up,
    latest_until,
    local_occurrence,
    next_after,
    occurrence_at,
    reminder_times,
)

BRUSSELS = ZoneInfo("Europe/Brussels")


def utc(*args: int) -> datetime:
    """Build an aware UTC datetime."""
    return datetime(*args, tzinfo=UTC)


def test_weekly_0900_brussels_stays_0900_across_march_change() -> None:
    """Clocks go forward on Sunday 29 March 2026: 09:00 local is 08:00 UTC before, 07:00 UTC after."""
    first = datetime(2026, 3, 23, 9, 0)  # Monday before the change
    assert occurrence_at(first, BRUSSELS, Repeat.WEEKLY, 0) == utc(2026, 3, 23, 8, 0)
    assert occurrence_at(first, BRUSSELS, Repeat.WEEKLY, 1) == utc(2026, 3, 30, 7, 0)
    for n in range(6):
        local = occurrence_at(first, BRUSSELS, Repeat.WEEKLY, n).astimezone(BRUSSELS)
        assert (local.hour, local.minute, local.weekday()) == (9, 0, 0)


def test_weekly_0900_brussels_stays_0900_across_october_change() -> None:
    """Clocks go back on Sunday 25 October 2026: 09:00 local is 07:00 UTC before, 08:00 UTC after."""
    first = datetime(2026, 10, 18, 9, 0)  # the Sunday before
    assert occurrence_at(first, BRUSSELS, Repeat.WEEKLY, 0) == utc(2026, 10, 18, 7, 0)
    # The change day itself: 09:00 is after the 03:00 -> 02:00 jump, so already winter time.
    assert occurrence_at(first, BRUSSELS, Repeat.WEEKLY, 1) == utc(2026, 10, 25, 8, 0)
    assert occurrence_at(first, BRUSSELS, Repeat.WEEKLY, 2) == utc(2026, 11, 1, 8, 0)


def test_next_after_steps_over_the_change_in_wall_clock_time() -> None:
    """The occurrence after one sent before the change lands at 09:00 local after it."""
    first = datetime(2026, 3, 23, 9, 0)
    assert next_after(first, BRUSSELS, Repeat.WEEKLY, utc(2026, 3, 23, 8, 0), start=1) == (
        1,
        utc(2026, 3, 30, 7, 0),
    )


def test_daily_in_a_skipped_hour_moves_forward_by_the_jump() -> None:
    """02:30 does not exist on 29 March 2026 in Brussels; that day's occurrence is 03:30 local."""
    first = datetime(2026, 3, 28, 2, 30)
    skipped = occurrence_at(first, BRUSSELS, Repeat.DAILY, 1).astimezone(BRUSSELS)
    assert (skipped.day, skipped.hour, skipped.minute) == (29, 3, 30)
    back = occurrence_at(first, BRUSSELS, Repeat.DAILY, 2).astimezone(BRUSSELS)
    assert (back.day, back.hour, back.minute) == (30, 2, 30)


def test_monthly_clamps_the_day_but_keeps_the_anchor() -> None:
    """31 January repeats on 28 February, then 31 March again (not 28 March)."""
    first = datetime(2027, 1, 31, 9, 0)
    assert local_occurrence(first, Repeat.MONTHLY, 1) == datetime(2027, 2, 28, 9, 0)
    assert local_occurrence(first, Repeat.MONTHLY, 2) == datetime(2027, 3, 31, 9, 0)
    assert add_months(datetime(2028, 1, 31), 1) == datetime(2028, 2, 29)
    assert add_months(datetime(2026, 11, 15), 14) == datetime(2028, 1, 15)


def test_one_off_has_a_single_occurrence() -> None:
    """A one-off announcement comes once, and never after it passed."""
    first = datetime(2026, 5, 1, 9, 0)
    due = occurrence_at(first, BRUSSELS, Repeat.NONE, 0)
    assert next_after(first, BRUSSELS, Repeat.NONE, due - timedelta(seconds=1)) == (0, due)
    assert next_after(first, BRUSSELS, Repeat.NONE, due) is None
    assert next_after(first, BRUSSELS, Repeat.NONE, due - timedelta(days=1), start=1) is None
    assert latest_until(first, BRUSSELS, Repeat.NONE, due) == (0, due)
    assert latest_until(first, BRUSSELS, Repeat.NONE, due - timedelta(seconds=1)) is None


def test_next_after_far_in_the_future_is_exact() -> None:
    """Jumping years ahead finds the first occurrence strictly after the moment."""
    first = datetime(2026, 1, 5, 9, 0)
    moment = utc(2029, 6, 11, 7, 0)  # a Monday, 09:00 Brussels summer time
    n, due = next_after(first, BRUSSELS, Repeat.WEEKLY, moment) or (0, moment)
    assert due > moment
    assert due - moment == timedelta(days=7)
    assert occurrence_at(first, BRUSSELS, Repeat.WEEKLY, n - 1) == moment


@given(
    start=st.dates(min_value=datetime(2020, 1, 1).date(), max_value=datetime(2035, 12, 31).date()),
    hour=st.integers(min_value=4, max_value=23),
    repeat=st.sampled_from([Repeat.DAILY, Repeat.WEEKLY, Repeat.MONTHLY]),
    n=st.integers(min_value=0, max_value=120),
)
def test_every_occurrence_keeps_the_local_time(start: object, hour: int, repeat: Repeat, n: int) -> None:
    """Outside the small hours that DST skips, every occurrence is at the first one's local time."""
    first = datetime.combine(start, datetime.min.time()).replace(hour=hour)  # type: ignore[arg-type]
    local = occurrence_at(first, BRUSSELS, repeat, n).astimezone(BRUSSELS)
    assert (local.hour, local.minute) == (hour, 0)
    assert next_after(first, BRUSSELS, repeat, occurrence_at(first, BRUSSELS, repeat, n), start=0) == (
        n + 1,
        occurrence_at(first, BRUSSELS, repeat, n + 1),
    )


def test_catch_up_runs_one_late_occurrence_within_grace() -> None:
    """Due 10 minutes ago with a 1 hour grace: run it now, nothing missed."""
    first = datetime(2026, 6, 1, 9, 0)
    due = occurrence_at(first, BRUSSELS, Repeat.NONE, 0)
    plan = catch_up(
        first,
        BRUSSELS,
        Repeat.NONE,
        occurrence=0,
        due=due,
        now=due + timedelta(minutes=10),
        grace=timedelta(hours=1),
    )
    assert plan.run == (0, due)
    assert plan.missed == 0


def test_catch_up_marks_missed_beyond_grace_and_moves_a_repeat_on() -> None:
    """A daily announcement down for three days: three missed, the next one tomorrow, no burst."""
    first = datetime(2026, 6, 1, 9, 0)
    due = occurrence_at(first, BRUSSELS, Repeat.DAILY, 0)
    now = due + timedelta(days=2, hours=5)
    plan = catch_up(first, BRUSSELS, Repeat.DAILY, occurrence=0, due=due, now=now, grace=timedelta(hours=1))
    assert plan.run is None
    assert plan.missed == 3
    assert plan.following == (3, occurrence_at(first, BRUSSELS, Repeat.DAILY, 3))


def test_catch_up_runs_only_the_latest_when_it_is_within_grace() -> None:
    """Several occurrences passed but the latest is 30 minutes late: skip the older, run the latest once."""
    first = datetime(2026, 6, 1, 9, 0)
    due = occurrence_at(first, BRUSSELS, Repeat.DAILY, 0)
    now = occurrence_at(first, BRUSSELS, Repeat.DAILY, 4) + timedelta(minutes=30)
    plan = catch_up(first, BRUSSELS, Repeat.DAILY, occurrence=0, due=due, now=now, grace=timedelta(hours=1))
    assert plan.run == (4, occurrence_at(first, BRUSSELS, Repeat.DAILY, 4))
    assert plan.missed == 4


def test_catch_up_of_a_future_item_waits() -> None:
    """An item still ahead is simply scheduled."""
    first = datetime(2026, 6, 1, 9, 0)
    due = occurrence_at(first, BRUSSELS, Repeat.WEEKLY, 0)
    plan = catch_up(
        first,
        BRUSSELS,
        Repeat.WEEKLY,
        occurrence=0,
        due=due,
        now=due - timedelta(days=1),
        grace=timedelta(hours=1),
    )
    assert plan == type(plan)(run=None, missed=0, following=(0, due))


def test_reminder_times_count_days_in_local_wall_clock_time() -> None:
    """14 days before a 17:00 deadline after the March change is 17:00 local before it (16:00 UTC)."""
    deadline = datetime(2026, 4, 2, 17, 0, tzinfo=BRUSSELS).astimezone(UTC)
    offsets = [timedelta(days=1), timedelta(days=14), timedelta(days=3)]
    planned = reminder_times(deadline, offsets, BRUSSELS, now=utc(2026, 1, 1))
    assert [offset.days for offset, _ in planned] == [14, 3, 1]
    assert planned[0][1] == utc(2026, 3, 19, 16, 0)
    assert planned[1][1] == utc(2026, 3, 30, 15, 0)
    for _, due in planned:
        assert due.astimezone(BRUSSELS).hour == 17


def test_reminder_times_skip_the_ones_already_passed() -> None:
    """A deadline 2 days away gets only the 1 day reminder."""
    now = utc(2026, 6, 1, 12)
    deadline = now + timedelta(days=2)
    planned = reminder_times(
        deadline, [timedelta(days=14), timedelta(days=3), timedelta(days=1)], BRUSSELS, now=now
    )
    assert [offset for offset, _ in planned] == [timedelta(days=1)]
