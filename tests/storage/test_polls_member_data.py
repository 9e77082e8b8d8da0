"""Polls storage and a member's data: votes bound to their server, erasure that leaves no exact trace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.database import Database
from storage.poll_keys import erased_key, is_erased_key, voter_key
from storage.poll_member_data import day_of
from storage.polls import Poll, PollsRepository, VoteRefusal
from storage.times import to_db_time
from tests.storage.test_polls_repository import raw_bytes

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
GUILD, OTHER_GUILD, CHANNEL, MODERATOR = 1111, 5555, 2222, 3333
MEMBER, BOB = 471_234_567_890_123_456, 471_234_567_890_654_321
# A ballot time nothing else in the database shares, so its bytes can be looked for in the file.
VOTED_AT = datetime(2026, 3, 1, 9, 13, 27, 654_321, tzinfo=UTC)


@pytest.fixture
async def repo(migrated_db: Database) -> PollsRepository:
    """A repository on a freshly migrated database."""
    return PollsRepository(migrated_db)


async def make_poll(repo: PollsRepository, **changes: object) -> Poll:
    """A three-option poll of GUILD, overriding any create() argument."""
    args: dict[str, object] = {
        "guild_id": GUILD,
        "channel_id": CHANNEL,
        "question": "Which pilot first?",
        "options": ["Energy", "Mobility", "Buildings"],
        "created_by": MODERATOR,
        "now": T0,
        **changes,
    }
    return await repo.create(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize("anonymous", [False, True])
async def test_a_click_from_another_server_does_not_vote(repo: PollsRepository, anonymous: bool) -> None:
    """A poll's custom_id clicked in another server is refused as not found; nothing is stored."""
    poll = await make_poll(repo, anonymous=anonymous)
    crossed = await repo.cast_vote(poll.id, MEMBER, 1, T0, guild_id=OTHER_GUILD)
    assert crossed.refused is VoteRefusal.NOT_FOUND and crossed.results is None
    assert crossed.choices == frozenset()
    results = await repo.results(poll.id)
    assert results is not None and results.counts == (0, 0, 0) and results.voters == 0
    own = await repo.cast_vote(poll.id, MEMBER, 1, T0, guild_id=GUILD)
    assert own.accepted and own.results is not None and own.results.counts == (0, 1, 0)


async def test_erased_closed_poll_ballots_keep_only_their_day(
    repo: PollsRepository, migrated_db: Database, db_path: Path
) -> None:
    """Unlinking a closed poll's ballots rounds their time to the day, in the rows and on disk."""
    poll = await make_poll(repo, multiple=True)
    for option in (0, 2):
        assert (await repo.cast_vote(poll.id, MEMBER, option, VOTED_AT, guild_id=GUILD)).accepted
    assert (await repo.cast_vote(poll.id, BOB, 1, VOTED_AT + timedelta(hours=1), guild_id=GUILD)).accepted
    await repo.close(poll.id, T0 + timedelta(hours=3))
    exact = to_db_time(VOTED_AT).encode()
    assert exact in raw_bytes(db_path), "the byte check below must be able to fail"

    erased = await repo.forget_member(GUILD, MEMBER)

    assert erased.unlinked == 2 and erased.open_poll_ids == ()
    export = await repo.export_rows(poll.id)
    assert export is not None and export.ballots is not None
    mine = [b for b in export.ballots if b.voter_id is None]
    assert [b.option for b in mine] == ["Energy", "Buildings"]
    assert {b.voted_at for b in mine} == {datetime(2026, 3, 1, tzinfo=UTC)}
    assert len({b.pseudonym for b in mine}) == 1 and is_erased_key(str(mine[0].voter))
    bob = [b for b in export.ballots if b.voter_id == BOB]
    assert [b.voted_at for b in bob] == [VOTED_AT + timedelta(hours=1)], "others keep their exact time"
    on_disk = raw_bytes(db_path)
    assert exact not in on_disk, "the exact time must linger in neither free space nor the WAL"
    assert str(MEMBER).encode() not in on_disk


async def test_erasure_withdraws_open_ballots_and_names_the_polls_to_repaint(repo: PollsRepository) -> None:
    """Open polls lose the member's vote (anonymous ones too); closed anonymous polls have nothing."""
    named, secret = await make_poll(repo), await make_poll(repo, anonymous=True)
    elsewhere = await make_poll(repo, guild_id=OTHER_GUILD)
    for poll in (named, secret, elsewhere):
        await repo.cast_vote(poll.id, MEMBER, 0, T0, guild_id=poll.guild_id)
    erased = await repo.forget_member(GUILD, MEMBER)
    assert (erased.withdrawn, erased.withdrawn_anonymous, erased.unlinked) == (1, 1, 0)
    assert erased.open_poll_ids == (named.id, secret.id)
    assert erased.counts() == {"open_poll_ballots_withdrawn": 2, "closed_poll_ballots_unlinked": 0}
    for poll, left in ((named, (0, 0, 0)), (secret, (0, 0, 0)), (elsewhere, (1, 0, 0))):
        results = await repo.results(poll.id)
        assert results is not None and results.counts == left
    again = await repo.forget_member(GUILD, MEMBER)
    assert again.counts() == {"open_poll_ballots_withdrawn": 0, "closed_poll_ballots_unlinked": 0}


def test_day_of_rounds_down_to_utc_midnight() -> None:
    """Stored times become their UTC day; None stays None."""
    assert day_of(to_db_time(VOTED_AT)) == to_db_time(datetime(2026, 3, 1, tzinfo=UTC))
    late_in_brussels = datetime(2026, 3, 2, 0, 30, tzinfo=UTC).astimezone()
    assert day_of(to_db_time(late_in_brussels)) == to_db_time(datetime(2026, 3, 2, tzinfo=UTC))
    assert day_of(None) is None


def test_voter_keys_and_pseudonyms() -> None:
    """Member id as text, or a 64-hex HMAC under the secret; pseudonyms are 'erased:' + 16 hex."""
    assert voter_key(MEMBER, None) == str(MEMBER)
    keyed = voter_key(MEMBER, b"s" * 32)
    assert len(keyed) == 64 and keyed != voter_key(MEMBER, b"t" * 32) and str(MEMBER) not in keyed
    pseudonym = erased_key()
    assert is_erased_key(pseudonym) and len(pseudonym) == 23 and not is_erased_key(str(MEMBER))
    assert pseudonym != erased_key()
