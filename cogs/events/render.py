"""Texts the events capability posts and replies with; every time is a Discord timestamp.

Every function takes the language `t` first: the server's for public posts and moderator notices,
the moderator's for replies. Member-typed text (title, place, description) is escaped so it cannot
format or ping, is never translated, and every message fits Discord's limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from discord.utils import escape_markdown, escape_mentions

from bot.durations import describe_offset
from bot.i18n import N_, Lang
from bot.replies import clip
from bot.replies import recovery_notice as shared_recovery_notice
from bot.timestamps import discord_timestamp, full_and_relative
from storage.events import Event, Notice

EMBED_DESCRIPTION_LIMIT = 4096
_URL_PREFIXES = ("https://", "http://")

NO_CHANNEL = N_(
    "⚠️ No announcements channel is set, so nothing was announced and reminders cannot be posted; "
    "an administrator sets one with `/setup channels`."
)
# Translators: {where} is a place or a link; the line is shown under an event's time.
WHERE = N_("Where: {where}")


def inline(text: str, limit: int = 100) -> str:
    """Member text for a message line: Markdown escaped, mention-shaped text made inert, shortened."""
    return clip(escape_mentions(escape_markdown(" ".join(text.split()))), limit)


def link_label(text: str, limit: int = 100) -> str:
    """Member text for the label of a Markdown link: like inline, with brackets that would end it replaced."""
    return inline(text.replace("[", "(").replace("]", ")"), limit)


def code_safe(text: str) -> str:
    """Member text for inside a code span: no backtick to end it early, no mention-shaped text."""
    return escape_mentions(text.replace("`", "'"))


def place(location: str) -> str:
    """Show where an event happens: a link as a link (without a preview), anything else as escaped text."""
    if location.startswith(_URL_PREFIXES) and not any(c.isspace() or c in "<>" for c in location):
        return f"<{location}>"
    return inline(location)


def when_line(t: Lang, event: Event) -> str:
    """The start (full and relative), the end time and the length of an event."""
    # Translators: {start} and {end} are Discord timestamps; {length} is e.g. "90 minutes".
    return t._(
        "{start} · until {end} ({length})",
        start=full_and_relative(event.starts_at),
        end=discord_timestamp(event.ends_at, "t"),
        length=describe_offset(event.ends_at - event.starts_at, t),
    )


def created_reply(t: Lang, event: Event, url: str, notices: Sequence[Notice], extra: Sequence[str]) -> str:
    """Tell the moderator the event exists: link, times, what will be posted and when."""
    lines = [
        t._("Created event #{id} **{title}**: {url}", id=event.id, title=inline(event.title), url=url),
        when_line(t, event),
        t._(WHERE, where=place(event.location)),
    ]
    reminders = [n for n in notices if n.kind == "reminder"]
    if reminders:
        times = ", ".join(
            # Translators: {offset} is e.g. "1 day"; {when} is a relative Discord timestamp ("in 3 days").
            t._(
                "{offset} before ({when})",
                offset=describe_offset(n.offset, t),
                when=discord_timestamp(n.due_at, "R"),
            )
            for n in reminders
        )
        lines.append(t._("Reminders in the announcements channel: {times}.", times=times))
    else:
        lines.append(t._("No reminders: the event starts too soon for them."))
    lines.append(t._("A thank-you with a call for feedback follows when it ends."))
    lines.extend(extra)
    lines.append(t._("Cancel it with `/event cancel id:{id}`.", id=event.id))
    return clip("\n".join(lines))


def announcement_text(t: Lang, event: Event, url: str) -> str:
    """The post announcing a new event in the announcements channel."""
    lines = [
        f"📅 **{inline(event.title)}**",
        when_line(t, event),
        t._(WHERE, where=place(event.location)),
    ]
    if event.description:
        lines.append(clip(escape_mentions(event.description), 1200))
    lines.append(t._("Mark yourself interested to be notified by Discord: {url}", url=url))
    return clip("\n".join(lines))


def reminder_text(t: Lang, event: Event, url: str, offset: timedelta) -> str:
    """The reminder posted `offset` before an event starts."""
    # Translators: {relative} is "in 1 hour" as Discord shows it; {start} the full date;
    # {length} e.g. "90 minutes".
    first = t._(
        "⏰ Reminder: **{title}** starts {relative} ({start}, {length}).",
        title=inline(event.title),
        relative=discord_timestamp(event.starts_at, "R"),
        start=discord_timestamp(event.starts_at, "F"),
        length=describe_offset(event.ends_at - event.starts_at, t),
    )
    return clip("\n".join([first, t._(WHERE, where=place(event.location)), url]))


def followup_text(t: Lang, event: Event, campaign: str | None) -> str:
    """The thank-you posted when an event ends, asking for feedback and, if open, for testimonials."""
    lines = [
        t._("🙏 Thank you to everyone who joined **{title}**!", title=inline(event.title)),
        t._(
            "How was it? Share your feedback here: what was useful, what we should change, "
            "and what you would like next time."
        ),
    ]
    if campaign is not None:
        lines.append(
            t._(
                "Did it change something in your city? Tell the story with "
                "`/testimonial submit campaign:{code}` (campaign **{campaign}**).",
                code=code_safe(campaign),
                campaign=inline(campaign),
            )
        )
    return clip("\n".join(lines))


def cancelled_announcement_text(t: Lang, event: Event) -> str:
    """What the announcement of an event becomes once the event is cancelled (no link to it any more)."""
    return clip(
        t._(
            "❌ **Cancelled**: ~~{title}~~ will not take place.\nIt was planned for {start} · {where}",
            title=inline(event.title),
            start=discord_timestamp(event.starts_at, "F"),
            where=place(event.location),
        )
    )


def cancelled_text(t: Lang, event: Event) -> str:
    """The post telling members an announced event will not take place."""
    return clip(
        t._(
            "❌ **{title}** on {start} is cancelled.",
            title=inline(event.title),
            start=discord_timestamp(event.starts_at, "F"),
        )
    )


def list_line(t: Lang, event: Event, url: str) -> str:
    """One event in /event list: number, linked title, times, place."""
    return "\n".join(
        [
            f"**#{event.id}** [{link_label(event.title)}]({url})",
            when_line(t, event),
            t._(WHERE, where=place(event.location)),
        ]
    )


def notice_label(t: Lang, notice: Notice, event: Event | None) -> str:
    """Name a notice for moderators: which one, for which event, due when."""
    due = discord_timestamp(notice.due_at, "f")
    if notice.kind == "followup":
        if event is None:
            return t._("the follow-up of event #{id}, due {due}", id=notice.event_id, due=due)
        return t._(
            "the follow-up of #{id} **{title}**, due {due}",
            id=notice.event_id,
            title=inline(event.title, 80),
            due=due,
        )
    offset = describe_offset(notice.offset, t)
    if event is None:
        # Translators: {offset} is how long before the start: "the 1 hour reminder" is sent 1 hour before.
        return t._(
            "the {offset} reminder of event #{id}, due {due}", offset=offset, id=notice.event_id, due=due
        )
    return t._(
        "the {offset} reminder of #{id} **{title}**, due {due}",
        offset=offset,
        id=notice.event_id,
        title=inline(event.title, 80),
        due=due,
    )


def recovery_notice(t: Lang, missed: Sequence[str], uncertain: Sequence[str], grace: timedelta) -> str:
    """Tell moderators which event notices were missed or may not have been posted while the bot was down."""
    return shared_recovery_notice(
        t,
        missed,
        uncertain,
        grace,
        missed_text=N_(
            "Events: while I was offline these came due more than {grace} ago and were **not posted**:"
        ),
        uncertain_text=N_(
            "Events: I stopped while posting these; they **may not have been posted** "
            "(check the announcements channel):"
        ),
    )


def missed_notice(t: Lang, label: str, grace: timedelta) -> str:
    """Tell moderators a notice came due too long ago to be posted."""
    # Translators: {label} is e.g. "the 1 hour reminder of #3 **Title**, due <date>".
    return clip(
        t._(
            "I did not post {label}: it came due more than {grace} ago.",
            label=label,
            grace=describe_offset(grace, t),
        )
    )
