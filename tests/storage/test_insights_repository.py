"""InsightsRepository on a real SQLite file seeded through the other repositories' public methods."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.calls import CallInput
from storage.events import EventInput, NoticePlan
from storage.insights import (
    MAX_DAYS,
    InsightsReport,
    day_start,
    report_window,
    shown,
    suppress,
)
from storage.repositories import Repositories, open_storage
from storage.testimonials import NewTestimonial
from storage.times import to_db_time

GUILD = 1
OTHER = 2
# Noon on the last day of a 7-day window that starts on 2026-03-04.
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
START = datetime(2026, 3, 4, tzinfo=UTC)
TICK = timedelta(microseconds=1)


@pytest.fixture
async def repos(tmp_path: Path) -> AsyncIterator[Repositories]:
    """Repositories on a fresh, migrated database file."""
    db, repositories = await open_storage(tmp_path / "insights.sqlite3", default_timezone="UTC")
    try:
        yield repositories
    finally:
        await db.close()


async def poll(repos: Repositories, at: datetime, *, guild: int = GUILD, anonymous: bool = False) -> int:
    """Create a three-option multiple-choice poll at `at` and return its id."""
    created = await repos.polls.create(
        guild_id=guild, channel_id=10, question="Which pilot first?", options=["Energy", "Mobility", "Trees"],
        created_by=99, now=at, multiple=True, anonymous=anonymous,
    )  # fmt: skip
    return created.id


async def vote(repos: Repositories, poll_id: int, user: int, option: int, at: datetime) -> None:
    """Cast one ballot and check it was accepted."""
    result = await repos.polls.cast_vote(poll_id, user, option, at)
    assert result.accepted, result


def story(author: int, group: str, scope: str, *, guild: int = GUILD) -> NewTestimonial:
    """A valid submission to the Trams campaign."""
    return NewTestimonial(
        guild_id=guild, campaign_name="Trams", author_id=author, author_name=f"member{author}",
        story="The new tram line changed how I get to work.", city="Leuven", target_group=group,
        consent_scope=scope, consent_version="1", consent_text="I agree.", consented_at=NOW,
    )  # fmt: skip


async def campaign(repos: Repositories, guild: int = GUILD) -> None:
    """Open the Trams campaign on a server."""
    await repos.testimonials.create_campaign(
        guild_id=guild, name="Trams", prompt="How did the tram change your life?", licence="CC-BY-4.0",
        max_photo_bytes=1 << 20, created_by=99, now=START - timedelta(days=30),
    )  # fmt: skip


def no_plan(deadline: datetime, zone: str, now: datetime) -> list[tuple[timedelta, datetime]]:
    """Plan no reminders."""
    return []


async def add_call(repos: Repositories, identifier: str, deadline: datetime, at: datetime) -> None:
    """Register a call with the given deadline at time `at`."""
    data = CallInput(
        identifier=identifier, title="Zero-pollution cities", programme="horizon-europe",
        deadline_at=deadline, timezone="UTC",
    )  # fmt: skip
    await repos.calls.add(GUILD, data, created_by=99, planner=no_plan, now=at)


async def report(repos: Repositories, days: int = 7, now: datetime = NOW) -> InsightsReport:
    """The insight report for GUILD."""
    return await repos.insights.report(GUILD, days=days, now=now)


def test_window_is_whole_utc_days_ending_today() -> None:
    """Seven days end with today (UTC) and start six days earlier; other zones are converted first."""
    assert report_window(7, NOW) == (date(2026, 3, 4), date(2026, 3, 11))
    assert report_window(1, NOW) == (date(2026, 3, 10), date(2026, 3, 11))
    # 21:00 on 9 March in New York is already 10 March in UTC.
    evening_in_new_york = datetime(2026, 3, 10, 1, 0, tzinfo=UTC).astimezone(ZoneInfo("America/New_York"))
    assert evening_in_new_york.day == 9
    assert report_window(1, evening_in_new_york) == (date(2026, 3, 10), date(2026, 3, 11))
    for bad in (0, -1, MAX_DAYS + 1):
        with pytest.raises(ValueError):
            report_window(bad, NOW)
    with pytest.raises(ValueError):
        report_window(7, datetime(2026, 3, 10))


def test_small_counts_are_suppressed() -> None:
    """1 and 2 are hidden as "<3"; zero describes nobody and 3 and more are shown."""
    assert [suppress(n) for n in range(5)] == [0, None, None, 3, 4]
    assert [shown(n) for n in range(5)] == ["0", "<3", "<3", "3", "4"]


async def test_empty_server_reports_zeros_and_one_day_per_window_day(repos: Repositories) -> None:
    """Nothing happened: every figure is zero and the daily series still covers the window."""
    result = await report(repos, days=30)
    assert result.days == 30 and len(result.daily) == 30
    assert result.daily[0].day == date(2026, 2, 9) and result.daily[-1].day == date(2026, 3, 10)
    assert all(d.votes == d.testimonials == d.exchanges == 0 for d in result.daily)
    assert result.polls.created == result.polls.votes == result.polls.voters == 0
    assert result.testimonials.submitted == 0 and set(result.testimonials.by_group.values()) == {0}
    assert list(result.testimonials.by_scope) == ["named", "anonymous", "research"]
    assert result.exchanges.themes == () and result.cities.total == 0
    assert list(result.profiles_by_group) == [
        "citizen", "policy-maker", "researcher", "end-user", "civil-society", "business",
    ]  # fmt: skip


async def test_polls_votes_and_voters_respect_the_window_and_the_server(repos: Repositories) -> None:
    """Ballots count on their UTC day; the edges of the window are exact; other servers do not count."""
    before = await poll(repos, START - timedelta(days=2))
    inside = await poll(repos, START)
    await poll(repos, START - TICK)  # created just before the window: not counted as created
    await vote(repos, before, 1, 0, START - TICK)  # just before the first day: not counted
    await vote(repos, before, 2, 0, START)  # first instant of the first day
    await vote(repos, inside, 2, 1, START + timedelta(hours=5))
    await vote(repos, inside, 3, 0, NOW)
    await vote(repos, inside, 3, 2, NOW)  # multiple choice: two ballots, one voter
    foreign = await poll(repos, NOW, guild=OTHER)
    await vote(repos, foreign, 4, 0, NOW)

    result = await report(repos)
    assert result.polls.created == 1 and result.polls.anonymous_created == 0
    assert result.polls.votes == 4
    assert result.polls.voters == 2  # members 2 and 3
    by_day = {d.day: d.votes for d in result.daily if d.votes}
    assert by_day == {date(2026, 3, 4): 2, date(2026, 3, 10): 2}


async def test_anonymous_polls_give_counts_only(repos: Repositories) -> None:
    """Open anonymous ballots count per day but not as voters; a closed one's votes are undated."""
    open_one = await poll(repos, START, anonymous=True)
    closed_one = await poll(repos, START, anonymous=True)
    for user in (1, 2, 3):
        await vote(repos, open_one, user, 0, START + timedelta(days=1))
        await vote(repos, closed_one, user, 1, START + timedelta(days=1))
    await repos.polls.close(closed_one, START + timedelta(days=2))

    result = await report(repos)
    assert result.polls.created == 2 and result.polls.anonymous_created == 2
    assert result.polls.votes == 3, "the closed poll's ballots are gone; the open poll's are dated"
    assert result.polls.voters == 0, "anonymous ballots are never counted as people"
    assert (result.polls.anonymous_closed, result.polls.anonymous_closed_votes) == (1, 3)
    assert result.daily[1].votes == 3


