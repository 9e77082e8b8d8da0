"""Whether a scheduled job may take its row: one rule for reminders, announcements and event notices.

A job claims its row in a transaction before it sends anything. Each repository reads its own row
with its own SQL and writes the outcome; which outcome it is, is decided here, as a pure function.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

# A job may fire a little before its due time (monotonic and wall clocks drift); not "early" then.
EARLY_TOLERANCE = timedelta(seconds=1)


class Claim(enum.Enum):
    """What happened when a job tried to claim its row before sending."""

    CLAIMED = "claimed"  # the row is now 'sending': send it, exactly once
    MISSED = "missed"  # too late: the row was marked missed instead (or left for the caller to record)
    EARLY = "early"  # not due yet (the job woke early, or the row was moved): schedule it again
    GONE = "gone"  # nothing to do: deleted, cancelled, or already claimed


def decide_claim(due_at: datetime | None, *, now: datetime, grace: timedelta) -> Claim:
    """Decide the claim of a row due at `due_at` (None: nothing pending) at `now`, at most `grace` late."""
    if due_at is None:
        return Claim.GONE
    if due_at > now + EARLY_TOLERANCE:
        return Claim.EARLY
    return Claim.MISSED if now - due_at > grace else Claim.CLAIMED
