"""When twinned cities are prompted to check in, and what to do about check-ins the bot missed."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.scheduling import Misfire, misfire_decision

CHECKIN_PERIOD = timedelta(weeks=4)


def next_occurrence(due: datetime, now: datetime, period: timedelta = CHECKIN_PERIOD) -> tuple[datetime, int]:
    """Return the first time due + k*period (k >= 1) after now, and k."""
    if period <= timedelta(0):
        raise ValueError("the period must be positive")
    steps = max(1, math.floor((now - due) / period) + 1)
    following = due + steps * period
    # Guards the float division at exact multiples.
    while following <= now:
        steps += 1
        following += period
    return following, steps


@dataclass(frozen=True)
class CheckinPlan:
    """What to do with a twinning's pending check-in when the bot starts."""

    decision: Misfire
    run_at: datetime  # when to run the check-in job
    missed: int  # check-ins to record as missed first (only for MISSED)
    skip_to: datetime | None  # the new due time after skipping missed ones (only for MISSED)


def plan_checkin(
    due: datetime, now: datetime, grace: timedelta, period: timedelta = CHECKIN_PERIOD
) -> CheckinPlan:
    """Apply the misfire rule: schedule it, run it now (late within grace), or skip the missed ones."""
    decision = misfire_decision(due, now, grace)
    if decision is Misfire.SCHEDULE:
        return CheckinPlan(decision, due, 0, None)
    if decision is Misfire.RUN_NOW:
        return CheckinPlan(decision, now, 0, None)
    following, steps = next_occurrence(due, now, period)
    return CheckinPlan(decision, following, steps, following)
