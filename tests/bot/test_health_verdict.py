"""The health verdict: from the last heartbeat to one line and healthy or not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.health import DEFAULT_MAX_AGE, ago, judge
from storage.heartbeat import Heartbeat

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def beat(age: timedelta, *, connected: bool = True, stopped: timedelta | None = None) -> Heartbeat:
    """A heartbeat written `age` before NOW."""
    return Heartbeat(
        pid=1,
        host="box",
        started_at=NOW - timedelta(hours=1),
        beat_at=NOW - age,
        connected=connected,
        stopped_at=None if stopped is None else NOW - stopped,
    )


def test_a_fresh_connected_heartbeat_is_healthy() -> None:
    """Connected, beat 12 s ago: ok."""
    verdict = judge(beat(timedelta(seconds=12)), NOW)
    assert verdict.healthy and verdict.line == "ok: connected, heartbeat 12 s ago"


def test_a_stale_heartbeat_is_not_healthy() -> None:
    """Ten minutes without a beat means a stuck loop or scheduler, whatever the row says."""
    verdict = judge(beat(timedelta(minutes=10)), NOW)
    assert not verdict.healthy and verdict.line == "not healthy: last heartbeat 10 min ago"


def test_the_limit_is_the_max_age() -> None:
    """At the max age the bot is still alive; one second later it is not."""
    assert judge(beat(DEFAULT_MAX_AGE), NOW).healthy
    assert not judge(beat(DEFAULT_MAX_AGE + timedelta(seconds=1)), NOW).healthy
    assert judge(beat(timedelta(seconds=200)), NOW, timedelta(seconds=300)).healthy


def test_disconnected_stopped_and_never_started_are_not_healthy() -> None:
    """Each unhealthy state says which it is."""
    assert judge(beat(timedelta(seconds=5), connected=False), NOW).line == (
        "not healthy: not connected to Discord (heartbeat 5 s ago)"
    )
    assert judge(beat(timedelta(seconds=5), stopped=timedelta(seconds=3)), NOW).line == (
        "not healthy: the bot stopped 3 s ago"
    )
    assert judge(None, NOW).line == "not healthy: no bot has run on this database yet"


@pytest.mark.parametrize(
    "seconds, text",
    [
        (-3, "0 s"),
        (0, "0 s"),
        (119, "119 s"),
        (120, "2 min"),
        (7199, "119 min"),
        (7200, "2 h"),
        (200000, "2 d"),
    ],
)
def test_ago_picks_a_readable_unit(seconds: int, text: str) -> None:
    """Durations read as seconds, minutes, hours or days."""
    assert ago(timedelta(seconds=seconds)) == text