async def test_testimonials_counts_breakdowns_and_withdrawals(repos: Repositories) -> None:
    """Submitted, decided and pending figures; withdrawn items vanish from every count."""
    await campaign(repos)
    await campaign(repos, OTHER)
    groups = ["citizen"] * 4 + ["researcher"] * 2 + ["business"]
    scopes = ["named", "anonymous", "anonymous", "anonymous", "research", "named", "named"]
    ids = []
    for author, (group, scope) in enumerate(zip(groups, scopes, strict=True), start=1):
        at = START + timedelta(days=author % 3)
        ids.append((await repos.testimonials.submit(story(author, group, scope), None, now=at)).id)
    early = await repos.testimonials.submit(story(50, "citizen", "named"), None, now=START - TICK)
    await repos.testimonials.submit(story(60, "citizen", "named", guild=OTHER), None, now=NOW)
    await repos.testimonials.decide(ids[0], approve=True, moderator_id=99, now=NOW)
    await repos.testimonials.decide(ids[1], approve=True, moderator_id=99, now=NOW)
    await repos.testimonials.decide(ids[2], approve=False, moderator_id=99, now=NOW, reason="off topic")
    await repos.testimonials.decide(early.id, approve=True, moderator_id=99, now=START - TICK)
    await repos.testimonials.withdraw(ids[6], author_id=7)

    figures = (await report(repos)).testimonials
    assert figures.submitted == 6
    assert (figures.approved, figures.rejected) == (2, 1)
    assert figures.pending_now == 3  # ids[3:6]; the early one was decided, the withdrawn one is gone
    assert figures.by_group == {
        "citizen": 4, "policy-maker": 0, "researcher": 2, "end-user": 0, "civil-society": 0, "business": 0,
    }  # fmt: skip
    assert figures.by_scope == {"named": 2, "anonymous": 3, "research": 1}
    assert [shown(n) for n in figures.by_group.values()] == ["4", "0", "<3", "0", "0", "0"]


