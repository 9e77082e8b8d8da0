"""How moments are stored: fixed-width ISO-8601 UTC text, so text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload

# The timespec of columns stored to the second (cities, memberships, profiles, exchanges, twins): every
# row there has always been written this way, and one column keeps one format so text order stays time order.
SECONDS = "seconds"


def to_db_time(moment: datetime, *, timespec: str = "microseconds") -> str:
    """Render an aware datetime as UTC ISO-8601 text; one column always uses one timespec."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("times stored in the database must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec=timespec)


def now_db_time(*, timespec: str = "microseconds") -> str:
    """The current moment as stored, in the timespec of the column it goes into."""
    return to_db_time(datetime.now(UTC), timespec=timespec)


@overload
def from_db_time(text: str) -> datetime: ...
@overload
def from_db_time(text: None) -> None: ...
def from_db_time(text: str | None) -> datetime | None:
    """Parse stored text back into an aware UTC datetime (text without an offset is UTC); None stays None."""
    if text is None:
        return None
    parsed = datetime.fromisoformat(text)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
