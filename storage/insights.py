"""Engagement insight: read-only aggregate counts over a server's activity in a window of UTC days.

Only counts leave this module, never a member id. Every stored time is ISO-8601 UTC text
(`2026-03-01T09:30:00+00:00`, with or without fractions of a second), so a window bounded by whole
UTC days is a plain text range on date strings (`ts >= '2026-03-01' AND ts < '2026-03-31'`), and a
day is `substr(ts, 1, 10)`. All figures come from one SQL statement, so they share one snapshot.

What cannot be counted: withdrawn testimonials (they are deleted with their decisions), and the
day of each vote in a closed anonymous poll (its ballots are deleted at close; only its per-option
totals stay, reported separately as undated votes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from storage.base import Repository
from storage.profiles import TARGET_GROUPS
from storage.times import SECONDS, to_db_time

MIN_DAYS: Final = 1
MAX_DAYS: Final = 365
DEFAULT_DAYS: Final = 30
# Counts from 1 to SMALL_COUNT - 1 in a breakdown are shown as "<3": small-number suppression.
SMALL_COUNT: Final = 3
# Deadlines this close count as "soon" in the calls figures.
SOON: Final = timedelta(days=30)
CONSENT_SCOPES: Final = ("named", "anonymous", "research")

# One aggregate query per figure, each giving rows of (key, n); :start and :end are midnights UTC (day_start).
_QUERIES: Final[dict[str, str]] = {
    "polls_created": (
        "SELECT anonymous AS k, COUNT(*) AS n FROM polls"
        " WHERE guild_id = :guild AND created_at >= :start AND created_at < :end GROUP BY anonymous"
    ),
    "votes_by_day": (
        "SELECT substr(v.voted_at, 1, 10) AS k, COUNT(*) AS n"
        " FROM polls p JOIN poll_votes v ON v.poll_id = p.id"
        " WHERE p.guild_id = :guild AND v.voted_at >= :start AND v.voted_at < :end"
        " GROUP BY substr(v.voted_at, 1, 10)"
    ),
    # Anonymous polls are left out: their voter keys are per-poll pseudonyms, not people.
    "voters": (
        "SELECT NULL AS k, COUNT(DISTINCT v.voter_key) AS n"
        " FROM polls p JOIN poll_votes v ON v.poll_id = p.id"
        " WHERE p.guild_id = :guild AND p.anonymous = 0 AND v.voted_at >= :start AND v.voted_at < :end"
    ),
    "anonymous_closed": (
        "SELECT NULL AS k, COUNT(*) AS n FROM polls"
        " WHERE guild_id = :guild AND anonymous = 1 AND closed_at >= :start AND closed_at < :end"
    ),
    "anonymous_closed_votes": (
        "SELECT NULL AS k, COALESCE(SUM(o.votes), 0) AS n"
        " FROM polls p JOIN poll_options o ON o.poll_id = p.id"
        " WHERE p.guild_id = :guild AND p.anonymous = 1 AND p.closed_at >= :start AND p.closed_at < :end"
    ),
    "testimonials_by_day": (
        "SELECT substr(submitted_at, 1, 10) AS k, COUNT(*) AS n FROM testimonials"
        " WHERE guild_id = :guild AND submitted_at >= :start AND submitted_at < :end"
        " GROUP BY substr(submitted_at, 1, 10)"
    ),
    "testimonials_group": (
        "SELECT target_group AS k, COUNT(*) AS n FROM testimonials"
        " WHERE guild_id = :guild AND submitted_at >= :start AND submitted_at < :end GROUP BY target_group"
    ),
    "testimonials_scope": (
        "SELECT consent_scope AS k, COUNT(*) AS n FROM testimonials"
        " WHERE guild_id = :guild AND submitted_at >= :start AND submitted_at < :end GROUP BY consent_scope"
    ),
    "testimonials_decided": (
        "SELECT status AS k, COUNT(*) AS n FROM testimonials"
        " WHERE guild_id = :guild AND decided_at >= :start AND decided_at < :end GROUP BY status"
    ),
    "testimonials_pending": (
        "SELECT NULL AS k, COUNT(*) AS n FROM testimonials WHERE guild_id = :guild AND status = 'pending'"
    ),
    "exchanges_by_day": (
        "SELECT substr(created_at, 1, 10) AS k, COUNT(*) AS n FROM exchanges"
        " WHERE guild_id = :guild AND created_at >= :start AND created_at < :end"
        " GROUP BY substr(created_at, 1, 10)"
    ),
    "exchanges_theme": (
        "SELECT theme AS k, COUNT(*) AS n FROM exchanges"
        " WHERE guild_id = :guild AND created_at >= :start AND created_at < :end GROUP BY theme"
    ),
    "exchanges_resolved": (
        "SELECT NULL AS k, COUNT(*) AS n FROM exchanges"
        " WHERE guild_id = :guild AND resolved_at >= :start AND resolved_at < :end"
    ),
    "lessons": (
        "SELECT NULL AS k, COUNT(*) AS n FROM exchanges e JOIN lessons l ON l.exchange_id = e.id"
        " WHERE e.guild_id = :guild AND l.created_at >= :start AND l.created_at < :end"
    ),
    "cities_registered": (
        "SELECT NULL AS k, COUNT(*) AS n FROM cities"
        " WHERE guild_id = :guild AND created_at >= :start AND created_at < :end"
    ),
    "cities_total": "SELECT NULL AS k, COUNT(*) AS n FROM cities WHERE guild_id = :guild",
    "city_joiners": (
        "SELECT NULL AS k, COUNT(DISTINCT m.user_id) AS n"
        " FROM cities c JOIN city_members m ON m.city_id = c.id"
        " WHERE c.guild_id = :guild AND m.joined_at >= :start AND m.joined_at < :end"
    ),
    "subscriptions_new": (
        "SELECT NULL AS k, COUNT(*) AS n FROM call_subscriptions"
        " WHERE guild_id = :guild AND created_at >= :start AND created_at < :end"
    ),
    "subscribers": (
        "SELECT NULL AS k, COUNT(DISTINCT user_id) AS n FROM call_subscriptions WHERE guild_id = :guild"
    ),
    "calls_added": (
        "SELECT NULL AS k, COUNT(*) AS n FROM calls"
        " WHERE guild_id = :guild AND created_at >= :start AND created_at < :end"
    ),
    "deadlines_upcoming": (
        "SELECT NULL AS k, COUNT(*) AS n FROM calls WHERE guild_id = :guild AND deadline_at > :now"
    ),
    "deadlines_soon": (
        "SELECT NULL AS k, COUNT(*) AS n FROM calls"
        " WHERE guild_id = :guild AND deadline_at > :now AND deadline_at <= :soon"
    ),
    "events_created": (
        "SELECT NULL AS k, COUNT(*) AS n FROM events"
        " WHERE guild_id = :guild AND created_at >= :start AND created_at < :end"
    ),
    # Ended in the window (so far) and not cancelled: the events that took place.
    "events_held": (
        "SELECT NULL AS k, COUNT(*) AS n FROM events"
        " WHERE guild_id = :guild AND state = 'scheduled' AND ends_at >= :start AND ends_at <= :now"
    ),
    "events_cancelled": (
        "SELECT NULL AS k, COUNT(*) AS n FROM events"
        " WHERE guild_id = :guild AND cancelled_at >= :start AND cancelled_at < :end"
    ),
    "events_upcoming": (
        "SELECT NULL AS k, COUNT(*) AS n FROM events WHERE guild_id = :guild AND state = 'scheduled'"
        " AND ends_at > :now"
    ),
    # Reminders and follow-ups by outcome: 'sent', or not posted ('failed', 'missed', 'uncertain').
    "event_notices": (
        "SELECT CASE WHEN n.state = 'sent' THEN 'sent' ELSE 'not_posted' END AS k, COUNT(*) AS n"
        " FROM events e JOIN event_notices n ON n.event_id = e.id"
        " WHERE e.guild_id = :guild AND n.state IN ('sent', 'failed', 'missed', 'uncertain')"
        " AND n.finished_at >= :start AND n.finished_at < :end"
        " GROUP BY k"
    ),
    "proposals_submitted": (
        "SELECT NULL AS k, COUNT(*) AS n FROM proposals"
        " WHERE guild_id = :guild AND created_at >= :start AND created_at < :end"
    ),
    # A withdrawn support is deleted, so this counts supports given in the window and still held.
    "proposal_supports": (
        "SELECT NULL AS k, COUNT(*) AS n FROM proposals p JOIN proposal_supports s ON s.proposal_id = p.id"
        " WHERE p.guild_id = :guild AND s.supported_at >= :start AND s.supported_at < :end"
    ),
    "profiles_group": (
        "SELECT COALESCE(target_group, '') AS k, COUNT(*) AS n FROM profiles"
        " WHERE guild_id = :guild GROUP BY target_group"
    ),
}

# Every figure in one statement: one round trip, and one read snapshot for the whole report.
_REPORT_SQL: Final = " UNION ALL ".join(
    f"SELECT '{name}' AS metric, k, n FROM ({sql})" for name, sql in _QUERIES.items()
)


@dataclass(frozen=True)
class DayActivity:
    """What happened on one UTC day."""

    day: date
    votes: int
    testimonials: int
    exchanges: int


@dataclass(frozen=True)
class PollFigures:
    """Polls created in the window and ballots cast in it."""

    created: int
    anonymous_created: int
    votes: int
    voters: int
    anonymous_closed: int
    anonymous_closed_votes: int


@dataclass(frozen=True)
class TestimonialFigures:
    """Testimonials submitted and decided in the window (withdrawn ones are deleted, so not here)."""

    __test__ = False  # not a pytest test class, despite the name

    submitted: int
    approved: int
    rejected: int
    pending_now: int
    by_group: dict[str, int]
    by_scope: dict[str, int]


@dataclass(frozen=True)
class ExchangeFigures:
    """Exchanges asked and resolved, lessons written, and the themes asked about."""

    asked: int
    resolved: int
    lessons: int
    themes: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class CityFigures:
    """Cities registered and members who joined a city."""

    registered: int
    total: int
    joined_members: int


@dataclass(frozen=True)
class CallFigures:
    """Reminder subscriptions and deadlines."""

    new_subscriptions: int
    subscribers_now: int
    calls_added: int
    upcoming_deadlines: int
    deadlines_soon: int


@dataclass(frozen=True)
class EventFigures:
    """Webinars and workshops: created, held and cancelled in the window, upcoming now, and notices."""

    created: int
    held: int
    cancelled: int
    upcoming_now: int
    notices_posted: int
    notices_not_posted: int


@dataclass(frozen=True)
class ProposalFigures:
    """Citizen proposals submitted and supports given in the window (withdrawn supports are deleted)."""

    submitted: int
    supports: int


@dataclass(frozen=True)
class InsightsReport:
    """A server's engagement in the UTC days [start, end), with profiles as they stand now."""

    guild_id: int
    start: date
    end: date
    generated_at: datetime
    polls: PollFigures
    testimonials: TestimonialFigures
    exchanges: ExchangeFigures
    cities: CityFigures
    calls: CallFigures
    events: EventFigures
    profiles_by_group: dict[str, int]
    profiles_without_group: int
    daily: tuple[DayActivity, ...]
    proposals: ProposalFigures = ProposalFigures(submitted=0, supports=0)

    @property
    def days(self) -> int:
        """How many UTC days the window covers."""
        return (self.end - self.start).days


