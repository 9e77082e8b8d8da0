"""Texts the events capability posts and replies with; every time is a Discord timestamp.

Member-typed text (title, place, description) is escaped so it cannot format or ping, and every
message fits Discord's limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from discord.utils import escape_markdown, escape_mentions

from bot.durations import describe_offset, format_duration
from bot.i18n import ENGLISH, N_
from bot.replies import clip
from bot.replies import recovery_notice as shared_recovery_notice
from bot.timestamps import discord_timestamp, full_and_relative
from storage.events import Event, Notice

EMBED_DESCRIPTION_LIMIT = 4096
_URL_PREFIXES = ("https://", "http://")


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


def when_line(event: Event) -> str:
    """The start (full and relative), the end time and the length of an event."""
    length = format_duration(event.ends_at - event.starts_at)
    return f"{full_and_relative(event.starts_at)} · until {discord_timestamp(event.ends_at, 't')} ({length})"


def created_reply(event: Event, url: str, notices: Sequence[Notice], extra: Sequence[str]) -> str:
    """Tell the moderator the event exists: link, times, what will be posted and when."""
    lines = [
        f"Created event #{event.id} **{inline(event.title)}**: {url}",
        when_line(event),
        f"Where: {place(event.location)}",
    ]
    reminders = [n for n in notices if n.kind == "reminder"]
    if reminders:
        lines.append(
            "Reminders in the announcements channel: "
            + ", ".join(
                f"{describe_offset(n.offset)} before ({discord_timestamp(n.due_at, 'R')})" for n in reminders
            )
            + "."
        )
    else:
        lines.append("No reminders: the event starts too soon for them.")
    lines.append("A thank-you with a call for feedback follows when it ends.")
    lines.extend(extra)
    lines.append(f"Cancel it with `/event cancel id:{event.id}`.")
    return clip("\n".join(lines))


def announcement_text(event: Event, url: str) -> str:
    """The post announcing a new event in the announcements channel."""
    lines = [
        f"📅 **{inline(event.title)}**",
        when_line(event),
        f"Where: {place(event.location)}",
    ]
    if event.description:
        lines.append(clip(escape_mentions(event.description), 1200))
    lines.append(f"Mark yourself interested to be notified by Discord: {url}")
    return clip("\n".join(lines))


def reminder_text(event: Event, url: str, offset: timedelta) -> str:
    """The reminder posted `offset` before an event starts."""
    return clip(
        f"⏰ Reminder: **{inline(event.title)}** starts {discord_timestamp(event.starts_at, 'R')} "
        f"({discord_timestamp(event.starts_at, 'F')}, {describe_offset(event.ends_at - event.starts_at)}).\n"
        f"Where: {place(event.location)}\n{url}"
    )


def followup_text(event: Event, campaign: str | None) -> str:
    """The thank-you posted when an event ends, asking for feedback and, if open, for testimonials."""
    lines = [
        f"🙏 Thank you to everyone who joined **{inline(event.title)}**!",
        "How was it? Share your feedback here: what was useful, what we should change, "
        "and what you would like next time.",
    ]
    if campaign is not None:
        lines.append(
            f"Did it change something in your city? Tell the story with "
            f"`/testimonial submit campaign:{code_safe(campaign)}` (campaign **{inline(campaign)}**)."
        )
    return clip("\n".join(lines))


def cancelled_announcement_text(event: Event) -> str:
    """What the announcement of an event becomes once the event is cancelled (no link to it any more)."""
    return clip(
        f"❌ **Cancelled**: ~~{inline(event.title)}~~ will not take place.\n"
        f"It was planned for {discord_timestamp(event.starts_at, 'F')} · {place(event.location)}"
    )


def cancelled_text(event: Event) -> str:
    """The post telling members an announced event will not take place."""
    return clip(f"❌ **{inline(event.title)}** on {discord_timestamp(event.starts_at, 'F')} is cancelled.")


def list_line(event: Event, url: str) -> str:
    """One event in /event list: number, linked title, times, place."""
    return (
        f"**#{event.id}** [{link_label(event.title)}]({url})\n"
        f"{when_line(event)}\nWhere: {place(event.location)}"
    )


def notice_label(notice: Notice, event: Event | None) -> str:
    """Name a notice for moderators: which one, for which event, due when."""
    name = f"#{notice.event_id} **{inline(event.title, 80)}**" if event else f"event #{notice.event_id}"
    what = "follow-up" if notice.kind == "followup" else f"{describe_offset(notice.offset)} reminder"
    return f"the {what} of {name}, due {discord_timestamp(notice.due_at, 'f')}"


def recovery_notice(missed: Sequence[str], uncertain: Sequence[str], grace: timedelta) -> str:
    """Tell moderators which event notices were missed or may not have been posted while the bot was down."""
    return shared_recovery_notice(
        ENGLISH,
        missed,
        uncertain,
        grace,
        missed_text=N_("While I was offline these came due more than {grace} ago and were **not posted**:"),
        uncertain_text=N_(
            "I stopped while posting these; they **may not have been posted** "
            "(check the announcements channel):"
        ),
        heading="Events: ",
    )


def missed_notice(label: str, grace: timedelta) -> str:
    """Tell moderators a notice came due too long ago to be posted."""
    return clip(f"I did not post {label}: it came due more than {describe_offset(grace)} ago.")