async def test_exchanges_lessons_themes_cities_and_profiles(repos: Repositories) -> None:
    """Items stamped with the real clock count today and drop out of a window that ends before."""
    lyon = await repos.cities.add(GUILD, "Lyon", "FR", mission_city=True, created_by=99)
    riga = await repos.cities.add(GUILD, "Riga", "LV", mission_city=True, created_by=99)
    await repos.cities.add(OTHER, "Graz", "AT", mission_city=False, created_by=99)
    await repos.cities.join(lyon.id, 1)
    await repos.cities.join(riga.id, 1)
    await repos.profiles.set(GUILD, 2, target_group="researcher", city_id=lyon.id)
    await repos.profiles.set(GUILD, 3, target_group="researcher")
    await repos.profiles.set(GUILD, 4, target_group="citizen")
    await repos.profiles.set(GUILD, 5, city_id=riga.id)
    themes = ["energy", "energy", "energy", "mobility", "buildings"]
    for thread, theme in enumerate(themes, start=500):
        created = await repos.exchanges.create(
            guild_id=GUILD, forum_id=9, thread_id=thread, author_id=1, from_city_id=lyon.id,
            title="Heat pumps?", question="How did you fund them?", theme=theme, city_ids=[riga.id],
        )  # fmt: skip
        if theme == "energy":
            await repos.exchanges.resolve(created.id, by=2, what_worked="Grants", what_did_not="", contact="")
    await repos.exchanges.create(
        guild_id=OTHER, forum_id=9, thread_id=900, author_id=1, from_city_id=None,
        title="x", question="y", theme="energy", city_ids=[],
    )  # fmt: skip

    now = datetime.now(UTC)
    today = await report(repos, days=1, now=now)
    assert today.exchanges.asked == 5 and today.exchanges.resolved == 3 and today.exchanges.lessons == 3
    assert today.exchanges.themes == (("energy", 3), ("buildings", 1), ("mobility", 1))
    assert today.daily[-1].exchanges == 5
    assert (today.cities.registered, today.cities.total, today.cities.joined_members) == (2, 2, 3)
    assert today.profiles_by_group["researcher"] == 2 and today.profiles_by_group["citizen"] == 1
    assert today.profiles_without_group == 1

    # Thirty days ending yesterday: today's activity is outside; profiles and totals stay (they are "now").
    past = await report(repos, days=30, now=now - timedelta(days=1))
    assert past.exchanges.asked == past.exchanges.resolved == past.exchanges.lessons == 0
    assert past.exchanges.themes == ()
    assert (past.cities.registered, past.cities.total, past.cities.joined_members) == (0, 2, 0)
    assert past.profiles_by_group["researcher"] == 2


async def test_calls_subscriptions_and_deadlines(repos: Repositories) -> None:
    """New subscriptions in the window, subscribers now, and deadlines after now (soon: within 30 days)."""
    await add_call(repos, "CALL-PAST-01", NOW - timedelta(days=1), at=START - timedelta(days=10))
    await add_call(repos, "CALL-SOON-01", NOW + timedelta(days=3), at=START + timedelta(days=1))
    await add_call(repos, "CALL-LATE-01", NOW + timedelta(days=90), at=NOW)
    await repos.calls.subscribe(GUILD, 1, "*", now=START - timedelta(days=1))
    await repos.calls.subscribe(GUILD, 2, "horizon-europe", now=START)
    await repos.calls.subscribe(GUILD, 2, "life", now=NOW)
    await repos.calls.subscribe(OTHER, 3, "*", now=NOW)

    calls = (await report(repos)).calls
    assert (calls.new_subscriptions, calls.subscribers_now) == (2, 2)
    assert calls.calls_added == 2
    assert (calls.upcoming_deadlines, calls.deadlines_soon) == (2, 1)


async def add_event(
    repos: Repositories, discord_id: int, starts: datetime, *, created: datetime, guild: int = GUILD
) -> tuple[int, list[int]]:
    """Record a one-hour event created at `created`, with a reminder and a follow-up; return the ids."""
    ends = starts + timedelta(hours=1)
    event, notices = await repos.events.create(
        guild, EventInput(discord_id, "Heat pumps", "", "Town hall", starts, ends, "UTC"),
        [NoticePlan("reminder", timedelta(hours=1), starts - timedelta(hours=1)),
         NoticePlan("followup", timedelta(0), ends)],
        created_by=99, now=created,
    )  # fmt: skip
    return event.id, [n.id for n in notices]


