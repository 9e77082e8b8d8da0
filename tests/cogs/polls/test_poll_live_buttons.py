"""The vote button (a persistent button of the shared layer) and the poll embeds, checked without Discord."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import ENGLISH
from cogs.polls.render import closed_embed, poll_embed, results_embed
from cogs.polls.rules import VOTE_ID_PATTERN, parse_vote_custom_id, vote_custom_id, vote_target_in_range
from cogs.polls.views import VoteButton, poll_view
from storage.polls import Poll, PollResults

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


class FakeItem:
    """What discord.py hands from_custom_id: the clicked component with its custom_id."""

    def __init__(self, custom_id: str) -> None:
        """Remember the custom_id."""
        self.custom_id = custom_id


def make_poll(labels: tuple[str, ...], **changes: Any) -> Poll:
    """A poll with these options and sensible defaults."""
    values: dict[str, Any] = {
        "id": 42,
        "guild_id": 1,
        "channel_id": 2,
        "message_id": 3,
        "question": "Which pilot first?",
        "options": labels,
        "multiple": False,
        "anonymous": False,
        "hide_results": False,
        "created_by": 4,
        "created_at": NOW,
        "closes_at": NOW + timedelta(days=3),
        "closed_at": None,
        **changes,
    }
    return Poll(**values)


async def rebuilt(custom_id: str) -> VoteButton:
    """Rebuild a button from a clicked custom_id the way discord.py does after a restart."""
    match = VoteButton.__discord_ui_compiled_template__.fullmatch(custom_id)
    assert match is not None
    return await VoteButton.from_custom_id(None, FakeItem(custom_id), match)  # type: ignore[arg-type]


@given(poll_id=st.integers(min_value=0, max_value=2**63 - 1), option=st.integers(min_value=0, max_value=19))
def test_every_button_custom_id_fits_matches_the_template_and_parses_back(poll_id: int, option: int) -> None:
    """Any poll id and option: the custom_id is the contract's, fits in 100 characters, rebuilds the same."""
    button = VoteButton(poll_id, option, "x" * 80)
    assert button.custom_id == vote_custom_id(poll_id, option)
    assert len(button.custom_id) <= 100
    back = asyncio.run(rebuilt(button.custom_id))
    assert (back.poll, back.option) == (poll_id, option) == parse_vote_custom_id(button.custom_id)
    assert button.row == option // 5


@given(custom_id=st.from_regex(VOTE_ID_PATTERN, fullmatch=True))
def test_every_custom_id_of_the_old_format_is_still_taken(custom_id: str) -> None:
    """Whatever the old DynamicItem's template accepted (polls posted before), the new button accepts."""
    assert VoteButton.__discord_ui_compiled_template__.fullmatch(custom_id) is not None
    back = asyncio.run(rebuilt(custom_id))
    _, _, poll, option = custom_id.split(":")
    assert (back.poll, back.option) == (int(poll), int(option))


async def test_out_of_range_custom_ids_rebuild_and_are_refused_before_the_database() -> None:
    """An id matching the template but out of range still rebuilds; the vote path refuses it."""
    for custom_id in ("polls:vote:1:25", "polls:vote:9999999999999999999:0", "polls:vote:-3:1"):
        button = await rebuilt(custom_id)
        assert not vote_target_in_range(button.poll, button.option)


def test_twenty_options_fill_four_rows_of_five() -> None:
    """Twenty options are laid out as four action rows of five buttons, in option order."""
    labels = tuple(f"Option {n}" for n in range(20))
    rows = poll_view(make_poll(labels)).to_components()
    assert [len(row["components"]) for row in rows] == [5, 5, 5, 5]
    assert [c["label"] for row in rows for c in row["components"]] == list(labels)


def test_worst_case_embeds_stay_within_discord_limits() -> None:
    """300-character question and 20 options of 80 markdown characters, all escaped."""
    labels = tuple(f"{n:02d}" + "*_`|" * 19 + "~~" for n in range(20))
    poll = make_poll(labels, question="#" * 300, multiple=True, anonymous=True, hide_results=False)
    results = PollResults(poll, tuple(range(20)), 150)
    for embed in (
        poll_embed(ENGLISH, results),
        results_embed(ENGLISH, results),
        closed_embed(
            ENGLISH, PollResults(make_poll(labels, closed_at=NOW), results.counts, 150), chart="c.png"
        ),
    ):
        assert len(embed.description or "") <= 4096
        assert len(embed) <= 6000


def test_open_embed_shows_tally_closing_time_and_rules() -> None:
    """The open poll embed shows the question, the tally, the closing timestamp and the ballot rules."""
    poll = make_poll(("Energy", "Mobility"), anonymous=True)
    embed = poll_embed(ENGLISH, PollResults(poll, (2, 1), 3))
    text = (embed.description or "") + "".join(str(f.value) for f in embed.fields)
    assert "**Which pilot first?**" in text and "3 members voted" in text and "` 2 (67%)" in text
    assert f"<t:{int(poll.closes_at.timestamp())}:F>" in text  # type: ignore[union-attr]
    assert "Anonymous" in text and "Single choice" in text


def test_hidden_results_show_only_the_number_of_voters() -> None:
    """With hide_results the open embed names no option counts, only how many voted."""
    poll = make_poll(("Energy", "Mobility"), hide_results=True)
    embed = poll_embed(ENGLISH, PollResults(poll, (2, 1), 3))
    assert "Energy" not in (embed.description or "") and "3 members voted" in (embed.description or "")
