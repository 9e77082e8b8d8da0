"""Polls: definitions, ballots and results, with the click rules applied inside one write transaction.

Anonymous polls never store a member id: a ballot's voter key is HMAC-SHA256 of the member id under a
per-poll secret. Closing such a poll destroys the secret and drops its ballots (the per-option counts
and the number of voters stay), so afterwards nothing in the database links a member to a choice.
The records this repository returns are in storage.poll_records (re-exported here).
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import aiosqlite

from storage.poll_clicks import DOUBLE_CLICK_WINDOW, ClickAction, ClickOutcome, apply_click
from storage.poll_keys import is_erased_key, voter_key
from storage.poll_member_data import BallotErasure, PollMemberData
from storage.poll_records import (
    MAX_OPTION_LENGTH,
    MAX_OPTIONS,
    MAX_QUESTION_LENGTH,
    MIN_OPTIONS,
    AnonymousBallotsError,
    Ballot,
    Poll,
    PollExport,
    PollResults,
    VoteRefusal,
    VoteResult,
    required_time,
    results_from_rows,
)
from storage.times import from_db_time, to_db_time

__all__ = [
    "DOUBLE_CLICK_WINDOW",
    "MAX_OPTIONS",
    "MAX_OPTION_LENGTH",
    "MAX_QUESTION_LENGTH",
    "MIN_OPTIONS",
    "AnonymousBallotsError",
    "Ballot",
    "BallotErasure",
    "ClickAction",
    "ClickOutcome",
    "Poll",
    "PollExport",
    "PollResults",
    "PollsRepository",
    "VoteRefusal",
    "VoteResult",
    "apply_click",
]

log = logging.getLogger(__name__)

SECRET_BYTES = 32

_POLL_COLUMNS = (
    "p.id, p.guild_id, p.channel_id, p.message_id, p.question, p.multiple, p.anonymous, "
    "p.hide_results, p.created_by, p.created_at, p.closes_at, p.closed_at, p.results_posted_at, p.voters"
)
# The vote path's read: poll, options with counts, and whether the voter (key ?) holds each option.
_VOTE_STATE = (
    f"SELECT {_POLL_COLUMNS}, p.secret, o.idx, o.label, o.votes,"
    " v.option_idx IS NOT NULL AS held, v.voted_at AS held_at "
    "FROM polls p JOIN poll_options o ON o.poll_id = p.id "
    "LEFT JOIN poll_votes v ON v.poll_id = o.poll_id AND v.option_idx = o.idx AND v.voter_key = ? "
    "WHERE p.id = ? ORDER BY o.idx"
)
_BALLOTS = "SELECT option_idx, voted_at FROM poll_votes WHERE poll_id = ? AND voter_key = ?"
_DELETE_BALLOT = "DELETE FROM poll_votes WHERE poll_id = ? AND voter_key = ? AND option_idx = ?"
_INSERT_BALLOT = "INSERT INTO poll_votes (poll_id, voter_key, option_idx, voted_at) VALUES (?, ?, ?, ?)"
# One row per option, so a poll, its labels and its counts are read in one consistent statement.
_SELECT_WITH_OPTIONS = (
    f"SELECT {_POLL_COLUMNS}, o.idx, o.label, o.votes FROM polls p JOIN poll_options o ON o.poll_id = p.id "
)


class PollsRepository(PollMemberData):
    """Creates, votes on, closes and reads polls (and a member's own ballots, for /mydata)."""

    async def create(
        self,
        *,
        guild_id: int,
        channel_id: int,
        question: str,
        options: Sequence[str],
        created_by: int,
        now: datetime,
        closes_at: datetime | None = None,
        multiple: bool = False,
        anonymous: bool = False,
        hide_results: bool = False,
    ) -> Poll:
        """Store a new open poll (with a fresh secret if anonymous) and return it; no message yet."""
        labels = tuple(options)
        _check_definition(question, labels, now, closes_at)
        secret = secrets.token_bytes(SECRET_BYTES) if anonymous else None
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO polls (guild_id, channel_id, question, option_count, multiple, anonymous,"
                " hide_results, secret, created_by, created_at, closes_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    channel_id,
                    question,
                    len(labels),
                    int(multiple),
                    int(anonymous),
                    int(hide_results),
                    secret,
                    created_by,
                    to_db_time(now),
                    None if closes_at is None else to_db_time(closes_at),
                ),
            )
            poll_id = cursor.lastrowid
            assert poll_id is not None
            await conn.executemany(
                "INSERT INTO poll_options (poll_id, idx, label) VALUES (?, ?, ?)",
                [(poll_id, index, label) for index, label in enumerate(labels)],
            )
            rows = await conn.execute_fetchall(
                _SELECT_WITH_OPTIONS + "WHERE p.id = ? ORDER BY o.idx", (poll_id,)
            )
        results = results_from_rows(list(rows))
        assert results is not None
        return results.poll

    async def set_message(self, poll_id: int, channel_id: int, message_id: int) -> None:
        """Record where the poll's message was posted."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE polls SET channel_id = ?, message_id = ? WHERE id = ?",
                (channel_id, message_id, poll_id),
            )

    async def delete(self, poll_id: int) -> bool:
        """Remove a poll with its options and ballots (e.g. its message could not be posted)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute("DELETE FROM polls WHERE id = ?", (poll_id,))
        return cursor.rowcount > 0

    async def get(self, poll_id: int, *, guild_id: int | None = None) -> Poll | None:
        """The poll, or None if it does not exist (or belongs to another server than guild_id)."""
        results = await self.results(poll_id, guild_id=guild_id)
        return None if results is None else results.poll

    async def results(self, poll_id: int, *, guild_id: int | None = None) -> PollResults | None:
        """The poll with its current counts and voters, or None as for get()."""
        rows = await self._db.fetchall(_SELECT_WITH_OPTIONS + "WHERE p.id = ? ORDER BY o.idx", (poll_id,))
        results = results_from_rows(rows)
        if results is None or (guild_id is not None and results.poll.guild_id != guild_id):
            return None
        return results

    async def cast_vote(
        self, poll_id: int, user_id: int, option_index: int, now: datetime, *, guild_id: int | None = None
    ) -> VoteResult:
        """Apply a member's click on an option in one write transaction and return the outcome.

        `now` is the moment of the click (the interaction's creation time is best); it decides
        whether the poll's closing time has passed and how old a held ballot is for double clicks.
        `guild_id` is the server the click came from: a poll of another server is NOT_FOUND, so a
        button's custom_id copied into another server cannot vote. Only callers that do not answer
        a Discord interaction (tools, tests) leave it out. The whole click (read, rules, write) is
        one call on the writer's thread, and this returns only once it is committed.
        """
        return await self._db.write(
            lambda conn: _cast_vote(conn, poll_id, user_id, option_index, now, guild_id)
        )

    async def close(self, poll_id: int, now: datetime) -> PollResults | None:
        """Close an open poll and return its final results; None if it is missing or already closed.

        Exactly one of several concurrent callers (scheduler, moderator) gets the results, so only
        one of them announces the close. For an anonymous poll the secret is destroyed and the
        ballots are deleted in the same transaction; the counts and number of voters remain.
        """
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE polls SET closed_at = ?, secret = NULL WHERE id = ? AND closed_at IS NULL",
                (to_db_time(now), poll_id),
            )
            if cursor.rowcount == 0:
                return None
            head = await conn.execute_fetchall("SELECT anonymous FROM polls WHERE id = ?", (poll_id,))
            anonymous = bool(next(iter(head))["anonymous"])
            if anonymous:
                await conn.execute("DELETE FROM poll_votes WHERE poll_id = ?", (poll_id,))
            rows = await conn.execute_fetchall(
                _SELECT_WITH_OPTIONS + "WHERE p.id = ? ORDER BY o.idx", (poll_id,)
            )
        if anonymous:
            await self._empty_wal()
        return results_from_rows(list(rows))

    async def _empty_wal(self) -> None:
        """Empty the WAL after an anonymous poll closed, so no old frame keeps its secret or ballots.

        The writer runs with secure_delete (storage.database), so the database file itself already
        holds zeros there. The poll is closed either way: a failed checkpoint is logged, and the next
        one (another close, an erasure) finishes it.
        """
        try:
            await self._db.checkpoint_truncate()
        except sqlite3.Error:
            log.warning("WAL checkpoint after closing an anonymous poll failed", exc_info=True)

    async def open_polls(self, guild_id: int) -> list[Poll]:
        """A server's open polls, newest first (for autocomplete and listings)."""
        return await self._polls_where("p.guild_id = ? AND p.closed_at IS NULL", (guild_id,), "p.id DESC")

    async def polls_to_resume(self) -> list[Poll]:
        """Open polls, and closed ones whose message never showed its final results, oldest first.

        On start the bot schedules the open ones' closes and repaints both from the database.
        """
        return await self._polls_where(
            "p.closed_at IS NULL OR (p.results_posted_at IS NULL AND p.message_id IS NOT NULL)", (), "p.id"
        )

    async def mark_results_posted(self, poll_id: int, now: datetime) -> bool:
        """Record that a closed poll's message shows its final results (or is gone); False if not closed."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE polls SET results_posted_at = ? WHERE id = ? AND closed_at IS NOT NULL",
                (to_db_time(now), poll_id),
            )
        return cursor.rowcount > 0

    async def ballots(self, poll_id: int) -> list[Ballot]:
        """Every ballot of a non-anonymous poll, oldest first; AnonymousBallotsError for anonymous ones."""
        export = await self.export_rows(poll_id)
        if export is None:
            return []
        if export.ballots is None:
            raise AnonymousBallotsError(f"poll {poll_id} is anonymous: its ballots are never exported")
        return list(export.ballots)

    async def export_rows(self, poll_id: int) -> PollExport | None:
        """Results and, for non-anonymous polls, ballots (never for anonymous ones); None if missing."""
        results = await self.results(poll_id)
        if results is None:
            return None
        if results.poll.anonymous:
            return PollExport(results, None)
        rows = await self._db.fetchall(
            "SELECT voter_key, option_idx, voted_at FROM poll_votes WHERE poll_id = ?"
            " ORDER BY voted_at, CAST(voter_key AS INTEGER), option_idx",
            (poll_id,),
        )
        labels = results.poll.options
        ballots = tuple(
            Ballot(
                voter_id=None if is_erased_key(row["voter_key"]) else int(row["voter_key"]),
                option_index=int(row["option_idx"]),
                option=labels[int(row["option_idx"])],
                voted_at=required_time(row["voted_at"]),
                pseudonym=row["voter_key"] if is_erased_key(row["voter_key"]) else None,
            )
            for row in rows
        )
        return PollExport(results, ballots)

    async def _polls_where(self, condition: str, params: tuple[Any, ...], order: str) -> list[Poll]:
        """Polls matching a fixed SQL condition, in the given order, read in one statement."""
        rows = await self._db.fetchall(
            f"{_SELECT_WITH_OPTIONS}WHERE {condition} ORDER BY {order}, p.id, o.idx", params
        )
        grouped: dict[int, list[aiosqlite.Row]] = {}
        for row in rows:
            grouped.setdefault(int(row["id"]), []).append(row)
        polls = []
        for group in grouped.values():
            results = results_from_rows(group)
            assert results is not None
            polls.append(results.poll)
        return polls


def _check_definition(
    question: str, labels: tuple[str, ...], now: datetime, closes_at: datetime | None
) -> None:
    """Reject a poll definition the schema or Discord cannot hold (callers validate input first)."""
    if not 1 <= len(question) <= MAX_QUESTION_LENGTH:
        raise ValueError(f"question must be 1 to {MAX_QUESTION_LENGTH} characters")
    if not MIN_OPTIONS <= len(labels) <= MAX_OPTIONS:
        raise ValueError(f"a poll has {MIN_OPTIONS} to {MAX_OPTIONS} options, not {len(labels)}")
    if any(not 1 <= len(label) <= MAX_OPTION_LENGTH for label in labels):
        raise ValueError(f"options must be 1 to {MAX_OPTION_LENGTH} characters")
    if len({label.casefold() for label in labels}) != len(labels):
        raise ValueError("options must be unique")
    to_db_time(now)
    if closes_at is not None and to_db_time(closes_at) <= to_db_time(now):
        raise ValueError("closes_at must be after now")


def _cast_vote(
    conn: sqlite3.Connection,
    poll_id: int,
    user_id: int,
    option_index: int,
    now: datetime,
    guild_id: int | None,
) -> VoteResult:
    """On the writer's thread, inside the vote's transaction: read what the click needs, apply it, write."""
    # A member's key is their id unless the poll is anonymous, so one statement reads the poll, its
    # labels and counts and the member's ballots; an open anonymous poll needs its secret first.
    key: str | None = voter_key(user_id, None)
    cursor = conn.cursor()
    # Plain tuples, read by position: on this path, looking columns up by name costs more than the rules.
    cursor.row_factory = None
    rows = cursor.execute(_VOTE_STATE, (key, poll_id)).fetchall()
    if not rows:
        return VoteResult(VoteRefusal.NOT_FOUND, None, None, frozenset())
    head = rows[0]
    poll = _vote_poll(head, tuple(row[_LABEL] for row in rows))
    if guild_id is not None and poll.guild_id != guild_id:
        return VoteResult(VoteRefusal.NOT_FOUND, None, None, frozenset())
    before = PollResults(poll, tuple(row[_VOTES] for row in rows), head[_VOTERS])
    held = {row[_IDX]: from_db_time(row[_HELD_AT]) for row in rows if row[_HELD]}
    if poll.anonymous:
        secret = head[_SECRET]
        # A closed anonymous poll has no secret and no ballots: nobody's choices to look up.
        key = None if secret is None else voter_key(user_id, bytes(secret))
        ballots = () if key is None else cursor.execute(_BALLOTS, (poll_id, key)).fetchall()
        held = {index: from_db_time(voted_at) for index, voted_at in ballots}
    current = frozenset(held)
    if not poll.accepts_votes(now) or key is None:
        return VoteResult(VoteRefusal.CLOSED, before, None, current)
    if not 0 <= option_index < len(poll.options):
        return VoteResult(VoteRefusal.BAD_OPTION, before, None, current)
    voted_at = held.get(option_index)
    age = None if voted_at is None else (now - voted_at).total_seconds()
    outcome = apply_click(current, option_index, multiple=poll.multiple, same_option_age=age)
    # Deletions first: a single-choice poll accepts a new ballot only once the old one is gone.
    for index in sorted(outcome.removed):
        cursor.execute(_DELETE_BALLOT, (poll_id, key, index))
    if outcome.added:
        now_text = to_db_time(now)
        for index in sorted(outcome.added):
            cursor.execute(_INSERT_BALLOT, (poll_id, key, index, now_text))
    cursor.close()
    return VoteResult(None, _after_click(before, outcome), outcome.action, outcome.choices)


# Positions in a row of _VOTE_STATE: the poll's columns (_POLL_COLUMNS) first, then these.
_VOTERS, _SECRET, _IDX, _LABEL, _VOTES, _HELD, _HELD_AT = range(13, 20)
# Polls built from the same stored definition (every column before `voters`, and the labels) are
# equal, so the vote path reuses them; a changed column (closed, message recorded) is a new key.
_VOTE_POLLS: dict[tuple[Any, ...], Poll] = {}
_VOTE_POLLS_KEPT = 256


def _vote_poll(head: tuple[Any, ...], labels: tuple[str, ...]) -> Poll:
    """The Poll of a _VOTE_STATE row (positional), built once per stored definition."""
    definition = (head[:_VOTERS], labels)
    poll = _VOTE_POLLS.get(definition)
    if poll is None:
        if len(_VOTE_POLLS) >= _VOTE_POLLS_KEPT:
            _VOTE_POLLS.clear()
        poll = _VOTE_POLLS[definition] = Poll(
            id=int(head[0]),
            guild_id=int(head[1]),
            channel_id=int(head[2]),
            message_id=None if head[3] is None else int(head[3]),
            question=str(head[4]),
            options=labels,
            multiple=bool(head[5]),
            anonymous=bool(head[6]),
            hide_results=bool(head[7]),
            created_by=int(head[8]),
            created_at=required_time(head[9]),
            closes_at=from_db_time(head[10]),
            closed_at=from_db_time(head[11]),
            results_posted_at=from_db_time(head[12]),
        )
    return poll


def _after_click(before: PollResults, outcome: ClickOutcome) -> PollResults:
    """The results once a click's ballots are written (what the counting triggers store)."""
    counts = list(before.counts)
    for index in outcome.added:
        counts[index] += 1
    for index in outcome.removed:
        counts[index] -= 1
    voters = before.voters + (not outcome.previous and bool(outcome.choices))
    voters -= bool(outcome.previous) and not outcome.choices
    return PollResults(before.poll, tuple(counts), voters)