async def post(repos: Repositories, notice_id: int, at: datetime, outcome: str = "sent") -> None:
    """Claim a notice at `at` and record its outcome."""
    assert (await repos.events.claim(notice_id, now=at, grace=timedelta(hours=1))).value == "claimed"
    assert await repos.events.finish(notice_id, outcome=outcome, message_id=None, note=None, now=at)


async def test_events_held_created_cancelled_upcoming_and_notices(repos: Repositories) -> None:
    """Held means ended in the window and not cancelled; notices count by the day they were finished."""
    _, (held_reminder, held_followup) = await add_event(
        repos, 1, START + timedelta(days=2), created=START - timedelta(days=5)
    )
    await post(repos, held_reminder, START + timedelta(days=2) - timedelta(hours=1))
    await post(repos, held_followup, START + timedelta(days=2, hours=1), outcome="failed")
    _, (old_reminder, _) = await add_event(
        repos, 2, START - timedelta(days=3), created=START - timedelta(days=9)
    )
    await post(repos, old_reminder, START - timedelta(days=3, hours=1))  # before the window
    dropped, _ = await add_event(repos, 3, NOW + timedelta(days=2), created=START + timedelta(days=1))
    await repos.events.cancel(GUILD, dropped, by=99, now=START + timedelta(days=3))
    await add_event(repos, 4, NOW - timedelta(minutes=30), created=START + timedelta(days=4))  # running
    await add_event(repos, 5, NOW + timedelta(days=10), created=NOW)
    await add_event(repos, 6, NOW + timedelta(days=1), created=NOW, guild=OTHER)

    events = (await report(repos)).events
    assert (events.held, events.created, events.cancelled) == (1, 3, 1)
    assert events.upcoming_now == 2, "the running one and the one in ten days"
    assert (events.notices_posted, events.notices_not_posted) == (1, 1)


@given(
    st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(2999, 12, 30), timezones=st.just(UTC)),
    st.sampled_from(["seconds", "milliseconds", "microseconds"]),
)
def test_day_boundaries_sort_around_times_stored_in_any_precision(moment: datetime, timespec: str) -> None:
    """A stored time falls on or after its own day's start and before the next day's start, whether its
    column keeps seconds (exchanges, cities) or microseconds (polls, testimonials)."""
    stored = to_db_time(moment, timespec=timespec)
    day = moment.date()
    assert day_start(day) <= stored < day_start(day + timedelta(days=1))


async def proposal(repos: Repositories, at: datetime, *, guild: int = GUILD) -> int:
    """Submit a citizen proposal at `at` and return its id."""
    made = await repos.proposals.create(
        guild_id=guild, author_id=50, city_id=None, city_name=None, theme="energy", title="Solar roofs",
        body="Panels on every school.", benefit="Less gas.", now=at,
    )  # fmt: skip
    return made.id


async def support(
    repos: Repositories, proposal_id: int, user: int, at: datetime, *, guild: int = GUILD
) -> None:
    """One Support click at `at`."""
    await repos.proposals.toggle_support(proposal_id, guild_id=guild, user_id=user, now=at, threshold=10)


async def test_proposals_and_supports_respect_the_window_the_server_and_withdrawals(
    repos: Repositories,
) -> None:
    """Proposals count on the day submitted, supports on the day given; a withdrawn support is gone."""
    before = await proposal(repos, START - TICK)
    inside = await proposal(repos, START)
    await proposal(repos, NOW)
    elsewhere = await proposal(repos, NOW, guild=OTHER)
    await support(repos, before, 1, START - TICK)  # given before the window: not counted
    await support(repos, before, 2, START + timedelta(hours=1))
    await support(repos, inside, 1, NOW)
    await support(repos, inside, 3, START + timedelta(days=1))
    await support(repos, inside, 3, START + timedelta(days=2))  # pressed again: withdrawn, deleted
    await support(repos, elsewhere, 1, NOW, guild=OTHER)
    result = await report(repos)
    assert (result.proposals.submitted, result.proposals.supports) == (2, 2)
    assert (await repos.proposals.counts(GUILD, START)) == {"proposals": 2, "supports": 2}
    other = await repos.insights.report(OTHER, days=7, now=NOW)
    assert (other.proposals.submitted, other.proposals.supports) == (1, 1)
    empty = await repos.insights.report(3, days=7, now=NOW)
    assert (empty.proposals.submitted, empty.proposals.supports) == (0, 0)
