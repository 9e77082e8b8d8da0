"""PollsRepository on a real SQLite file: voting rules, concurrency, anonymity, closing, export."""

from __future__ import annotations

import asyncio
import random
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.database import Database
from storage.migrate import MIGRATIONS_DIR, apply_migrations
from storage.polls import (
    DOUBLE_CLICK_WINDOW,
    AnonymousBallotsError,
    ClickAction,
    Poll,
    PollsRepository,
    VoteRefusal,
    apply_click,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
GUILD, CHANNEL, MODERATOR = 1111, 2222, 3333
# Member ids long enough that they cannot turn up by accident in unrelated values.
MEMBER = 471_234_567_890_123_456


def later(seconds: float) -> datetime:
    """A moment the given number of seconds after T0."""
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
async def repo(migrated_db: Database) -> PollsRepository:
    """A repository on a freshly migrated database."""
    return PollsRepository(migrated_db)


async def make_poll(repo: PollsRepository, **kwargs: object) -> Poll:
    """Create a three-option poll, overriding any create() argument."""
    args: dict[str, object] = {
        "guild_id": GUILD,
        "channel_id": CHANNEL,
        "question": "Which pilot first?",
        "options": ["Energy", "Mobility", "Buildings"],
        "created_by": MODERATOR,
        "now": T0,
    }
    args.update(kwargs)
    return await repo.create(**args)  # type: ignore[arg-type]


async def counts(repo: PollsRepository, poll_id: int) -> list[int]:
    """Votes per option in option order, as the repository reads them."""
    results = await repo.results(poll_id)
    assert results is not None
    return list(results.counts)


async def check_counters(db: Database, poll_id: int) -> None:
    """The kept counters equal what the ballots say."""
    counted = await db.fetchall(
        "SELECT o.idx, o.votes, (SELECT COUNT(*) FROM poll_votes v WHERE v.poll_id = o.poll_id"
        " AND v.option_idx = o.idx) AS ballots FROM poll_options o WHERE o.poll_id = ?",
        (poll_id,),
    )
    for row in counted:
        assert row["votes"] == row["ballots"], f"option {row['idx']}"
    voters = await db.fetchone(
        "SELECT voters, (SELECT COUNT(DISTINCT voter_key) FROM poll_votes WHERE poll_id = ?) AS distinct_keys"
        " FROM polls WHERE id = ?",
        (poll_id, poll_id),
    )
    assert voters is not None
    assert voters["voters"] == voters["distinct_keys"]


async def dump(db: Database) -> list[tuple[str, str, object]]:
    """Every value in every table of the database, as (table, column, value)."""
    tables = [row["name"] for row in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")]
    values: list[tuple[str, str, object]] = []
    for table in tables:
        for row in await db.fetchall(f'SELECT * FROM "{table}"'):
            values.extend((table, column, row[column]) for column in row.keys())  # noqa: SIM118
    return values


def raw_bytes(path: Path) -> bytes:
    """The database file and its WAL, as stored on disk."""
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        data += wal.read_bytes()
    return data


# --- create and read -----------------------------------------------------------------------------


async def test_create_and_get(repo: PollsRepository) -> None:
    """A created poll reads back with every field."""
    poll = await make_poll(repo, closes_at=later(3600), multiple=True, hide_results=True)
    assert poll.id > 0
    assert poll.options == ("Energy", "Mobility", "Buildings")
    assert (poll.multiple, poll.anonymous, poll.hide_results) == (True, False, True)
    assert poll.created_at == T0
    assert poll.closes_at == later(3600)
    assert poll.closed_at is None and poll.is_open and poll.message_id is None
    assert await repo.get(poll.id) == poll
    assert await repo.get(poll.id, guild_id=GUILD) == poll
    assert await repo.get(poll.id, guild_id=GUILD + 1) is None
    assert await repo.get(poll.id + 100) is None


async def test_set_message_and_delete(repo: PollsRepository, migrated_db: Database) -> None:
    """The message location is stored; delete removes the poll with its options and ballots."""
    poll = await make_poll(repo)
    await repo.set_message(poll.id, CHANNEL + 1, 987654)
    stored = await repo.get(poll.id)
    assert stored is not None and (stored.channel_id, stored.message_id) == (CHANNEL + 1, 987654)
    await repo.cast_vote(poll.id, MEMBER, 0, T0)
    assert await repo.delete(poll.id)
    assert await repo.get(poll.id) is None
    assert await migrated_db.fetchall("SELECT * FROM poll_votes") == []
    assert await migrated_db.fetchall("SELECT * FROM poll_options") == []
    assert not await repo.delete(poll.id)
    # Ids are never handed out twice, so an old button cannot vote in a new poll.
    assert (await make_poll(repo)).id > poll.id


@pytest.mark.parametrize(
    "kwargs",
    [
        {"options": ["only"]},
        {"options": [f"o{i}" for i in range(21)]},
        {"options": ["a", ""]},
        {"options": ["a", "x" * 81]},
        {"options": ["Yes", "yes"]},
        {"question": ""},
        {"question": "q" * 301},
        {"closes_at": T0},
        {"now": T0.replace(tzinfo=None)},
    ],
)
async def test_create_refuses_what_cannot_be_stored(repo: PollsRepository, kwargs: dict[str, object]) -> None:
    """Definitions the cog should have rejected are refused here too."""
    with pytest.raises(ValueError):
        await make_poll(repo, **kwargs)


# --- voting --------------------------------------------------------------------------------------


async def test_single_choice_vote_move_retract(repo: PollsRepository, migrated_db: Database) -> None:
    """Vote, move, double click, retract: the ballot and counts follow each click."""
    poll = await make_poll(repo)
    first = await repo.cast_vote(poll.id, MEMBER, 0, later(0))
    assert first.accepted and first.action is ClickAction.VOTED
    assert first.choices == {0}
    assert first.results is not None and first.results.counts == (1, 0, 0) and first.results.voters == 1

    moved = await repo.cast_vote(poll.id, MEMBER, 2, later(10))
    assert moved.action is ClickAction.MOVED and moved.choices == {2}
    assert moved.results is not None and moved.results.counts == (0, 0, 1)

    double = await repo.cast_vote(poll.id, MEMBER, 2, later(10 + DOUBLE_CLICK_WINDOW / 2))
    assert double.action is ClickAction.UNCHANGED and double.choices == {2}
    assert double.results is not None and double.results.counts == (0, 0, 1)

    retracted = await repo.cast_vote(poll.id, MEMBER, 2, later(10 + DOUBLE_CLICK_WINDOW + 0.1))
    assert retracted.action is ClickAction.RETRACTED and retracted.choices == frozenset()
    assert retracted.results is not None
    assert retracted.results.counts == (0, 0, 0) and retracted.results.voters == 0
    assert await counts(repo, poll.id) == [0, 0, 0]
    await check_counters(migrated_db, poll.id)


async def test_multiple_choice_toggles(repo: PollsRepository, migrated_db: Database) -> None:
    """In a multiple-choice poll each click adds or removes one option."""
    poll = await make_poll(repo, multiple=True)
    await repo.cast_vote(poll.id, MEMBER, 0, later(0))
    added = await repo.cast_vote(poll.id, MEMBER, 2, later(5))
    assert added.action is ClickAction.ADDED and added.choices == {0, 2}
    other = await repo.cast_vote(poll.id, MEMBER + 1, 2, later(6))
    assert other.results is not None and other.results.counts == (1, 0, 2) and other.results.voters == 2
    removed = await repo.cast_vote(poll.id, MEMBER, 0, later(20))
    assert removed.action is ClickAction.REMOVED and removed.choices == {2}
    assert removed.results is not None and removed.results.counts == (0, 0, 2)
    assert removed.results.voters == 2
    await check_counters(migrated_db, poll.id)


async def test_refusals(repo: PollsRepository) -> None:
    """Unknown polls, unknown options, past closing times and closed polls record nothing."""
    poll = await make_poll(repo, closes_at=later(60))
    missing = await repo.cast_vote(poll.id + 1, MEMBER, 0, T0)
    assert missing.refused is VoteRefusal.NOT_FOUND and missing.results is None
    for option in (3, -1):
        bad = await repo.cast_vote(poll.id, MEMBER, option, T0)
        assert bad.refused is VoteRefusal.BAD_OPTION and not bad.accepted
    await repo.cast_vote(poll.id, MEMBER, 1, later(1))
    late = await repo.cast_vote(poll.id, MEMBER + 1, 0, later(60))
    assert late.refused is VoteRefusal.CLOSED and late.action is None
    assert await repo.close(poll.id, later(61)) is not None
    closed = await repo.cast_vote(poll.id, MEMBER, 0, later(62))
    assert closed.refused is VoteRefusal.CLOSED
    # The refusal still tells the member what their ballot was.
    assert closed.choices == {1}
    assert closed.results is not None and closed.results.counts == (0, 1, 0)


async def test_naive_times_are_refused(repo: PollsRepository) -> None:
    """A time without a zone is a programming error, not silently local time."""
    poll = await make_poll(repo)
    with pytest.raises(ValueError):
        await repo.cast_vote(poll.id, MEMBER, 0, T0.replace(tzinfo=None))


async def test_database_enforces_ballot_rules(repo: PollsRepository, migrated_db: Database) -> None:
    """Writes that bypass the repository still cannot add a second single-choice ballot or vote late."""
    poll = await make_poll(repo)
    await repo.cast_vote(poll.id, MEMBER, 0, T0)
    with pytest.raises(sqlite3.IntegrityError, match="single-choice"):
        async with migrated_db.transaction() as conn:
            await conn.execute(
                "INSERT INTO poll_votes (poll_id, voter_key, option_idx, voted_at) VALUES (?, ?, 1, ?)",
                (poll.id, str(MEMBER), T0.isoformat()),
            )
    with pytest.raises(sqlite3.IntegrityError):
        async with migrated_db.transaction() as conn:
            await conn.execute(
                "INSERT INTO poll_votes (poll_id, voter_key, option_idx, voted_at) VALUES (?, 'x', 7, ?)",
                (poll.id, T0.isoformat()),
            )
    await repo.close(poll.id, later(5))
    with pytest.raises(sqlite3.IntegrityError, match="closed"):
        async with migrated_db.transaction() as conn:
            await conn.execute(
                "INSERT INTO poll_votes (poll_id, voter_key, option_idx, voted_at) VALUES (?, 'y', 0, ?)",
                (poll.id, T0.isoformat()),
            )
    assert await counts(repo, poll.id) == [1, 0, 0]


async def test_counts_follow_a_random_click_sequence(repo: PollsRepository, migrated_db: Database) -> None:
    """After many random clicks the stored state equals a model built from apply_click alone."""
    rng = random.Random(20260301)
    for multiple, anonymous in [(False, False), (True, False), (False, True), (True, True)]:
        poll = await make_poll(
            repo, multiple=multiple, anonymous=anonymous, options=[f"o{i}" for i in range(5)]
        )
        model: dict[int, dict[int, float]] = {}
        clock = 0.0
        for _ in range(400):
            member = rng.randrange(12)
            option = rng.randrange(5)
            clock += rng.choice([0.0, 0.3, 1.0, 2.0, 30.0])
            held = model.setdefault(member, {})
            age = clock - held[option] if option in held else None
            outcome = apply_click(frozenset(held), option, multiple=multiple, same_option_age=age)
            result = await repo.cast_vote(poll.id, member, option, later(clock))
            assert result.action is outcome.action
            assert result.choices == outcome.choices
            stored = await repo.results(poll.id)
            assert result.results == stored
            model[member] = {o: (clock if o in outcome.added else held[o]) for o in outcome.choices}
        expected = [sum(option in held for held in model.values()) for option in range(5)]
        results = await repo.results(poll.id)
        assert results is not None
        assert list(results.counts) == expected
        assert results.voters == sum(1 for held in model.values() if held)
        await check_counters(migrated_db, poll.id)


# --- concurrency ---------------------------------------------------------------------------------


async def test_burst_of_distinct_members_counts_each_once(
    repo: PollsRepository, migrated_db: Database
) -> None:
    """200 members voting at the same moment give exactly 200 ballots."""
    poll = await make_poll(repo)
    results = await asyncio.gather(*(repo.cast_vote(poll.id, MEMBER + n, n % 3, T0) for n in range(200)))
    assert all(r.action is ClickAction.VOTED for r in results)
    assert await counts(repo, poll.id) == [67, 67, 66]
    row = await migrated_db.fetchone("SELECT COUNT(*) AS n FROM poll_votes WHERE poll_id = ?", (poll.id,))
    assert row is not None and row["n"] == 200
    final = await repo.results(poll.id)
    assert final is not None and final.voters == 200
    # Every task saw a consistent tally: the totals it reports are all different snapshots 1..200.
    assert sorted(r.results.total_votes for r in results if r.results is not None) == list(range(1, 201))


@pytest.mark.parametrize("multiple", [False, True])
async def test_concurrent_double_click_counts_once(repo: PollsRepository, multiple: bool) -> None:
    """Two (or ten) simultaneous clicks of one member on one option leave one ballot."""
    poll = await make_poll(repo, multiple=multiple)
    pair = await asyncio.gather(*(repo.cast_vote(poll.id, MEMBER, 1, T0) for _ in range(2)))
    first = ClickAction.ADDED if multiple else ClickAction.VOTED
    assert sorted(r.action.value for r in pair if r.action) == sorted([first.value, "unchanged"])
    burst = await asyncio.gather(*(repo.cast_vote(poll.id, MEMBER + 1, 1, later(n / 100)) for n in range(10)))
    assert [r.action for r in burst].count(first) == 1
    assert await counts(repo, poll.id) == [0, 2, 0]


async def test_double_click_from_two_connections_counts_once(db_path: Path, migrated_db: Database) -> None:
    """Two processes' worth of connections clicking at once still give one ballot (SQLite locks)."""
    other = Database(db_path)
    await other.open()
    try:
        repo_a, repo_b = PollsRepository(migrated_db), PollsRepository(other)
        poll = await make_poll(repo_a)
        results = await asyncio.gather(
            *(r.cast_vote(poll.id, MEMBER, 0, T0) for r in (repo_a, repo_b, repo_a, repo_b))
        )
        assert [r.action for r in results].count(ClickAction.VOTED) == 1
        assert await counts(repo_a, poll.id) == [1, 0, 0]
    finally:
        await other.close()


async def test_concurrent_closes_announce_once(repo: PollsRepository) -> None:
    """When the scheduler and a moderator close together, exactly one gets the final results."""
    poll = await make_poll(repo)
    outcomes = await asyncio.gather(*(repo.close(poll.id, later(n)) for n in range(5)))
    assert sum(o is not None for o in outcomes) == 1
    assert await repo.close(poll.id, later(10)) is None
    assert await repo.close(poll.id + 99, later(10)) is None
    closed = await repo.get(poll.id)
    assert closed is not None and not closed.is_open


# --- anonymous polls -----------------------------------------------------------------------------


async def test_anonymous_poll_keeps_no_member_ids(
    repo: PollsRepository, migrated_db: Database, db_path: Path
) -> None:
    """Open: ballots keyed by HMAC only, changes still work. Closed: secret and ballots gone."""
    poll = await make_poll(repo, anonymous=True)
    members = [MEMBER + n for n in range(5)]
    for n, member in enumerate(members):
        await repo.cast_vote(poll.id, member, n % 3, later(n))
    moved = await repo.cast_vote(poll.id, members[0], 2, later(30))
    assert moved.action is ClickAction.MOVED and moved.choices == {2}
    retracted = await repo.cast_vote(poll.id, members[1], 1, later(31))
    assert retracted.action is ClickAction.RETRACTED
    double = await repo.cast_vote(poll.id, members[2], 2, later(2.5))
    assert double.action is ClickAction.UNCHANGED

    for table, column, value in await dump(migrated_db):
        for member in members:
            assert str(member) not in str(value), f"member id found in {table}.{column}"
    keys = [row["voter_key"] for row in await migrated_db.fetchall("SELECT voter_key FROM poll_votes")]
    assert len(keys) == 4 and all(len(k) == 64 for k in keys)
    row = await migrated_db.fetchone("SELECT secret FROM polls WHERE id = ?", (poll.id,))
    assert row is not None
    secret = bytes(row["secret"])
    assert len(secret) == 32
    before = await repo.results(poll.id)
    assert before is not None and before.counts == (1, 1, 2) and before.voters == 4

    final = await repo.close(poll.id, later(100))
    assert final is not None and final.counts == before.counts and final.voters == 4
    row = await migrated_db.fetchone("SELECT secret FROM polls WHERE id = ?", (poll.id,))
    assert row is not None and row["secret"] is None
    assert await migrated_db.fetchall("SELECT * FROM poll_votes WHERE poll_id = ?", (poll.id,)) == []
    assert await counts(repo, poll.id) == [1, 1, 2]
    # Not even freed pages or the write-ahead log keep the secret or a voter key.
    on_disk = raw_bytes(db_path)
    assert secret not in on_disk
    for key in keys:
        assert key.encode() not in on_disk


async def test_anonymous_poll_closed_elsewhere_refuses_votes(migrated_db: Database) -> None:
    """A repository that remembered a poll's secret still refuses once another one closed the poll."""
    voting, closing = PollsRepository(migrated_db), PollsRepository(migrated_db)
    poll = await make_poll(voting, anonymous=True)
    await voting.cast_vote(poll.id, MEMBER, 0, T0)
    await voting.cast_vote(poll.id, MEMBER + 1, 1, T0)
    assert await closing.close(poll.id, later(10)) is not None
    late = await voting.cast_vote(poll.id, MEMBER, 1, later(11))
    assert late.refused is VoteRefusal.CLOSED and late.choices == frozenset()
    assert await counts(voting, poll.id) == [1, 1, 0]


async def test_anonymous_polls_use_their_own_secret(repo: PollsRepository, migrated_db: Database) -> None:
    """The same member gets unrelated keys in two anonymous polls."""
    first = await make_poll(repo, anonymous=True)
    second = await make_poll(repo, anonymous=True)
    await repo.cast_vote(first.id, MEMBER, 0, T0)
    await repo.cast_vote(second.id, MEMBER, 0, T0)
    keys = {row["voter_key"] for row in await migrated_db.fetchall("SELECT voter_key FROM poll_votes")}
    assert len(keys) == 2


async def test_anonymous_export_has_no_ballots(repo: PollsRepository) -> None:
    """Exports of anonymous polls carry counts only, open or closed."""
    poll = await make_poll(repo, anonymous=True)
    await repo.cast_vote(poll.id, MEMBER, 1, T0)
    export = await repo.export_rows(poll.id)
    assert export is not None and export.ballots is None and export.results.counts == (0, 1, 0)
    with pytest.raises(AnonymousBallotsError):
        await repo.ballots(poll.id)
    await repo.close(poll.id, later(5))
    with pytest.raises(AnonymousBallotsError):
        await repo.ballots(poll.id)


# --- closing and scheduling ----------------------------------------------------------------------


async def test_close_keeps_ballots_of_open_polls(repo: PollsRepository) -> None:
    """Closing a non-anonymous poll records the time and keeps ballots for export."""
    poll = await make_poll(repo)
    await repo.cast_vote(poll.id, MEMBER, 1, later(3))
    final = await repo.close(poll.id, later(60))
    assert final is not None and final.poll.closed_at == later(60) and final.counts == (0, 1, 0)
    assert not final.poll.accepts_votes(later(61))
    assert [(b.voter_id, b.option) for b in await repo.ballots(poll.id)] == [(MEMBER, "Mobility")]


async def test_polls_to_resume_on_start(repo: PollsRepository) -> None:
    """Open polls, and closed ones whose message never showed the results, are resumed; oldest first."""
    timed = await make_poll(repo, closes_at=later(60))
    untimed = await make_poll(repo, guild_id=GUILD + 1)
    shown = await make_poll(repo)
    unshown = await make_poll(repo)
    no_message = await make_poll(repo)
    for poll in (timed, untimed, shown, unshown):
        await repo.set_message(poll.id, CHANNEL, 5000 + poll.id)
    for poll in (shown, unshown, no_message):
        assert await repo.close(poll.id, later(1)) is not None
    assert await repo.mark_results_posted(shown.id, later(2))

    resumed = await repo.polls_to_resume()
    assert [p.id for p in resumed] == [timed.id, untimed.id, unshown.id]
    assert [p.results_posted_at for p in resumed] == [None, None, None]
    assert resumed[0].options == ("Energy", "Mobility", "Buildings") and resumed[0].closes_at == later(60)
    stored = await repo.get(shown.id)
    assert stored is not None and stored.results_posted_at == later(2)
    # Only a closed poll can have shown its final results.
    assert not await repo.mark_results_posted(timed.id, later(3))
    assert not await repo.mark_results_posted(timed.id + 99, later(3))
    assert await repo.mark_results_posted(unshown.id, later(4))
    assert [p.id for p in await repo.polls_to_resume()] == [timed.id, untimed.id]
    assert [p.id for p in await repo.open_polls(GUILD)] == [timed.id]
    assert [p.id for p in await repo.open_polls(GUILD + 1)] == [untimed.id]


# --- export --------------------------------------------------------------------------------------


async def test_export_rows(repo: PollsRepository) -> None:
    """Counts per option and ballots with member ids, labels and UTC times, oldest first."""
    poll = await make_poll(repo, multiple=True)
    await repo.cast_vote(poll.id, MEMBER + 2, 2, later(5))
    await repo.cast_vote(poll.id, MEMBER, 0, later(1))
    await repo.cast_vote(poll.id, MEMBER, 2, later(7))
    export = await repo.export_rows(poll.id)
    assert export is not None
    assert export.results.counts == (1, 0, 2)
    assert export.ballots is not None
    assert [(b.voter_id, b.option_index, b.option, b.voted_at) for b in export.ballots] == [
        (MEMBER, 0, "Energy", later(1)),
        (MEMBER + 2, 2, "Buildings", later(5)),
        (MEMBER, 2, "Buildings", later(7)),
    ]
    assert all(b.voted_at.tzinfo is UTC for b in export.ballots)
    assert await repo.export_rows(poll.id + 1) is None


async def test_migrations_apply_and_mark_earlier_closed_polls_as_shown(db_path: Path, tmp_path: Path) -> None:
    """0006 runs on a database from before it: polls closed earlier count as having shown results."""
    released = tmp_path / "released"
    released.mkdir()
    for name in ("0001_guild_settings.sql", "0002_polls.sql"):
        shutil.copy(MIGRATIONS_DIR / name, released / name)
    db = Database(db_path)
    await db.open()
    try:
        assert await apply_migrations(db, released) == [1, 2]
        async with db.transaction() as conn:
            for poll_id, closed_at in ((1, T0.isoformat()), (2, None)):
                await conn.execute(
                    "INSERT INTO polls (id, guild_id, channel_id, message_id, question, option_count,"
                    " multiple, anonymous, hide_results, created_by, created_at, closed_at)"
                    " VALUES (?, 1, 2, 3, 'q', 2, 0, 0, 0, 4, ?, ?)",
                    (poll_id, T0.isoformat(), closed_at),
                )
        assert 6 in await apply_migrations(db)
        assert await apply_migrations(db) == []
        rows = await db.fetchall("SELECT id, results_posted_at FROM polls ORDER BY id")
        assert [(row["id"], row["results_posted_at"]) for row in rows] == [(1, T0.isoformat()), (2, None)]
    finally:
        await db.close()
