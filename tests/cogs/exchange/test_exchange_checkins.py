"""Twinning check-in times and the misfire rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.scheduling import Misfire
from cogs.exchange.rules import CHECKIN_PERIOD, next_occurrence, plan_checkin

DUE = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_next_occurrence_is_strictly_after_now() -> None:
    assert next_occurrence(DUE, DUE) == (DUE + CHECKIN_PERIOD, 1)
    assert next_occurrence(DUE, DUE - HOUR) == (DUE + CHECKIN_PERIOD, 1)
    assert next_occurrence(DUE, DUE + CHECKIN_PERIOD) == (DUE + 2 * CHECKIN_PERIOD, 2)
    assert next_occurrence(DUE, DUE + 3 * CHECKIN_PERIOD - HOUR) == (DUE + 3 * CHECKIN_PERIOD, 3)
    with pytest.raises(ValueError):
        next_occurrence(DUE, DUE, timedelta(0))


def test_future_checkins_are_scheduled_at_their_time() -> None:
    plan = plan_checkin(DUE, DUE - HOUR, HOUR)
    assert (plan.decision, plan.run_at, plan.missed) == (Misfire.SCHEDULE, DUE, 0)


def test_late_checkins_within_grace_run_now() -> None:
    now = DUE + timedelta(minutes=30)
    plan = plan_checkin(DUE, now, HOUR)
    assert (plan.decision, plan.run_at, plan.skip_to) == (Misfire.RUN_NOW, now, None)


def test_missed_checkins_are_skipped_to_the_next_future_one() -> None:
    now = DUE + CHECKIN_PERIOD + timedelta(days=1)
    plan = plan_checkin(DUE, now, HOUR)
    assert plan.decision is Misfire.MISSED
    assert plan.missed == 2 and plan.skip_to == plan.run_at == DUE + 2 * CHECKIN_PERIOD
