"""Benchmark: the storage layer's sustained vote rate against raw sqlite3 doing the same transaction.

Run with `python -m tests.bench.bench_writes [--votes 5000] [--rounds 3] [--concurrency 64]`;
`rows(quick)` gives `python -m tests.bench` its rows (time per vote, 1000 / rate, against raw's).

Each measurement starts from a fresh file made the production way (storage.migrate on a storage
Database: WAL, synchronous=NORMAL, foreign_keys, secure_delete) holding one open 5-option poll, and
casts `--votes` first votes from distinct members, one transaction per vote as in production:
- raw: plain sqlite3 in a loop, each vote BEGIN IMMEDIATE, the vote path's read statement, the ballot
  INSERT (the counting triggers run as in production), COMMIT; no event loop, no Python rules;
- storage: `PollsRepository.cast_vote` from `--concurrency` asyncio tasks at once (as clicks arrive),
  each awaiting its own committed vote; the rules, refusals and results objects included.
- storage, one at a time: the same with one vote in flight (each vote waits for the previous).

Order per round is raw, storage, storage one at a time, raw (A B C A), so drift during a round falls on
both sides; the raw figure is the mean of the two raw runs. Ratios are storage rate / raw rate.
Every run's poll is checked to hold exactly `--votes` ballots and counts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from storage.database import Database  # noqa: E402
from storage.migrate import apply_migrations  # noqa: E402
from storage.polls import PollsRepository  # noqa: E402
from tests.bench.table import Row  # noqa: E402

GUILD = 1
OPTIONS = ("Energy communities", "Low-emission zones", "Green roofs", "Heat pumps", "Cycle lanes")
# The vote path's statements, word for word (storage.polls): one read, one insert per first vote.
VOTE_STATE = (
    "SELECT p.id, p.guild_id, p.channel_id, p.message_id, p.question, p.multiple, p.anonymous, "
    "p.hide_results, p.created_by, p.created_at, p.closes_at, p.closed_at, p.results_posted_at, p.voters,"
    " p.secret, o.idx, o.label, o.votes, v.option_idx IS NOT NULL AS held, v.voted_at AS held_at "
    "FROM polls p JOIN poll_options o ON o.poll_id = p.id "
    "LEFT JOIN poll_votes v ON v.poll_id = o.poll_id AND v.option_idx = o.idx AND v.voter_key = ? "
    "WHERE p.id = ? ORDER BY o.idx"
)
INSERT_BALLOT = "INSERT INTO poll_votes (poll_id, voter_key, option_idx, voted_at) VALUES (?, ?, ?, ?)"


async def fresh_poll(folder: Path, name: str) -> tuple[Database, PollsRepository, int]:
    """A new migrated database file (production pragmas) with one open poll; the database is open."""
    db = Database(folder / f"{name}.sqlite3")
    await db.open()
    await apply_migrations(db)
    repo = PollsRepository(db)
    poll = await repo.create(
        guild_id=GUILD, channel_id=2, question="Which pilot first?", options=OPTIONS, created_by=3,
        now=datetime.now(UTC),
    )  # fmt: skip
    return db, repo, poll.id


def check(path: Path, poll_id: int, votes: int) -> None:
    """Fail unless the poll holds exactly `votes` ballots, counts and voters."""
    with closing(sqlite3.connect(path)) as conn:
        ballots, counted, voters = conn.execute(
            "SELECT (SELECT count(*) FROM poll_votes WHERE poll_id = :p),"
            " (SELECT sum(votes) FROM poll_options WHERE poll_id = :p),"
            " (SELECT voters FROM polls WHERE id = :p)",
            {"p": poll_id},
        ).fetchone()
    if not ballots == counted == voters == votes:
        raise AssertionError(
            f"{path.name}: {ballots} ballots, {counted} counted, {voters} voters; not {votes}"
        )


async def measure_raw(folder: Path, name: str, votes: int) -> float:
    """Votes per second of plain sqlite3 doing the vote's transaction in a loop."""
    db, _, poll_id = await fresh_poll(folder, name)
    await db.close()
    conn = sqlite3.connect(folder / f"{name}.sqlite3", isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "secure_delete=ON"):
        conn.execute(f"PRAGMA {pragma}")
    now = datetime.now(UTC).isoformat()
    started = time.perf_counter()
    for member in range(votes):
        key = str(1000 + member)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(VOTE_STATE, (key, poll_id)).fetchall()
        conn.execute(INSERT_BALLOT, (poll_id, key, member % len(OPTIONS), now))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    check(folder / f"{name}.sqlite3", poll_id, votes)
    return votes / elapsed


