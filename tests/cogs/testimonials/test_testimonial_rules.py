"""Cleaning and limits for what members type: zero-width, bidi tricks, zalgo, lengths."""

from __future__ import annotations

import pytest

from bot.errors import ValidationError
from cogs.testimonials.rules import (
    MAX_COMBINING,
    STORY_MAX,
    SubmissionError,
    check_campaign_name,
    check_city,
    check_prompt,
    check_reason,
    check_story,
    check_target_group,
    clean_text,
    photo_fits,
    visible_length,
)

STORY = "The tram to the station saves me an hour every day."


def test_zero_width_and_bidi_overrides_are_removed() -> None:
    """Hidden characters and direction overrides go; right-to-left text itself stays."""
    assert clean_text("a\u200bb\u2060c\ufeff") == "abc"
    assert clean_text("file\u202egnp.exe") == "filegnp.exe"
    assert clean_text("\u2067مرحبا\u2069 شكرا") == "مرحبا شكرا"
    assert clean_text("👩\u200d🔬") == "👩\u200d🔬"


def test_zalgo_is_capped_and_controls_dropped() -> None:
    """Stacked combining marks are capped; control characters vanish; line ends are normalised."""
    zalgo = "q" + "\u0301" * 50 + "a"  # no precomposed q-acute, so NFC keeps the marks apart
    assert clean_text(zalgo) == "q" + "\u0301" * MAX_COMBINING + "a"
    assert clean_text("a\x00b\x07c\r\nd\n\n\n\ne") == "abc\nd\n\ne"


def test_story_needs_twenty_visible_characters() -> None:
    """Padding with invisible or decorative characters does not reach the minimum."""
    assert check_story(f"  {STORY}  ") == STORY
    with pytest.raises(SubmissionError, match="too short"):
        check_story("short" + "\u200b" * 40)
    with pytest.raises(SubmissionError, match="too short"):
        check_story("a\u0301" * 10 + " " * 30)
    assert visible_length("a\u0301 b") == 2


def test_story_length_limit() -> None:
    """At most 4,000 characters after cleaning."""
    assert len(check_story("x" * STORY_MAX)) == STORY_MAX
    with pytest.raises(SubmissionError, match="too long"):
        check_story("x" * (STORY_MAX + 1))


def test_city_is_one_clean_line() -> None:
    """Whitespace and line breaks collapse; an invisible-only city is refused."""
    assert check_city("  Leuven\n (BE) ") == "Leuven (BE)"
    with pytest.raises(ValidationError, match="only invisible characters"):
        check_city("\u200b\u200b")
    with pytest.raises(SubmissionError, match="too long"):
        check_city("x" * 101)


def test_target_group_must_be_known() -> None:
    """Only the six documented groups are accepted."""
    assert check_target_group("policy-maker") == "policy-maker"
    with pytest.raises(SubmissionError, match="citizen"):
        check_target_group("alien")
    with pytest.raises(SubmissionError):
        check_target_group(None)


def test_campaign_name_prompt_and_reason_need_visible_text() -> None:
    """Invisible-only input is refused with the shared wording; visible input is cleaned."""
    for check in (check_campaign_name, check_prompt, check_reason):
        with pytest.raises(ValidationError, match="only invisible characters"):
            check("\u200b\u2060\ufeff")
    assert check_campaign_name("  Trams \n 2026 ") == "Trams 2026"
    assert check_prompt("How did it\u200b change your day?") == "How did it change your day?"
    assert check_reason("Off\n topic") == "Off topic"
    with pytest.raises(ValidationError, match="at least 3 visible"):
        check_reason("ok")
    with pytest.raises(ValidationError, match="1 to 50"):
        check_campaign_name("x" * 51)


def test_photo_budget() -> None:
    """A held photo fits while all held photos stay within the budget."""
    assert photo_fits(0, 100, 100) and not photo_fits(1, 100, 100)
