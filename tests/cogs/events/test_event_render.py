"""The events texts: Discord timestamps, escaped member text, and Discord's length limits."""

from __future__ import annotations

import gettext
import re
from datetime import UTC, datetime, timedelta

from bot.durations import describe_offset
from bot.i18n import ENGLISH, Lang
from bot.replies import fit_lines, stable_nonce
from cogs.events.render import (
    EMBED_DESCRIPTION_LIMIT,
    announcement_text,
    cancelled_announcement_text,
    cancelled_text,
    created_reply,
    followup_text,
    list_line,
    notice_label,
    place,
    recovery_notice,
    reminder_text,
)
from storage.events import Event, Notice

START = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
URL = "https://discord.com/events/1/900"


def event(**changes: object) -> Event:
    """A stored event, changed as asked."""
    values: dict[str, object] = {
        "id": 3,
        "guild_id": 1,
        "discord_event_id": 900,
        "title": "Positive energy districts",
        "description": "How Lisbon did it.",
        "location": "https://meet.example.org/ped_2026",
        "starts_at": START,
        "ends_at": START + timedelta(minutes=90),
        "timezone": "Europe/Brussels",
        "campaign": None,
        "state": "scheduled",
        "announcement_message_id": None,
        "created_by": 42,
        "created_at": START - timedelta(days=10),
        "cancelled_by": None,
        "cancelled_at": None,
    }
    values.update(changes)
    return Event(**values)  # type: ignore[arg-type]


def notice(kind: str = "reminder", offset: timedelta = timedelta(hours=1)) -> Notice:
    """A pending notice of the event above."""
    due = START + timedelta(minutes=90) if kind == "followup" else START - offset
    return Notice(7, 3, 1, kind, offset, due, "pending", None, None)


UNIX = int(START.timestamp())
HOSTILE = "@everyone <@123456789012345678> **bold** [link](https://evil.example) " + "x" * 60


def test_reminder_has_discord_timestamps_link_and_place() -> None:
    """Relative and full start, the event link, and a link-shaped place without a preview."""
    text = reminder_text(ENGLISH, event(), URL, timedelta(hours=1))
    assert f"<t:{UNIX}:R>" in text and f"<t:{UNIX}:F>" in text and URL in text
    assert "<https://meet.example.org/ped_2026>" in text and "90 minutes" in text


def test_member_text_is_escaped_everywhere() -> None:
    """Titles and places can neither ping nor format, in every text the bot posts."""
    hostile = event(title=HOSTILE[:100], location="@here room 3", description="@everyone come")
    texts = [
        reminder_text(ENGLISH, hostile, URL, timedelta(days=1)),
        announcement_text(ENGLISH, hostile, URL),
        followup_text(ENGLISH, hostile, "Stories @everyone"),
        list_line(ENGLISH, hostile, URL),
        created_reply(ENGLISH, hostile, URL, [notice()], []),
        cancelled_announcement_text(ENGLISH, hostile),
    ]
    for text in texts:
        assert "@everyone" not in text.replace("@\u200beveryone", "")
        assert "@here" not in text.replace("@\u200bhere", "")
        assert "<@123456789012345678>" not in text and "**bold**" not in text


def test_list_line_keeps_its_link_whole() -> None:
    """Brackets in a title cannot break the Markdown link to the event."""
    line = list_line(ENGLISH, event(title="Workshop [draft] (v2)"), URL)
    assert f"[Workshop (draft) (v2)]({URL})" in line and line.startswith("**#3**")


def test_place_shows_links_raw_and_text_escaped() -> None:
    """A bare URL is wrapped to avoid a preview (underscores kept); text is escaped."""
    assert place("https://meet.example.org/a_b") == "<https://meet.example.org/a_b>"
    assert place("Room_2 *north*") == "Room\\_2 \\*north\\*"
    assert place("https://x.org/a b") != "<https://x.org/a b>"


