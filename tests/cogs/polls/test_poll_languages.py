"""The poll texts in another language: every word a member reads passes through the catalogs.

The catalogs here are pseudo translations (`⟦fr:...⟧` around every msgid), so any English that
reaches a member without the catalog shows up as an unmarked word.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.errors import UserFacingError
from bot.i18n import ENGLISH, Catalogs, Lang
from cogs.polls.chart import axis_label, bar_note, render_chart
from cogs.polls.cog import PollsCog
from cogs.polls.render import (
    closed_embed,
    export_note,
    hidden_results_text,
    poll_embed,
    results_embed,
)
from cogs.polls.rules import parse_closes_in, parse_options, validate_question
from cogs.polls.tally import confirmation_text, refusal_text, results_text, tally_text
from storage.polls import ClickAction, Poll, PollResults, VoteRefusal
from tests.cogs.polls.pseudo_catalogs import unmarked, write_pseudo_catalogs

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
QUESTION = "Which pilot first?"
LABELS = ("Energy", "Mobility", "Buildings")
TYPED = (QUESTION, *LABELS)


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> Lang:
    """French from a pseudo catalog."""
    return Catalogs(write_pseudo_catalogs(tmp_path_factory.mktemp("locales"), "fr")).lang("fr")


def make_results(counts: tuple[int, ...] = (1, 3, 0), voters: int = 4, **changes: Any) -> PollResults:
    """Results of a poll with sensible defaults."""
    values: dict[str, Any] = {
        "id": 42,
        "guild_id": 1,
        "channel_id": 2,
        "message_id": 3,
        "question": QUESTION,
        "options": LABELS,
        "multiple": False,
        "anonymous": False,
        "hide_results": False,
        "created_by": 4,
        "created_at": NOW,
        "closes_at": NOW + timedelta(days=3),
        "closed_at": None,
        **changes,
    }
    return PollResults(Poll(**values), counts, voters)


def embed_texts(embed: discord.Embed) -> list[str]:
    """Every text of an embed a reader sees."""
    texts = [embed.title or "", embed.description or ""]
    for field in embed.fields:
        texts += [field.name or "", field.value or ""]
    return texts


def assert_all_marked(*texts: str) -> None:
    """No English word outside the catalog's markers and what members typed (ids and markdown aside)."""
    for text in texts:
        assert unmarked(text, *TYPED) == [], text


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"multiple": True, "anonymous": True},
        {"hide_results": True, "closes_at": None},
    ],
)
def test_the_poll_message_speaks_the_language_it_is_given(french: Lang, changes: dict[str, Any]) -> None:
    """Title, tally, closing time and rules of the open poll message, in every variant, are translated."""
    embed = poll_embed(french, make_results(**changes))
    assert embed.title == "⟦fr:Poll #42⟧"
    assert_all_marked(*embed_texts(embed))
    assert "Energy" in (embed.description or "") or changes.get("hide_results")


@pytest.mark.parametrize("counts", [(1, 3, 0), (2, 2, 0), (0, 0, 0)])
@pytest.mark.parametrize("closed", [True, False])
def test_results_and_closed_message_are_translated(
    french: Lang, counts: tuple[int, ...], closed: bool
) -> None:
    """Winner, tie, leading and nobody-voted lines, the closed message and the results reply."""
    results = make_results(counts, sum(counts), anonymous=True, closed_at=NOW if closed else None)
    assert_all_marked(results_text(french, QUESTION, LABELS, counts, voters=sum(counts), closed=closed))
    assert_all_marked(*embed_texts(closed_embed(french, results, chart="x.png")))
    assert_all_marked(*embed_texts(results_embed(french, results)))


def test_percentages_are_written_as_the_language_writes_them(french: Lang) -> None:
    """French puts a (no-break) space before the percent sign; English does not."""
    assert "3 (75%)" in tally_text(ENGLISH, LABELS, (1, 3, 0), voters=4)
    assert "3 (75\u00a0%)" in tally_text(french, LABELS, (1, 3, 0), voters=4)


def test_every_click_reply_is_translated(french: Lang) -> None:
    """Each click outcome and each refusal, with and without choices left."""
    for action in ClickAction:
        for choices in ({1}, {0, 2}, set()):
            assert_all_marked(confirmation_text(french, action, LABELS, choices))
    for reason in VoteRefusal:
        assert_all_marked(refusal_text(french, reason))


def test_hidden_results_and_export_replies_are_translated(french: Lang) -> None:
    """The hidden-results reply (with and without closing time) and the export note in every case."""
    for voters in (0, 1, 5):
        for closes_at in (None, NOW):
            results = make_results(voters=voters, hide_results=True, closes_at=closes_at)
            assert_all_marked(hidden_results_text(french, results))
    poll = make_results().poll
    assert_all_marked(export_note(french, poll, None, zipped=True, left_out=["poll-42-ballots.csv"]))
    note = export_note(french, poll, 3, zipped=False, left_out=[])
    assert_all_marked(note.replace("voter_id,option,voted_at", ""))


@pytest.mark.parametrize(
    ("call", "text"),
    [
        (parse_options, ""),
        (parse_options, "Yes;;No"),
        (parse_options, "Yes; \u200b"),
        (parse_options, "\u200b"),
        (parse_options, "Only"),
        (parse_options, ";".join(str(n) for n in range(25))),
        (parse_options, "Yes; " + "x" * 81),
        (parse_options, "Yes; yes"),
        (validate_question, " "),
        (validate_question, "\u200b"),
        (validate_question, "q" * 301),
        (parse_closes_in, "soon"),
        (parse_closes_in, "10s"),
        (parse_closes_in, "100d"),
    ],
)
def test_every_refusal_of_create_input_is_translated(french: Lang, call: Any, text: str) -> None:
    """Refusals carry msgids and parameters; rendered in French, no English is left."""
    with pytest.raises(UserFacingError) as caught:
        call(text)
    rendered = french.render(caught.value.text)
    assert rendered.startswith("⟦fr:")
    assert_all_marked(rendered.replace("x" * 81, "").replace("soon", "").replace("yes", ""))


def test_a_missing_poll_is_a_translatable_refusal(french: Lang) -> None:
    """The not-found reply is a Msg with the poll's number."""
    rendered = french.render(PollsCog._not_found(7).text)
    assert "#7" in rendered
    assert_all_marked(rendered)


def test_chart_axis_and_notes_follow_the_language(french: Lang) -> None:
    """The axis label is translated, and numbers and percentages use the language's style."""
    assert axis_label(ENGLISH, 1234, None) == "Votes (total 1,234)"
    assert axis_label(ENGLISH, 5, 1) == "Votes (total 5, 1 voter)"
    assert axis_label(french, 1234, 3) == "⟦fr:Votes (total 1\u202f234, 3 voters)⟧"
    assert bar_note(french, 3, 4) == " 3 (75\u00a0%)" and bar_note(ENGLISH, 3, 4) == " 3 (75%)"
    assert bar_note(ENGLISH, 0, 0) == " 0"


def test_the_chart_is_drawn_in_the_language(french: Lang) -> None:
    """The same poll drawn in French and in English gives different pictures (the axis text differs)."""
    english = render_chart(ENGLISH, QUESTION, LABELS, [1, 3, 0])
    assert render_chart(french, QUESTION, LABELS, [1, 3, 0]) != english
    greek = Catalogs(Path("/nonexistent")).lang("el")
    assert render_chart(greek, QUESTION, LABELS, [1200, 3, 0]).startswith(b"\x89PNG")
