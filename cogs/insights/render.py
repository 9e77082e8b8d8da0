"""The /insights report's texts, embed and chart data, from the counted figures (no Discord calls).

Everything is in the language `t` of the moderator who asked; numbers and dates are written as
that language writes them. Stored values members pick (target groups, consent scopes) stay as
they are typed in commands.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import discord

from bot.i18n import N_, Lang
from bot.themes import theme_by_key
from bot.timestamps import discord_timestamp
from cogs.insights.chart import ChartData
from storage.insights import SMALL_COUNT, InsightsReport, suppress

log = logging.getLogger(__name__)

TOP_THEMES = 5
# Short names for the chart's axis; the text uses the values members pick in /profile set.
GROUP_LABELS = {
    "citizen": N_("Citizen"),
    "policy-maker": N_("Policy maker"),
    "researcher": N_("Researcher"),
    "end-user": N_("End user"),
    "civil-society": N_("Civil society"),
    "business": N_("Business"),
}
# Translators: {small} is 3: counts of 1 and 2 are shown as "<3".
FOOTER = N_(
    "Aggregates only: a count of 1 or 2 for a group or theme shows as <{small}, so the report "
    "cannot single anyone out. Anonymous polls give counts only. Withdrawn testimonials are deleted "
    "and cannot be counted. Days are UTC days."
)


def number(t: Lang, value: int) -> str:
    """A count as language t writes it."""
    return t.number(value)


def shown(t: Lang, count: int) -> str:
    """A breakdown count in language t, "<3" when it is suppressed."""
    value = suppress(count)
    return "<" + t.number(SMALL_COUNT) if value is None else t.number(value)


def report_title(t: Lang, report: InsightsReport) -> str:
    """The embed's title, naming the window (one whole sentence per form)."""
    if report.days == 1:
        return t._("Engagement insights: today")
    return t.ngettext(
        "Engagement insights: the last {n} day", "Engagement insights: the last {n} days", report.days
    )


def chart_title(t: Lang, report: InsightsReport) -> str:
    """The chart's title, naming the window (one whole sentence per form)."""
    if report.days == 1:
        return t._("Activity per UTC day, today")
    return t.ngettext(
        "Activity per UTC day, the last {n} day", "Activity per UTC day, the last {n} days", report.days
    )


def period_dates(t: Lang, report: InsightsReport) -> str:
    """The first and last UTC day of the window, written out in language t."""
    last = report.end - timedelta(days=1)
    if last == report.start:
        return t._("{day} (UTC)", day=t.date(last))
    return t._("{first} to {last} (UTC days)", first=t.date(report.start), last=t.date(last))


def breakdown(t: Lang, counts: dict[str, int] | tuple[tuple[str, int], ...], *, keep_zero: bool) -> str:
    """Join `name count` pairs with small counts suppressed; zeros only when asked; "none" if empty."""
    pairs = counts.items() if isinstance(counts, dict) else counts
    parts = [f"{name} {shown(t, n)}" for name, n in pairs if keep_zero or n]
    # Translators: an empty breakdown (no group, no theme).
    return " · ".join(parts) if parts else t._("none")


def poll_lines(t: Lang, report: InsightsReport) -> list[str]:
    """The polls field."""
    polls = report.polls
    if polls.anonymous_created:
        created = t.ngettext(
            "Created: **{created}** ({count} anonymous)",
            "Created: **{created}** ({count} anonymous)",
            polls.anonymous_created,
            created=number(t, polls.created),
            count=number(t, polls.anonymous_created),
        )
    else:
        created = t._("Created: **{created}**", created=number(t, polls.created))
    lines = [
        created,
        t._("Votes cast: **{votes}**", votes=number(t, polls.votes)),
        t._("Distinct voters (non-anonymous polls): **{voters}**", voters=number(t, polls.voters)),
    ]
    if polls.anonymous_closed:
        lines.append(
            t.ngettext(
                "Anonymous polls closed: {closed}, with {count} vote in all "
                "(their ballots are not kept, so that vote has no day)",
                "Anonymous polls closed: {closed}, with {count} votes in all "
                "(their ballots are not kept, so those votes have no day)",
                polls.anonymous_closed_votes,
                closed=number(t, polls.anonymous_closed),
                count=number(t, polls.anonymous_closed_votes),
            )
        )
    return lines


def testimonial_lines(t: Lang, report: InsightsReport) -> list[str]:
    """The testimonials field."""
    items = report.testimonials
    return [
        t._(
            "Submitted: **{submitted}** · approved **{approved}** · rejected **{rejected}**",
            submitted=number(t, items.submitted),
            approved=number(t, items.approved),
            rejected=number(t, items.rejected),
        ),
        t._("Waiting for a decision now: **{pending}**", pending=number(t, items.pending_now)),
        t._("Withdrawn: not countable (a withdrawn testimonial is deleted)"),
        t._("By group: {breakdown}", breakdown=breakdown(t, items.by_group, keep_zero=False)),
        t._("By consent: {breakdown}", breakdown=breakdown(t, items.by_scope, keep_zero=True)),
    ]


def exchange_lines(t: Lang, report: InsightsReport) -> list[str]:
    """The exchanges field, with the most asked-about themes."""
    figures = report.exchanges
    themes = tuple(
        (discord.utils.escape_markdown(theme_by_key(key).label_in(t)), n)
        for key, n in figures.themes[:TOP_THEMES]
    )
    return [
        t._(
            "Asked: **{asked}** · resolved **{resolved}** · lessons written **{lessons}**",
            asked=number(t, figures.asked),
            resolved=number(t, figures.resolved),
            lessons=number(t, figures.lessons),
        ),
        t._("Top themes: {breakdown}", breakdown=breakdown(t, themes, keep_zero=False)),
    ]


