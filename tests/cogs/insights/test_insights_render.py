"""The /insights embed and chart data: the right figures, small counts suppressed, within Discord's limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.i18n import ENGLISH
from cogs.insights.render import FOOTER, build_embed, chart_data, chart_filename, period_dates, report_title
from storage.insights import (
    CallFigures,
    CityFigures,
    DayActivity,
    EventFigures,
    ExchangeFigures,
    InsightsReport,
    PollFigures,
    ProposalFigures,
    TestimonialFigures,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
GROUPS = ("citizen", "policy-maker", "researcher", "end-user", "civil-society", "business")


def sample(days: int = 7) -> InsightsReport:
    """A report with every kind of figure, some of them small."""
    start = date(2026, 3, 10) - timedelta(days=days - 1)
    return InsightsReport(
        guild_id=1,
        start=start,
        end=date(2026, 3, 11),
        generated_at=NOW,
        polls=PollFigures(
            created=3, anonymous_created=1, votes=42, voters=17, anonymous_closed=1, anonymous_closed_votes=9
        ),
        testimonials=TestimonialFigures(
            submitted=8,
            approved=5,
            rejected=1,
            pending_now=2,
            by_group=dict(zip(GROUPS, (5, 0, 2, 0, 1, 0), strict=True)),
            by_scope={"named": 4, "anonymous": 2, "research": 2},
        ),
        exchanges=ExchangeFigures(
            asked=11,
            resolved=4,
            lessons=4,
            themes=(
                ("energy", 5),
                ("mobility", 3),
                ("buildings", 1),
                ("nature-based", 1),
                ("governance-finance", 1),
                ("x*odd*", 1),
            ),
        ),
        cities=CityFigures(registered=2, total=12, joined_members=6),
        calls=CallFigures(
            new_subscriptions=4, subscribers_now=9, calls_added=3, upcoming_deadlines=5, deadlines_soon=2
        ),
        events=EventFigures(
            created=4, held=2, cancelled=1, upcoming_now=3, notices_posted=6, notices_not_posted=1
        ),
        profiles_by_group=dict(zip(GROUPS, (30, 2, 6, 0, 1, 3), strict=True)),
        profiles_without_group=1,
        daily=tuple(
            DayActivity(start + timedelta(days=i), votes=i, testimonials=1, exchanges=0) for i in range(days)
        ),
    )


def field(embed_dict: Any, name: str) -> str:
    """The value of the embed field whose name contains `name`."""
    return str(next(f["value"] for f in embed_dict["fields"] if name in f["name"]))


def test_embed_shows_the_figures_with_small_counts_suppressed() -> None:
    """Headline counts are exact; group, scope and theme counts of 1 or 2 show as <3."""
    embed = build_embed(ENGLISH, sample(), "Mission *Cities*", "chart.png").to_dict()
    assert embed["title"] == "Engagement insights: the last 7 days"
    assert "Mar 4, 2026 to Mar 10, 2026 (UTC days)" in embed["description"]
    assert r"Mission \*Cities\*" in embed["description"], "the server name cannot inject markdown"
    polls = field(embed, "Polls")
    assert "Created: **3** (1 anonymous)" in polls and "Votes cast: **42**" in polls
    assert "Distinct voters (non-anonymous polls): **17**" in polls
    assert "Anonymous polls closed: 1, with 9 votes" in polls
    stories = field(embed, "Testimonials")
    assert "Submitted: **8** · approved **5** · rejected **1**" in stories
    assert "Waiting for a decision now: **2**" in stories
    assert "Withdrawn: not countable" in stories
    assert "By group: citizen 5 · researcher <3 · civil-society <3" in stories
    assert "By consent: named 4 · anonymous <3 · research <3" in stories
    exchanges = field(embed, "Exchanges")
    assert "Asked: **11** · resolved **4** · lessons written **4**" in exchanges
    assert "Top themes: Energy 5 · Mobility 3 · Buildings <3 · Nature-based solutions <3 · " in exchanges
    assert "odd" not in exchanges, "only the top five themes are listed"
    assert "Registered: **2** (12 in the register)" in field(embed, "Cities")
    assert "Members who joined a city: **6**" in field(embed, "Cities")
    calls = field(embed, "Funding calls")
    assert "New reminder subscriptions: **4** (9 members subscribed now)" in calls
    assert "Upcoming deadlines: **5** (2 in the next 30 days)" in calls
    events = field(embed, "Events")
    assert "Held: **2** · created **4** · cancelled **1**" in events and "Upcoming now: **3**" in events
    assert "Reminders and follow-ups posted: **6** (1 not posted" in events
    assert field(embed, "Member profiles") == (
        "citizen 30 · policy-maker <3 · researcher 6 · end-user 0 · civil-society <3 · business 3"
        " · no group set <3"
    )
    assert embed["image"]["url"] == "attachment://chart.png"
    assert (
        embed["footer"]["text"] == ENGLISH._(FOOTER, small=3)
        and "<3" in embed["footer"]["text"]
        and "Withdrawn" in FOOTER
    )


def test_embed_stays_within_discord_limits_for_a_year() -> None:
    """Title, fields, footer and total fit Discord's embed limits."""
    embed = build_embed(ENGLISH, sample(365), "x" * 100, "chart.png")
    assert len(embed) <= 6000 and len(embed.fields) <= 25
    assert all(len(f.value or "") <= 1024 and len(f.name or "") <= 256 for f in embed.fields)
    assert len(embed.footer.text or "") <= 2048 and len(embed.title or "") <= 256


