"""decide_claim, the one rule every scheduled job uses to take its row: gone, early, missed or claimed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage.claims import EARLY_TOLERANCE, Claim, decide_claim

DUE = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
GRACE = timedelta(hours=1)
TICK = timedelta(microseconds=1)


def test_no_pending_row_is_gone_whatever_the_time():
    """A row that is missing, not pending or whose event is cancelled (None) is gone, early or late."""
    for now in (DUE - timedelta(days=1), DUE, DUE + timedelta(days=1)):
        assert decide_claim(None, now=now, grace=GRACE) is Claim.GONE


def test_the_early_tolerance_is_one_second():
    """A job may wake a second early (clock drift) and still be on time."""
    assert timedelta(seconds=1) == EARLY_TOLERANCE


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (DUE - timedelta(minutes=5), Claim.EARLY),
        (DUE - EARLY_TOLERANCE - TICK, Claim.EARLY),
        (DUE - EARLY_TOLERANCE, Claim.CLAIMED),
        (DUE - EARLY_TOLERANCE + TICK, Claim.CLAIMED),
        (DUE, Claim.CLAIMED),
        (DUE + GRACE - TICK, Claim.CLAIMED),
        (DUE + GRACE, Claim.CLAIMED),
        (DUE + GRACE + TICK, Claim.MISSED),
        (DUE + timedelta(days=2), Claim.MISSED),
    ],
)
def test_a_pending_row_is_early_claimed_or_missed_at_the_boundaries(now, expected):
    """Early before the tolerance, claimed from it through the grace period inclusive, missed after."""
    assert decide_claim(DUE, now=now, grace=GRACE) is expected


def test_zero_grace_misses_anything_late_but_claims_on_time_and_slightly_early():
    """With no grace a job a tick late is missed; one on time, or early within tolerance, is claimed."""
    assert decide_claim(DUE, now=DUE, grace=timedelta(0)) is Claim.CLAIMED
    assert decide_claim(DUE, now=DUE - EARLY_TOLERANCE, grace=timedelta(0)) is Claim.CLAIMED
    assert decide_claim(DUE, now=DUE + TICK, grace=timedelta(0)) is Claim.MISSED


def test_the_claims_keep_their_values():
    """The values are what run_announcement and run_notice report back, and what callers compare."""
    assert [claim.value for claim in Claim] == ["claimed", "missed", "early", "gone"]
