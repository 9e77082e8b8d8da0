"""Anonymous polls: one vote per member while open, and after close no link from members to choices."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bot.settings import Settings
from sandbox.emulator import Emulator
from storage.polls import VoteRefusal
from tests.e2e.harness import BotHarness, Town
from tests.e2e.test_polls_stage import (
    create_poll,
    fast_edits,
    stored_counts,
    vote,
    wait_closed,
    wait_for_tally,
)


def query(database: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Run one read-only query on the database file with plain sqlite3."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        return list(conn.execute(sql, params).fetchall())


def file_bytes(database: Path) -> bytes:
    """Everything SQLite keeps on disk for the database: the file and its write-ahead log."""
    data = database.read_bytes()
    for suffix in ("-wal", "-journal"):
        extra = database.with_name(database.name + suffix)
        if extra.exists():
            data += extra.read_bytes()
    return data


async def test_anonymous_poll_keeps_no_member_choice_link_after_close(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """Ballots are keyed hashes while open; at close the secret and ballots are gone from the file."""
    fast_edits(harness)
    database = settings.storage.database_path
    poll_id, message = await create_poll(emulator, town, options="Trams; Bikes; Buses", anonymous=True)
    assert "Anonymous" in message.text
    alice, bob, carol = town.member, *town.guild.add_members(2, prefix="voter")
    voters = {alice: 0, bob: 1, carol: 1}
    for member, option in voters.items():
        assert "counted" in await vote(emulator, town, member, message, poll_id, option)
    assert "now goes to **Buses**" in await vote(emulator, town, carol, message, poll_id, 2)
    await wait_for_tally(emulator, message, "3 members voted")

    # While open: one row per voter, keyed by a 64-hex-digit HMAC, never by the member id.
    keys = [
        str(row[0]) for row in query(database, "SELECT voter_key FROM poll_votes WHERE poll_id = ?", poll_id)
    ]
    assert len(keys) == 3 and all(len(key) == 64 for key in keys)
    ids = {str(m.user.id) for m in voters}
    assert not ids & set(keys)
    (secret,) = query(database, "SELECT secret FROM polls WHERE id = ?", poll_id)[0]
    assert isinstance(secret, bytes) and len(secret) == 32
    assert all(key.encode() in file_bytes(database) for key in keys), (
        "the byte check below must be able to fail"
    )

    # Moderators' export has results only, even while the poll is open.
    export = await (await emulator.slash(town.guild, town.moderator, "poll export", poll_id=poll_id)).reply()
    assert [a.filename for a in export.attachments] == [f"poll-{poll_id}-results.csv"]
    assert "never exported" in export.content

    await (await emulator.slash(town.guild, town.moderator, "poll close", poll_id=poll_id)).reply(timeout=10)
    closed = await wait_closed(emulator, message)
    assert "Buses" in closed.text and "destroyed" in closed.text

    assert query(database, "SELECT count(*) FROM poll_votes WHERE poll_id = ?", poll_id) == [(0,)]
    assert query(database, "SELECT secret FROM polls WHERE id = ?", poll_id) == [(None,)]
    assert stored_counts(database, poll_id) == [1, 1, 1]
    assert query(database, "SELECT voters FROM polls WHERE id = ?", poll_id) == [(3,)]
    raw = file_bytes(database)
    assert secret not in raw, "the destroyed secret must not linger in free pages or the WAL"
    for key in keys:
        assert key.encode() not in raw, "a destroyed ballot key must not linger in free pages or the WAL"
    for member_id in ids:
        assert member_id.encode() not in raw, "no voter's id may be stored for an anonymous poll"

    export = await (await emulator.slash(town.guild, town.moderator, "poll export", poll_id=poll_id)).reply()
    assert [a.filename for a in export.attachments] == [f"poll-{poll_id}-results.csv"]
    assert export.attachments[0].data.decode() == "option,votes\r\nTrams,1\r\nBikes,1\r\nBuses,1\r\n"

    # A click on a stale copy of the message is refused, and nobody's earlier choice can be looked up.
    assert harness.bot is not None
    late = await harness.bot.repos.polls.cast_vote(
        poll_id, alice.user.id, 0, datetime.now(UTC), guild_id=town.guild.id
    )
    assert late.refused is VoteRefusal.CLOSED and late.choices == frozenset()
