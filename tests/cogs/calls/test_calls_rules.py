"""What a call may contain: identifier, title, link, summary, tags, deadline; and programmes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import ValidationError
from cogs.calls.programmes import find_programme, infer_programme
from cogs.calls.rules import (
    TAG_LIMIT,
    TITLE_MAX,
    check_link,
    check_summary,
    check_title,
    local_text,
    normalize_identifier,
    parse_deadline,
    parse_tags,
)

BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("HORIZON-MISS-2024-CIT-01-01", "HORIZON-MISS-2024-CIT-01-01"),
        ("  horizon-miss-2024-cit-01-02 ", "HORIZON-MISS-2024-CIT-01-02"),
        ("LIFE-2025-SAP-CLIMA", "LIFE-2025-SAP-CLIMA"),
        ("eui-ia-04", "EUI-IA-04"),
        ("DUT_2024.1", "DUT_2024.1"),
        ("A" * 100, "A" * 100),
    ],
)
def test_identifiers_accepted_and_uppercased(typed: str, stored: str) -> None:
    """Letters, digits, dots, dashes and underscores; lowercase is uppercased."""
    assert normalize_identifier(typed) == stored


@pytest.mark.parametrize(
    "typed", ["", "AB", "-HORIZON", "HORIZON MISS", "CALL/1", "A" * 101, "ÉCOLE-1", "<@123>"]
)
def test_malformed_identifiers_are_refused_with_the_rule(typed: str) -> None:
    """The error says what an identifier looks like."""
    with pytest.raises(ValidationError, match="HORIZON-MISS-2024-CIT-01-01"):
        normalize_identifier(typed)


def test_title_is_one_line_and_within_the_embed_limit() -> None:
    """Whitespace collapses; empty and over-long titles are refused."""
    assert check_title("  Zero-pollution\n cities ") == "Zero-pollution cities"
    assert check_title("x" * TITLE_MAX) == "x" * TITLE_MAX
    with pytest.raises(ValidationError, match="missing"):
        check_title("   ")
    with pytest.raises(ValidationError, match=f"at most {TITLE_MAX}"):
        check_title("x" * (TITLE_MAX + 1))


@pytest.mark.parametrize(
    "link",
    [
        "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/x",
        "http://a.eu",
    ],
)
def test_http_links_are_accepted(link: str) -> None:
    """http and https links with a host are fine."""
    assert check_link(f" {link} ") == link


@pytest.mark.parametrize("link", ["ftp://x.eu/file", "javascript:alert(1)", "ec.europa.eu/x", "https://"])
def test_other_links_are_refused(link: str) -> None:
    """Only web addresses pass."""
    with pytest.raises(ValidationError, match="not a web address"):
        check_link(link)


@pytest.mark.parametrize(
    "link",
    [
        "https://a b.eu",
        "https://a.eu/x>y",
        "https://a.eu/<b>",
        'https://a.eu/"q"',
        "https://a.eu/a`b",
        "https://a.eu/\\x",
    ],
)
def test_links_with_characters_a_url_cannot_hold_are_refused(link: str) -> None:
    """Spaces, angle brackets, quotes, backticks and backslashes would break the call list's Markdown link."""
    with pytest.raises(ValidationError, match="percent-encode"):
        check_link(link)


def test_blank_link_means_none_and_summary_has_a_limit() -> None:
    """Link and summary are optional; an over-long summary is refused."""
    assert check_link("  ") is None
    assert check_summary("  text ") == "text"
    with pytest.raises(ValidationError, match="summary"):
        check_summary("x" * 1501)


def test_tags_split_dedupe_and_limit() -> None:
    """Commas or semicolons separate tags; repeats ignoring case are dropped; limits hold."""
    assert parse_tags("energy, Mobility; energy ;; nature-based  solutions") == (
        "energy",
        "Mobility",
        "nature-based solutions",
    )
    assert parse_tags("") == ()
    with pytest.raises(ValidationError, match="too long"):
        parse_tags("x" * 31)
    with pytest.raises(ValidationError, match=f"at most {TAG_LIMIT}"):
        parse_tags(",".join(f"t{i}" for i in range(TAG_LIMIT + 1)))


def test_bare_date_deadline_means_1700_local() -> None:
    """EU deadlines are 17:00 Brussels time: a bare date means that."""
    deadline = parse_deadline("2026-09-17", BRUSSELS, now=NOW)
    assert deadline == datetime(2026, 9, 17, 15, 0, tzinfo=UTC)
    assert local_text(deadline, BRUSSELS) == "2026-09-17 17:00"


def test_deadline_with_time_and_relative_forms() -> None:
    """A time of day is read in the zone; `in 3d` is relative to now."""
    assert parse_deadline("2026-12-01 12:30", BRUSSELS, now=NOW) == datetime(2026, 12, 1, 11, 30, tzinfo=UTC)
    assert parse_deadline("in 3d", BRUSSELS, now=NOW) == datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("typed", ["2026-04-30", "2020-01-01 10:00"])
def test_deadline_in_the_past_is_refused(typed: str) -> None:
    """A deadline that already passed cannot be registered."""
    with pytest.raises(ValidationError, match="in the past"):
        parse_deadline(typed, BRUSSELS, now=NOW)


def test_unreadable_deadline_is_refused_with_accepted_forms() -> None:
    """The shared time parser's message lists the accepted forms."""
    with pytest.raises(ValidationError, match="2026-12-01"):
        parse_deadline("next friday", BRUSSELS, now=NOW)


def test_programmes_by_name_alias_and_identifier() -> None:
    """Files may name programmes loosely; identifiers imply one."""
    assert find_programme("LIFE").code == "life"  # type: ignore[union-attr]
    assert find_programme(" Horizon  Europe ").code == "horizon-europe"  # type: ignore[union-attr]
    assert find_programme("cluster 5").code == "horizon-cluster5"  # type: ignore[union-attr]
    assert find_programme("Erasmus") is None
    assert infer_programme("HORIZON-MISS-2024-CIT-01-01").code == "horizon-europe"
    assert infer_programme("HORIZON-CL5-2024-D2-01").code == "horizon-cluster5"
    assert infer_programme("HORIZON-NEB-2025-01").code == "neb"
    assert infer_programme("XYZ-1").code == "other"
