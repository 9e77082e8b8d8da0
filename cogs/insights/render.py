"""The /insights report's texts, embed and chart data, from the counted figures (no Discord calls)."""

from __future__ import annotations

import logging
from datetime import timedelta

import discord

from bot.themes import theme_by_key
from cogs.insights.chart import ChartData
from storage.insights import (
    SMALL_COUNT,
    InsightsReport,
    shown,
    suppress,
)

log = logging.getLogger(__name__)

TOP_THEMES = 5
# Short names for the chart's axis; the text uses the values members pick in /profile set.
GROUP_LABELS = {
    "citizen": "Citizen",
    "policy-maker": "Policy maker",
    "researcher": "Researcher",
    "end-user": "End user",
    "civil-society": "Civil society",
    "business": "Business",
}
FOOTER = (
    f"Aggregates only: a count of 1 or 2 for a group or theme shows as <{SMALL_COUNT}, so the report "
    "cannot single anyone out. Anonymous polls give counts only. Withdrawn testimonials are deleted "
    "and cannot be counted. Days are UTC days."
)


def period_title(report: InsightsReport) -> str:
    """Name the window: today, or the last N days."""
    return "today" if report.days == 1 else f"the last {report.days} days"


def period_dates(report: InsightsReport) -> str:
    """The first and last UTC day of the window, written out."""
    last = report.end - timedelta(days=1)
    if last == report.start:
        return f"{last:%d %b %Y} (UTC)"
    return f"{report.start:%d %b %Y} to {last:%d %b %Y} (UTC days)"


def breakdown(counts: dict[str, int] | tuple[tuple[str, int], ...], *, keep_zero: bool) -> str:
    """Join `name count` pairs with small counts suppressed; zeros only when asked; "none" if empty."""
    pairs = counts.items() if isinstance(counts, dict) else counts
    parts = [f"{name} {shown(n)}" for name, n in pairs if keep_zero or n]
    return " · ".join(parts) if parts else "none"


def poll_lines(report: InsightsReport) -> list[str]:
    """The polls field."""
    polls = report.polls
    created = f"Created: **{polls.created}**"
    if polls.anonymous_created:
        created += f" ({polls.anonymous_created} anonymous)"
    lines = [
        created,
        f"Votes cast: **{polls.votes}**",
        f"Distinct voters (non-anonymous polls): **{polls.voters}**",
    ]
    if polls.anonymous_closed:
        lines.append(
            f"Anonymous polls closed: {polls.anonymous_closed}, with {polls.anonymous_closed_votes} votes "
            "in all (their ballots are not kept, so those votes have no day)"
        )
    return lines


def testimonial_lines(report: InsightsReport) -> list[str]:
    """The testimonials field."""
    items = report.testimonials
    return [
        f"Submitted: **{items.submitted}** · approved **{items.approved}** · rejected **{items.rejected}**",
        f"Waiting for a decision now: **{items.pending_now}**",
        "Withdrawn: not countable (a withdrawn testimonial is deleted)",
        f"By group: {breakdown(items.by_group, keep_zero=False)}",
        f"By consent: {breakdown(items.by_scope, keep_zero=True)}",
    ]


def exchange_lines(report: InsightsReport) -> list[str]:
    """The exchanges field, with the most asked-about themes."""
    figures = report.exchanges
    themes = tuple(
        (discord.utils.escape_markdown(theme_by_key(key).label), n) for key, n in figures.themes[:TOP_THEMES]
    )
    return [
        f"Asked: **{figures.asked}** · resolved **{figures.resolved}** "
        f"· lessons written **{figures.lessons}**",
        f"Top themes: {breakdown(themes, keep_zero=False)}",
    ]


def city_lines(report: InsightsReport) -> list[str]:
    """The cities field."""
    cities = report.cities
    return [
        f"Registered: **{cities.registered}** ({cities.total} in the register)",
        f"Members who joined a city: **{cities.joined_members}**",
    ]


def call_lines(report: InsightsReport) -> list[str]:
    """The funding calls field."""
    calls = report.calls
    return [
        f"New reminder subscriptions: **{calls.new_subscriptions}** "
        f"({calls.subscribers_now} members subscribed now)",
        f"Calls added: **{calls.calls_added}**",
        f"Upcoming deadlines: **{calls.upcoming_deadlines}** ({calls.deadlines_soon} in the next 30 days)",
    ]


def event_lines(report: InsightsReport) -> list[str]:
    """The events field: webinars and workshops, and whether their reminders went out."""
    events = report.events
    posted = f"Reminders and follow-ups posted: **{events.notices_posted}**"
    if events.notices_not_posted:
        posted += f" ({events.notices_not_posted} not posted: missed, failed or interrupted)"
    return [
        f"Held: **{events.held}** · created **{events.created}** · cancelled **{events.cancelled}**",
        f"Upcoming now: **{events.upcoming_now}**",
        posted,
    ]


def profile_lines(report: InsightsReport) -> list[str]:
    """The member profiles field (every profile now, not only the window)."""
    groups = dict(report.profiles_by_group)
    groups["no group set"] = report.profiles_without_group
    return [breakdown(groups, keep_zero=True)]


def build_embed(report: InsightsReport, guild_name: str, filename: str) -> discord.Embed:
    """The report as one embed whose image is the attached chart."""
    embed = discord.Embed(
        title=f"Engagement insights: {period_title(report)}",
        description=(
            f"**{discord.utils.escape_markdown(guild_name)}**, {period_dates(report)}. "
            "Figures about the present (*now*, the register, upcoming deadlines) are as of "
            f"<t:{int(report.generated_at.timestamp())}:f>."
        ),
        colour=discord.Colour.teal(),
    )
    sections = (
        ("🗳️ Polls", poll_lines),
        ("📝 Testimonials", testimonial_lines),
        ("🤝 Exchanges and lessons", exchange_lines),
        ("🏙️ Cities", city_lines),
        ("💶 Funding calls", call_lines),
        ("📅 Events", event_lines),
        ("👥 Member profiles by target group (now)", profile_lines),
    )
    for name, lines in sections:
        embed.add_field(name=name, value="\n".join(lines(report)), inline=False)
    embed.set_image(url=f"attachment://{filename}")
    embed.set_footer(text=FOOTER)
    return embed


def chart_data(report: InsightsReport) -> ChartData:
    """What the chart draws, with the same small-number suppression as the text."""
    groups = list(report.profiles_by_group)
    return ChartData(
        title=f"Activity per UTC day, {period_title(report)}",
        days=[day.day for day in report.daily],
        votes=[day.votes for day in report.daily],
        testimonials=[day.testimonials for day in report.daily],
        exchanges=[day.exchanges for day in report.daily],
        groups=[GROUP_LABELS.get(group, group) for group in groups],
        profiles=[suppress(report.profiles_by_group[group]) for group in groups],
        stories=[suppress(report.testimonials.by_group.get(group, 0)) for group in groups],
    )


def chart_filename(report: InsightsReport) -> str:
    """The attachment's name: the window's first and last day."""
    return f"insights-{report.start.isoformat()}-{(report.end - timedelta(days=1)).isoformat()}.png"
