"""A member's proposals and supports in /mydata: item_counts counts them and the forget prompt names them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.i18n import ENGLISH
from cogs.mydata.render import forget_prompt
from storage.member_data import item_counts
from storage.proposals import ProposalsRepository
from storage.repositories import open_storage

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
GUILD, ALICE, BOB = 1111, 21, 22


@pytest.fixture
async def repo(tmp_path: Path) -> AsyncIterator[ProposalsRepository]:
    """The proposals repository on a fresh, migrated database file."""
    db, repositories = await open_storage(tmp_path / "mydata.sqlite3", default_timezone="UTC")
    try:
        yield repositories.proposals
    finally:
        await db.close()


async def propose(repo: ProposalsRepository, author: int, title: str) -> int:
    """Store an open proposal and return its id."""
    made = await repo.create(
        guild_id=GUILD, author_id=author, city_id=None, city_name=None, theme="energy", title=title,
        body="Panels on schools.", benefit="Less gas.", now=T0,
    )  # fmt: skip
    return made.id


async def test_proposals_and_supports_are_counted_and_named_in_the_forget_prompt(
    repo: ProposalsRepository,
) -> None:
    mine = [await propose(repo, ALICE, "Solar roofs"), await propose(repo, ALICE, "Heat pumps")]
    theirs = await propose(repo, BOB, "Bike lanes")
    await repo.toggle_support(theirs, guild_id=GUILD, user_id=ALICE, now=T0, threshold=10)
    await repo.toggle_support(mine[0], guild_id=GUILD, user_id=BOB, now=T0, threshold=10)

    counts = item_counts(await repo.member_data(GUILD, ALICE))
    assert (counts["proposals"], counts["proposal_supports"]) == (2, 1)
    prompt = forget_prompt(ENGLISH, {**counts, "language": 0}, "Town")
    assert "• 1 support of a proposal: withdrawn, the counts on the posts drop" in prompt
    assert (
        "• 2 proposals you wrote: no longer linked to you; they stay, shown as by a former member" in prompt
    )

    # After the erasure there is nothing left to count; Bob's support of Alice's old proposal is his.
    await repo.erase_member(GUILD, ALICE)
    after = item_counts(await repo.member_data(GUILD, ALICE))
    assert (after["proposals"], after["proposal_supports"]) == (0, 0)
    assert item_counts(await repo.member_data(GUILD, BOB))["proposal_supports"] == 1
    empty = forget_prompt(ENGLISH, {**after, "language": 0}, "Town")
    assert "• 0 supports of proposals" in empty and "• 0 proposals you wrote" in empty


def test_the_forget_prompt_stays_within_one_discord_message_with_large_counts() -> None:
    counts = dict.fromkeys(item_counts({}), 99_999) | {"language": 1}
    assert len(forget_prompt(ENGLISH, counts, "M" * 100)) <= 2000
    assert item_counts({})["proposals"] == item_counts({})["proposal_supports"] == 0