def test_followup_mentions_the_campaign_only_when_given() -> None:
    """A thank-you with a feedback prompt; /testimonial submit only with a campaign."""
    plain = followup_text(ENGLISH, event(), None)
    assert "Thank you" in plain and "feedback" in plain and "/testimonial" not in plain
    invited = followup_text(ENGLISH, event(), "Energy stories")
    assert "`/testimonial submit campaign:Energy stories`" in invited


def test_created_reply_lists_reminders_or_says_there_are_none() -> None:
    """The reply names when reminders come, or that the event is too soon for them."""
    with_reminders = created_reply(
        ENGLISH, event(), URL, [notice(offset=timedelta(days=1)), notice()], ["extra line"]
    )
    assert "1 day before" in with_reminders and "1 hour before" in with_reminders
    assert URL in with_reminders and "extra line" in with_reminders and "/event cancel id:3" in with_reminders
    assert "No reminders" in created_reply(ENGLISH, event(), URL, [notice("followup", timedelta(0))], [])


def test_texts_fit_discord_limits_with_longest_inputs() -> None:
    """Maximum title, place and description still give messages Discord accepts."""
    longest = event(title="t" * 100, location="l" * 100, description="d" * 1000)
    assert len(announcement_text(ENGLISH, longest, URL)) <= 2000
    assert len(cancelled_announcement_text(ENGLISH, event(title="*" * 100, location="_" * 100))) <= 2000
    assert len(reminder_text(ENGLISH, longest, URL, timedelta(days=1))) <= 2000
    assert len(created_reply(ENGLISH, longest, URL, [notice(), notice()], ["x" * 300] * 3)) <= 2000
    lines = [list_line(ENGLISH, longest, URL)] * 60
    listed = fit_lines(lines, EMBED_DESCRIPTION_LIMIT, sep="\n\n")
    assert len(listed) <= EMBED_DESCRIPTION_LIMIT and listed.endswith("more")


def test_recovery_notice_is_bounded() -> None:
    """Hundreds of missed notices still give one message under 2,000 characters."""
    label = notice_label(ENGLISH, notice(), event())
    assert "1 hour reminder" in label and "Positive energy districts" in label
    text = recovery_notice(ENGLISH, [label] * 300, [label] * 300, timedelta(hours=1))
    assert len(text) <= 2000 and "not posted" in text and "may not have been posted" in text
    assert "event #3" in notice_label(ENGLISH, notice("followup", timedelta(0)), None)


def test_offsets_in_words_and_stable_nonces() -> None:
    """Offsets read naturally; a nonce is short, the same for the same item, different otherwise."""
    assert describe_offset(timedelta(days=1)) == "1 day"
    assert describe_offset(timedelta(hours=2)) == "2 hours"
    assert describe_offset(timedelta(minutes=90)) == "90 minutes"
    first = stable_nonce("event-notice", 7)
    assert first == stable_nonce("event-notice", 7) != stable_nonce("event-notice", 8)
    assert len(first) <= 25 and first.isdigit()


class Shouting(gettext.NullTranslations):
    """A stand-in catalog that upper-cases every text outside its placeholders, to see what is translated."""

    def gettext(self, message: str) -> str:
        """Upper-case the words, keep `{placeholders}` as they are."""
        return re.sub(r"[^{}]+(?=\{|$)", lambda m: m.group(0).upper(), message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Upper-case the form n needs."""
        return self.gettext(singular if n == 1 else plural)


def test_every_posted_sentence_goes_through_the_language() -> None:
    """In another language no English frame is left; the title members typed is never translated."""
    loud = Lang("xx", Shouting())
    texts = [
        announcement_text(loud, event(), URL),
        reminder_text(loud, event(), URL, timedelta(hours=1)),
        followup_text(loud, event(), "Energy stories"),
        cancelled_text(loud, event()),
        cancelled_announcement_text(loud, event()),
        created_reply(loud, event(), URL, [notice()], []),
    ]
    for text in texts:
        for english in (
            "Where:",
            "until",
            "Reminder",
            "Thank you",
            "Cancelled",
            "cancelled",
            "before",
            "minutes",
        ):
            assert english not in text
        assert "Positive energy districts" in text
    assert "WHERE:" in texts[0] and "90 MINUTES" in texts[1]