async def measure_storage(folder: Path, name: str, votes: int, concurrency: int) -> float:
    """Votes per second of PollsRepository.cast_vote with `concurrency` votes in flight."""
    db, repo, poll_id = await fresh_poll(folder, name)
    members = iter(range(votes))

    async def voter() -> None:
        """Cast votes for the next members until none are left, one committed vote at a time."""
        for member in members:
            result = await repo.cast_vote(
                poll_id, 1000 + member, member % len(OPTIONS), datetime.now(UTC), guild_id=GUILD
            )
            assert result.accepted, result

    try:
        started = time.perf_counter()
        await asyncio.gather(*(voter() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    finally:
        await db.close()
    check(folder / f"{name}.sqlite3", poll_id, votes)
    return votes / elapsed


def line(label: str, raw: float, storage: float, single: float) -> str:
    """One row of the table: the three rates and both ratios to raw."""
    return f"{label:>5} {raw:9.0f} {storage:11.0f} {storage / raw:5.2f}x {single:15.0f} {single / raw:5.2f}x"


async def measure_rounds(votes: int, rounds: int, concurrency: int) -> list[tuple[float, float, float]]:
    """Run raw, storage (concurrent), storage (one at a time), raw again `rounds` times; print each round.

    Returns (raw, storage, one at a time) rates per round, raw being the mean of its two runs.
    """
    print(f"storage with {concurrency} votes in flight; raw = mean of the runs before and after")
    print(f"{'round':>5} {'raw /s':>9} {'storage /s':>11} {'ratio':>6} {'1-at-a-time /s':>15} {'ratio':>6}")
    rates: list[tuple[float, float, float]] = []
    for number in range(1, rounds + 1):
        with tempfile.TemporaryDirectory(prefix="bench-writes-") as name:
            folder = Path(name)
            before = await measure_raw(folder, "raw-a", votes)
            storage = await measure_storage(folder, "storage", votes, concurrency)
            single = await measure_storage(folder, "single", votes, 1)
            after = await measure_raw(folder, "raw-b", votes)
        raw = (before + after) / 2
        rates.append((raw, storage, single))
        print(line(str(number), raw, storage, single))
    return rates


async def main(votes: int, rounds: int, concurrency: int) -> None:
    """Measure raw, storage (concurrent), storage (one at a time), raw again, `rounds` times; print rates."""
    print(f"writes benchmark: {votes} first votes per run, one transaction each; Python"
          f" {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs")  # fmt: skip
    rates = await measure_rounds(votes, rounds, concurrency)
    if rounds > 1:
        raw, storage, single = (statistics.median(column) for column in zip(*rates, strict=True))
        print(line("med", raw, storage, single))
        print("(med: median of each column; its ratios are the ratios of those medians)")


async def rows(quick: bool) -> list[Row]:
    """The storage layer's vote rate against raw sqlite3, as time per vote (1000 / rate, in ms).

    Full: 5,000 votes a run, three rounds (the medians of the rounds' rates); quick: 1,000 votes, one round.
    Every run's poll is checked to hold exactly its votes. Progress goes to stderr.
    """
    votes, rounds, concurrency = (1000, 1, 64) if quick else (5000, 3, 64)
    with contextlib.redirect_stdout(sys.stderr):
        rates = await measure_rounds(votes, rounds, concurrency)
    raw, storage, single = (statistics.median(column) for column in zip(*rates, strict=True))
    checked = f"{votes:,} votes a run, {rounds} round(s), every run's counts exact"
    return [
        Row(
            f"vote write, storage layer, {concurrency} in flight (floor: raw sqlite3)",
            1000 / storage,
            None,
            floor_median_ms=1000 / raw,
            extra=f"{storage:.0f} vs {raw:.0f} votes/s ({storage / raw:.2f} of raw); {checked}",
        ),
        Row(
            "vote write, storage layer, one at a time (floor: raw sqlite3)",
            1000 / single,
            None,
            floor_median_ms=1000 / raw,
            extra=f"{single:.0f} vs {raw:.0f} votes/s ({single / raw:.2f} of raw); {checked}",
        ),
    ]


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Read --votes, --rounds and --concurrency."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--votes", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=64, help="votes in flight for the storage run")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = parse_args(sys.argv[1:])
    asyncio.run(main(args.votes, args.rounds, args.concurrency))