def day_start(day: date) -> str:
    """Midnight UTC of `day` as stored text, to the second: it sorts before any time stored that day
    (to the second or to the microsecond) and after every time of the day before."""
    return to_db_time(datetime.combine(day, time(), UTC), timespec=SECONDS)


def report_window(days: int, now: datetime) -> tuple[date, date]:
    """The last `days` UTC days including today: first day, and the day after the last (exclusive)."""
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise ValueError(f"days must be from {MIN_DAYS} to {MAX_DAYS}")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    today = now.astimezone(UTC).date()
    return today - timedelta(days=days - 1), today + timedelta(days=1)


def suppress(count: int) -> int | None:
    """A breakdown count as it may be shown: None (hidden) for 1 and 2, so nobody can be singled out."""
    return None if 0 < count < SMALL_COUNT else count


def shown(count: int) -> str:
    """A breakdown count as text, "<3" when it is suppressed."""
    value = suppress(count)
    return f"<{SMALL_COUNT}" if value is None else str(value)


class InsightsRepository(Repository):
    """Aggregate, read-only queries over every capability's tables, per server."""

    async def report(self, guild_id: int, *, days: int, now: datetime) -> InsightsReport:
        """Count the server's activity in the last `days` UTC days up to now (one read snapshot)."""
        start, end = report_window(days, now)
        moment = now.astimezone(UTC)
        params = {
            "guild": guild_id,
            "start": day_start(start),
            "end": day_start(end),
            "now": to_db_time(moment),
            "soon": to_db_time(moment + SOON),
        }
        rows = await self._db.fetchall(_REPORT_SQL, params)
        figures: defaultdict[str, dict[str, int]] = defaultdict(dict)
        for row in rows:
            key = "" if row["k"] is None else str(row["k"])
            figures[str(row["metric"])][key] = int(row["n"] or 0)
        return _build(guild_id, start, end, moment, figures)


