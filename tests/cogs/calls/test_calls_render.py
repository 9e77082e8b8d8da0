"""How calls look: list pages within Discord's limits, fitted lists and the recovery notice."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.i18n import ENGLISH
from bot.replies import fit_lines, recovery_notice
from cogs.calls.render import (
    DESCRIPTION_LIMIT,
    LINE_BUDGET,
    PAGE_SIZE,
    call_embed,
    call_line,
    list_embed,
    new_call_message,
    reminder_dm_text,
    reminder_text,
)
from storage.calls import Call, CallStatus

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def longest_call(index: int) -> Call:
    """A call with every field at its longest, full of characters Markdown escapes."""
    return Call(
        id=index,
        guild_id=1,
        identifier=f"X{index}" + "A" * 98,
        title="_" * 256,
        programme="horizon-cluster5",
        opens_at=NOW - timedelta(days=1),
        deadline_at=NOW + timedelta(days=30 + index),
        timezone="Europe/Brussels",
        link="https://ec.europa.eu/" + "a" * (512 - 21),
        summary="*@everyone " * 136,
        tags=tuple(f"{j}" + "*" * 29 for j in range(10)),
        revision=0,
        created_by=7,
        created_at=NOW,
        updated_at=NOW,
    )


def test_a_full_page_of_the_longest_calls_shows_every_call() -> None:
    """Eight calls with 512-character links fit one description: no call is cut off the page."""
    calls = [longest_call(i) for i in range(PAGE_SIZE)]
    embed = list_embed(ENGLISH, calls, status=CallStatus.OPEN, programme_code=None, page=0, total=PAGE_SIZE)
    assert embed.description is not None
    assert len(embed.description) <= DESCRIPTION_LIMIT
    assert not embed.description.endswith("…")
    for call in calls:
        assert f"`{call.identifier}`" in embed.description
    assert len(embed) <= 6000


def test_a_long_link_is_left_out_of_the_line_but_a_short_one_stays() -> None:
    """The title links to the call page when the line has room; the deadline is always there."""
    long_line = call_line(ENGLISH, longest_call(0))
    assert len(long_line) <= LINE_BUDGET
    assert "https://" not in long_line and "Deadline <t:" in long_line
    short = call_line(ENGLISH, replace(longest_call(0), link="https://a.eu/x"))
    assert "(<https://a.eu/x>)" in short


def test_the_longest_call_embed_is_within_discords_limits() -> None:
    """Title, description, fields and footer of the biggest call stay under 6,000 characters."""
    embed = call_embed(ENGLISH, longest_call(0), now=NOW)
    assert len(embed) <= 6000
    assert embed.description is not None and len(embed.description) <= 4096
    assert all(len(field.value or "") <= 1024 for field in embed.fields)


def test_fit_lines_keeps_what_fits_and_counts_the_rest() -> None:
    """Lines are kept whole; the count of left-out lines fits in the limit too."""
    lines = [f"line {i:03d} " + "x" * 90 for i in range(100)]
    text = fit_lines(lines, 1000)
    assert len(text) <= 1000
    kept = text.splitlines()
    assert kept[-1] == f"… and {100 - (len(kept) - 1)} more"
    assert kept[:-1] == lines[: len(kept) - 1]
    assert fit_lines(lines[:3], 1000) == "\n".join(lines[:3])
    assert fit_lines([], 10) == ""


def test_recovery_notice_fits_one_message_however_much_was_missed() -> None:
    """Hundreds of missed and interrupted items: one message under 2,000 characters saying how many more."""
    missed = [f"announcement #{i} in <#123456789012345678> due <t:1798819200:f>" for i in range(300)]
    uncertain = [f"1 day reminder for `LIFE-{i:04d}` due <t:1798819200:f>" for i in range(300)]
    text = recovery_notice(ENGLISH, missed, uncertain, timedelta(hours=1))
    assert len(text) <= 2000
    assert "more than 1 hour ago" in text and "**not sent**" in text and "may not have been sent" in text
    assert len(re.findall(r"^… and [0-9]+ more$", text, re.MULTILINE)) == 2
    only_missed = recovery_notice(ENGLISH, missed[:2], [], timedelta(hours=1))
    assert "#0 " in only_missed and "#1 " in only_missed and "may not" not in only_missed


def test_titles_in_message_text_cannot_ping() -> None:
    """A title holding @everyone or a role mention is shown inert in reminders and new-call posts."""
    call = replace(longest_call(0), title="Apply @everyone <@&123456789012345678> @here now")
    for text in (
        reminder_text(ENGLISH, call, timedelta(days=3)),
        reminder_dm_text(ENGLISH, call, timedelta(days=3), "Mission @everyone"),
        new_call_message(ENGLISH, call),
    ):
        assert "@everyone" not in text and "@here" not in text and "<@&1" not in text
        assert "Apply" in text