def test_empty_breakdowns_say_none_and_one_day_is_today() -> None:
    """No themes and no stories read as "none"; a one-day window is today."""
    quiet = replace(
        sample(1),
        exchanges=ExchangeFigures(asked=0, resolved=0, lessons=0, themes=()),
        testimonials=replace(sample(1).testimonials, by_group=dict.fromkeys(GROUPS, 0)),
    )
    assert (
        report_title(ENGLISH, quiet) == "Engagement insights: today"
        and period_dates(ENGLISH, quiet) == "Mar 10, 2026 (UTC)"
    )
    embed = build_embed(ENGLISH, quiet, "Town", "c.png").to_dict()
    assert "Top themes: none" in field(embed, "Exchanges")
    assert "By group: none" in field(embed, "Testimonials")
    quiet_events = replace(quiet, events=EventFigures(0, 0, 0, 0, 3, 0))
    assert field(build_embed(ENGLISH, quiet_events, "Town", "c.png").to_dict(), "Events").endswith(
        "Reminders and follow-ups posted: **3**"
    ), "nothing said about failures when there were none"
    assert chart_filename(quiet) == "insights-2026-03-10-2026-03-10.png"


def test_chart_data_uses_the_same_suppression() -> None:
    """Small group counts reach the chart as None (drawn as <3), larger ones and zeros as numbers."""
    data = chart_data(ENGLISH, sample())
    assert data.groups == ["Citizen", "Policy maker", "Researcher", "End user", "Civil society", "Business"]
    assert data.profiles == [30, None, 6, 0, None, 3]
    assert data.stories == [5, 0, None, 0, None, 0]
    assert data.days[0] == date(2026, 3, 4) and data.votes == [0, 1, 2, 3, 4, 5, 6]
    assert chart_filename(sample()) == "insights-2026-03-04-2026-03-10.png"


def test_embed_counts_citizen_proposals_and_supports() -> None:
    """The proposals field shows proposals submitted and supports held, in the reader's number format."""
    report = replace(sample(), proposals=ProposalFigures(submitted=4, supports=1234))
    proposals = field(build_embed(ENGLISH, report, "Town", "chart.png").to_dict(), "Citizen proposals")
    assert proposals == "Submitted: **4** · supports given and still held **1,234**"
    empty = field(build_embed(ENGLISH, sample(), "Town", "chart.png").to_dict(), "Citizen proposals")
    assert empty == "Submitted: **0** · supports given and still held **0**"
