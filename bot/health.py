"""Whether the bot on a database is alive: its heartbeat, and the one line `climabot health` prints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.heartbeat import Heartbeat

# The running bot refreshes its heartbeat this often, from a scheduler job.
HEARTBEAT_INTERVAL = timedelta(seconds=30)
# A heartbeat older than this means the event loop or the scheduler is stuck (three missed beats).
DEFAULT_MAX_AGE = timedelta(seconds=90)


@dataclass(frozen=True)
class Verdict:
    """The health check's answer: healthy or not, and one line saying why."""

    healthy: bool
    line: str


def ago(delta: timedelta) -> str:
    """Say how long ago something was, in the largest sensible unit: '12 s', '10 min', '3 h', '2 d'."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def judge(heartbeat: Heartbeat | None, now: datetime, max_age: timedelta = DEFAULT_MAX_AGE) -> Verdict:
    """Decide from the last heartbeat whether a bot is connected and its scheduler alive."""
    if heartbeat is None:
        return Verdict(False, "not healthy: no bot has run on this database yet")
    age = now - heartbeat.beat_at
    if heartbeat.stopped_at is not None:
        return Verdict(False, f"not healthy: the bot stopped {ago(now - heartbeat.stopped_at)} ago")
    if age > max_age:
        return Verdict(False, f"not healthy: last heartbeat {ago(age)} ago")
    if not heartbeat.connected:
        return Verdict(False, f"not healthy: not connected to Discord (heartbeat {ago(age)} ago)")
    return Verdict(True, f"ok: connected, heartbeat {ago(age)} ago")