def _one(figures: Mapping[str, Mapping[str, int]], name: str) -> int:
    """A single-number figure (0 when the query found nothing)."""
    return sum(figures.get(name, {}).values())


def _every(keys: tuple[str, ...], counts: Mapping[str, int]) -> dict[str, int]:
    """Counts for every known key in order (0 when absent), then any unknown keys from older data."""
    ordered = {key: counts.get(key, 0) for key in keys}
    ordered.update({key: n for key, n in sorted(counts.items()) if key not in ordered and key})
    return ordered


def _build(
    guild_id: int, start: date, end: date, now: datetime, figures: Mapping[str, Mapping[str, int]]
) -> InsightsReport:
    """Assemble the report from the rows of the figure queries."""
    votes = figures.get("votes_by_day", {})
    stories = figures.get("testimonials_by_day", {})
    asked = figures.get("exchanges_by_day", {})
    daily = []
    for offset in range((end - start).days):
        day = start + timedelta(days=offset)
        key = day.isoformat()
        daily.append(DayActivity(day, votes.get(key, 0), stories.get(key, 0), asked.get(key, 0)))
    created = figures.get("polls_created", {})
    decided = figures.get("testimonials_decided", {})
    themes = sorted(figures.get("exchanges_theme", {}).items(), key=lambda item: (-item[1], item[0]))
    notices = figures.get("event_notices", {})
    profiles = dict(figures.get("profiles_group", {}))
    without_group = profiles.pop("", 0)
    return InsightsReport(
        guild_id=guild_id,
        start=start,
        end=end,
        generated_at=now,
        polls=PollFigures(
            created=sum(created.values()),
            anonymous_created=created.get("1", 0),
            votes=sum(votes.values()),
            voters=_one(figures, "voters"),
            anonymous_closed=_one(figures, "anonymous_closed"),
            anonymous_closed_votes=_one(figures, "anonymous_closed_votes"),
        ),
        testimonials=TestimonialFigures(
            submitted=sum(stories.values()),
            approved=decided.get("approved", 0),
            rejected=decided.get("rejected", 0),
            pending_now=_one(figures, "testimonials_pending"),
            by_group=_every(TARGET_GROUPS, figures.get("testimonials_group", {})),
            by_scope=_every(CONSENT_SCOPES, figures.get("testimonials_scope", {})),
        ),
        exchanges=ExchangeFigures(
            asked=sum(asked.values()),
            resolved=_one(figures, "exchanges_resolved"),
            lessons=_one(figures, "lessons"),
            themes=tuple(themes),
        ),
        cities=CityFigures(
            registered=_one(figures, "cities_registered"),
            total=_one(figures, "cities_total"),
            joined_members=_one(figures, "city_joiners"),
        ),
        calls=CallFigures(
            new_subscriptions=_one(figures, "subscriptions_new"),
            subscribers_now=_one(figures, "subscribers"),
            calls_added=_one(figures, "calls_added"),
            upcoming_deadlines=_one(figures, "deadlines_upcoming"),
            deadlines_soon=_one(figures, "deadlines_soon"),
        ),
        events=EventFigures(
            created=_one(figures, "events_created"),
            held=_one(figures, "events_held"),
            cancelled=_one(figures, "events_cancelled"),
            upcoming_now=_one(figures, "events_upcoming"),
            notices_posted=notices.get("sent", 0),
            notices_not_posted=notices.get("not_posted", 0),
        ),
        profiles_by_group=_every(TARGET_GROUPS, profiles),
        profiles_without_group=without_group,
        daily=tuple(daily),
        proposals=ProposalFigures(
            submitted=_one(figures, "proposals_submitted"), supports=_one(figures, "proposal_supports")
        ),
    )
