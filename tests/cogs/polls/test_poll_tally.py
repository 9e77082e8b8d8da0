"""Tally and results text."""

from __future__ import annotations

import pytest

from bot.i18n import ENGLISH
from cogs.polls.tally import (
    BAR_WIDTH,
    EMPTY_BLOCK,
    FULL_BLOCK,
    bar,
    bold_labels,
    confirmation_text,
    escape_markdown,
    leaders,
    percent,
    refusal_text,
    results_text,
    tally_lines,
    tally_text,
)
from storage.polls import ClickAction, VoteRefusal


@pytest.mark.parametrize(
    ("count", "total", "filled"),
    [
        (0, 0, 0),
        (0, 10, 0),
        (10, 10, BAR_WIDTH),
        (5, 10, BAR_WIDTH // 2),
        (1, 1000, 1),
        (999, 1000, BAR_WIDTH),
    ],
)
def test_bar(count: int, total: int, filled: int) -> None:
    """Bars are proportional, always `width` long, and a single vote is visible."""
    drawn = bar(count, total)
    assert len(drawn) == BAR_WIDTH
    assert drawn == FULL_BLOCK * filled + EMPTY_BLOCK * (BAR_WIDTH - filled)


def test_percent() -> None:
    """Whole percentages, zero for an empty poll."""
    assert (percent(1, 3), percent(2, 3), percent(0, 0), percent(3, 3)) == (33, 67, 0, 100)


def test_escape_markdown_keeps_text_literal() -> None:
    """Markdown and mention syntax in labels is escaped."""
    assert escape_markdown("**bold** _x_ `c` <@123> # h - l") == (
        r"\*\*bold\*\* \_x\_ \`c\` \<@123\> \# h \- l"
    )


def test_tally_lines_single_choice() -> None:
    """Each option shows its escaped label, bar, count and share of all votes."""
    lines = tally_lines(ENGLISH, ["Yes", "No *way*"], [3, 1])
    assert lines[0] == f"Yes\n`{bar(3, 4)}` 3 (75%)"
    assert lines[1] == f"No \\*way\\*\n`{bar(1, 4)}` 1 (25%)"


def test_tally_lines_multiple_choice_uses_voters() -> None:
    """In multiple-choice polls shares are of the voters, so they may add up to more than 100%."""
    lines = tally_lines(ENGLISH, ["a", "b"], [2, 2], voters=2, multiple=True)
    assert all(line.endswith("2 (100%)") for line in lines)


def test_tally_lines_reject_mismatched_input() -> None:
    """Labels and counts must pair up."""
    with pytest.raises(ValueError):
        tally_lines(ENGLISH, ["a"], [1, 2])


def test_tally_text_hidden_and_shown() -> None:
    """Hidden results show only how many voted; shown results show every option."""
    hidden = tally_text(ENGLISH, ["Alpha", "Beta"], [1, 2], voters=3, hidden=True)
    assert hidden.startswith("3 members voted.")
    assert "Alpha" not in hidden and "Beta" not in hidden and "%" not in hidden
    shown = tally_text(ENGLISH, ["a", "b"], [1, 2], voters=3)
    assert "1 (33%)" in shown and "2 (67%)" in shown and shown.endswith("3 members voted.")
    assert tally_text(ENGLISH, ["a", "b"], [0, 0], voters=0).endswith("Nobody has voted yet.")


def test_worst_case_tally_fits_an_embed_description() -> None:
    """20 options of 80 markdown characters each with huge counts stay under Discord's 4,096."""
    labels = [("*" * 79) + str(i % 10) for i in range(20)]
    text = tally_text(ENGLISH, labels, [10**6] * 20, voters=10**6, multiple=True)
    assert len(text) <= 4096


def test_leaders() -> None:
    """The top option(s), none when nobody voted."""
    assert leaders([1, 3, 3]) == [1, 2]
    assert leaders([0, 0]) == []
    assert leaders([5, 0]) == [0]


def test_results_text() -> None:
    """Results name the winner, a tie, or that nobody voted."""
    won = results_text(ENGLISH, "Pick?", ["a", "b"], [1, 4], voters=5)
    assert won.startswith("**Pick?**") and "Winner: **b** (4 votes). 5 members voted." in won
    tie = results_text(ENGLISH, "Pick?", ["a", "b"], [2, 2], voters=4)
    assert "Tie between **a**, **b** (2 votes)" in tie
    leading = results_text(ENGLISH, "Pick?", ["a", "b"], [1, 0], voters=1, closed=False)
    assert "Leading: **a** (1 vote). 1 member voted." in leading
    assert results_text(ENGLISH, "Pick?", ["a", "b"], [0, 0], voters=0).endswith("Nobody voted.")


def test_confirmations_state_the_current_choice() -> None:
    """Every click outcome has a reply naming what the member now holds."""
    labels = ["Energy", "Mobility", "Buildings"]
    assert "**Mobility**" in confirmation_text(ENGLISH, ClickAction.VOTED, labels, {1})
    assert "now goes to **Buildings**" in confirmation_text(ENGLISH, ClickAction.MOVED, labels, {2})
    assert "withdrawn" in confirmation_text(ENGLISH, ClickAction.RETRACTED, labels, set())
    assert "**Energy**, **Buildings**" in confirmation_text(ENGLISH, ClickAction.ADDED, labels, {2, 0})
    assert "Removed" in confirmation_text(ENGLISH, ClickAction.REMOVED, labels, {0})
    assert "Already counted" in confirmation_text(ENGLISH, ClickAction.UNCHANGED, labels, {0})
    assert bold_labels(labels, [2, 0]) == "**Energy**, **Buildings**"


def test_a_click_that_leaves_nothing_chosen_says_so_in_a_whole_sentence() -> None:
    """No empty list is pasted into a sentence: removing the last choice has its own reply."""
    labels = ["Energy", "Mobility"]
    assert confirmation_text(ENGLISH, ClickAction.REMOVED, labels, set()) == (
        "Removed. You have no choices in this poll now."
    )
    assert "no vote" in confirmation_text(ENGLISH, ClickAction.UNCHANGED, labels, set())
    assert "**" not in confirmation_text(ENGLISH, ClickAction.RETRACTED, labels, {0})


def test_refusals_have_distinct_replies() -> None:
    """Each refusal reason reads differently."""
    texts = {refusal_text(ENGLISH, reason) for reason in VoteRefusal}
    assert len(texts) == len(VoteRefusal)
    assert "closed" in refusal_text(ENGLISH, VoteRefusal.CLOSED)
