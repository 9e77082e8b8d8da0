"""CSV cells of a testimonial export are safe to open in a spreadsheet; JSON Lines keep the exact text."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from bot.consent import consent_text
from bot.testimonial_export import write_csv, write_jsonl
from storage.testimonials import Testimonial

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def item(story: str, city: str) -> Testimonial:
    """An approved testimonial with the given text."""
    return Testimonial(
        guild_id=1, campaign_name="Trams", author_id=7, author_name="alice", story=story, city=city,
        target_group="citizen", consent_scope="named", consent_version="1",
        consent_text=consent_text("named", "CC-BY-4.0"), consented_at=NOW, id=3, campaign_id=2,
        licence="CC-BY-4.0", media=None, submitted_at=NOW, status="approved", moderation_channel_id=None,
        moderation_message_id=None, showcase_channel_id=None, showcase_message_id=None, decided_by=1,
        decided_at=NOW, reject_reason=None,
    )  # fmt: skip


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_formula_start_gets_an_apostrophe_in_csv_and_stays_exact_in_jsonl(start: str) -> None:
    """A story or city starting like a formula is neutralised in CSV only."""
    story = start + 'HYPERLINK("https://example.org") is what the tram app shows.'
    city = start + "32 Gent"
    out = io.StringIO()
    assert write_csv([item(story, city)], b"k" * 32, out) == 1
    (row,) = csv.DictReader(io.StringIO(out.getvalue()))
    assert (row["story"], row["city"]) == ("'" + story, "'" + city)
    assert (row["id"], row["campaign"]) == ("3", "Trams")
    lines = io.StringIO()
    write_jsonl([item(story, city)], b"k" * 32, lines)
    record = json.loads(lines.getvalue())
    assert (record["story"], record["city"]) == (story, city)


def test_ordinary_text_is_left_alone() -> None:
    """Text that does not start like a formula is exported as written, formula signs inside included."""
    out = io.StringIO()
    write_csv([item("Our tram = my car, +20 minutes saved.", "Gent")], b"k" * 32, out)
    (row,) = csv.DictReader(io.StringIO(out.getvalue()))
    assert (row["story"], row["city"]) == ("Our tram = my car, +20 minutes saved.", "Gent")
