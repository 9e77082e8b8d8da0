"""What testimonials look like on Discord: within its limits however long or mention-laden the text."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.consent import consent_text
from bot.i18n import ENGLISH
from bot.replies import fit_lines
from cogs.testimonials.render import EMBED_DESCRIPTION, moderation_embed, showcase_embed, story_text
from storage.testimonials import Testimonial

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def item(story: str, city: str = "Gent", scope: str = "named") -> Testimonial:
    """A pending testimonial with the given text."""
    return Testimonial(
        guild_id=1, campaign_name="Trams", author_id=7, author_name="alice", story=story, city=city,
        target_group="citizen", consent_scope=scope, consent_version="1",
        consent_text=consent_text(scope, "CC-BY-4.0"), consented_at=NOW, id=3, campaign_id=2,
        licence="CC-BY-4.0", media=None, submitted_at=NOW, status="pending", moderation_channel_id=None,
        moderation_message_id=None, showcase_channel_id=None, showcase_message_id=None, decided_by=None,
        decided_at=None, reject_reason=None,
    )  # fmt: skip


def test_fit_lines_keeps_whole_lines_and_counts_the_rest() -> None:
    """Lines that do not fit are counted, never cut in half."""
    lines = [f"line {n:02d} " + "x" * 40 for n in range(30)]
    assert fit_lines(lines[:3], 1000) == "\n".join(lines[:3])
    text = fit_lines(lines, 500, more="…and {n} more.")
    assert len(text) <= 500
    shown = text.splitlines()
    assert shown[:-1] == lines[: len(shown) - 1]
    assert shown[-1] == f"…and {30 - (len(shown) - 1)} more."


def test_a_story_of_mentions_stays_within_the_embed_limit() -> None:
    """Defusing 400 mentions lengthens a 4,000-character story; the embed still fits Discord."""
    story = ("@everyone " * 400).strip()
    assert len(story_text(story)) == EMBED_DESCRIPTION and "@\u200beveryone" in story_text(story)
    for embed in (
        moderation_embed(ENGLISH, item(story, city="_*" * 50)),
        showcase_embed(ENGLISH, item(story)),
    ):
        assert embed.description is not None and len(embed.description) <= EMBED_DESCRIPTION
        assert len(embed) <= 6000


def test_showcase_names_the_author_only_with_consent() -> None:
    """Named items show the display name; anonymous ones do not."""
    named = showcase_embed(ENGLISH, item("A story long enough to be kept.", scope="named"))
    anonymous = showcase_embed(ENGLISH, item("A story long enough to be kept.", scope="anonymous"))
    assert named.author.name is not None and "alice" in named.author.name
    assert anonymous.author.name is not None and "alice" not in anonymous.author.name