def proposal_lines(t: Lang, report: InsightsReport) -> list[str]:
    """The citizen proposals field (a withdrawn support is deleted, so only supports still held count)."""
    proposals = report.proposals
    return [
        t._(
            "Submitted: **{submitted}** · supports given and still held **{supports}**",
            submitted=number(t, proposals.submitted),
            supports=number(t, proposals.supports),
        )
    ]


def city_lines(t: Lang, report: InsightsReport) -> list[str]:
    """The cities field."""
    cities = report.cities
    return [
        t.ngettext(
            "Registered: **{registered}** ({count} in the register)",
            "Registered: **{registered}** ({count} in the register)",
            cities.total,
            registered=number(t, cities.registered),
            count=number(t, cities.total),
        ),
        t._("Members who joined a city: **{members}**", members=number(t, cities.joined_members)),
    ]


def call_lines(t: Lang, report: InsightsReport) -> list[str]:
    """The funding calls field."""
    calls = report.calls
    return [
        t.ngettext(
            "New reminder subscriptions: **{new}** ({count} member subscribed now)",
            "New reminder subscriptions: **{new}** ({count} members subscribed now)",
            calls.subscribers_now,
            new=number(t, calls.new_subscriptions),
            count=number(t, calls.subscribers_now),
        ),
        t._("Calls added: **{added}**", added=number(t, calls.calls_added)),
        t.ngettext(
            "Upcoming deadlines: **{upcoming}** ({count} in the next 30 days)",
            "Upcoming deadlines: **{upcoming}** ({count} in the next 30 days)",
            calls.deadlines_soon,
            upcoming=number(t, calls.upcoming_deadlines),
            count=number(t, calls.deadlines_soon),
        ),
    ]


def event_lines(t: Lang, report: InsightsReport) -> list[str]:
    """The events field: webinars and workshops, and whether their reminders went out."""
    events = report.events
    if events.notices_not_posted:
        posted = t.ngettext(
            "Reminders and follow-ups posted: **{posted}** "
            "({count} not posted: missed, failed or interrupted)",
            "Reminders and follow-ups posted: **{posted}** "
            "({count} not posted: missed, failed or interrupted)",
            events.notices_not_posted,
            posted=number(t, events.notices_posted),
            count=number(t, events.notices_not_posted),
        )
    else:
        posted = t._("Reminders and follow-ups posted: **{posted}**", posted=number(t, events.notices_posted))
    return [
        t._(
            "Held: **{held}** · created **{created}** · cancelled **{cancelled}**",
            held=number(t, events.held),
            created=number(t, events.created),
            cancelled=number(t, events.cancelled),
        ),
        t._("Upcoming now: **{upcoming}**", upcoming=number(t, events.upcoming_now)),
        posted,
    ]


def profile_lines(t: Lang, report: InsightsReport) -> list[str]:
    """The member profiles field (every profile now, not only the window)."""
    groups = dict(report.profiles_by_group)
    # Translators: members whose profile names no target group, in a list of target groups.
    groups[t._("no group set")] = report.profiles_without_group
    return [breakdown(t, groups, keep_zero=True)]


SECTIONS = (
    (N_("🗳️ Polls"), poll_lines),
    (N_("📝 Testimonials"), testimonial_lines),
    (N_("🤝 Exchanges and lessons"), exchange_lines),
    (N_("💡 Citizen proposals"), proposal_lines),
    (N_("🏙️ Cities"), city_lines),
    (N_("💶 Funding calls"), call_lines),
    (N_("📅 Events"), event_lines),
    (N_("👥 Member profiles by target group (now)"), profile_lines),
)


def build_embed(t: Lang, report: InsightsReport, guild_name: str, filename: str) -> discord.Embed:
    """The report as one embed whose image is the attached chart."""
    embed = discord.Embed(
        title=report_title(t, report),
        description=t._(
            "**{server}**, {dates}. Figures about the present (*now*, the register, upcoming deadlines) "
            "are as of {generated}.",
            server=discord.utils.escape_markdown(guild_name),
            dates=period_dates(t, report),
            generated=discord_timestamp(report.generated_at, "f"),
        ),
        colour=discord.Colour.teal(),
    )
    for name, lines in SECTIONS:
        embed.add_field(name=t._(name), value="\n".join(lines(t, report)), inline=False)
    embed.set_image(url=f"attachment://{filename}")
    embed.set_footer(text=t._(FOOTER, small=t.number(SMALL_COUNT)))
    return embed


def chart_data(t: Lang, report: InsightsReport) -> ChartData:
    """What the chart draws, in language t, with the same small-number suppression as the text."""
    groups = list(report.profiles_by_group)
    return ChartData(
        title=chart_title(t, report),
        days=[day.day for day in report.daily],
        votes=[day.votes for day in report.daily],
        testimonials=[day.testimonials for day in report.daily],
        exchanges=[day.exchanges for day in report.daily],
        groups=[t._(GROUP_LABELS[group]) if group in GROUP_LABELS else group for group in groups],
        profiles=[suppress(report.profiles_by_group[group]) for group in groups],
        stories=[suppress(report.testimonials.by_group.get(group, 0)) for group in groups],
    )


def chart_filename(report: InsightsReport) -> str:
    """The attachment's name: the window's first and last day."""
    return f"insights-{report.start.isoformat()}-{(report.end - timedelta(days=1)).isoformat()}.png"
