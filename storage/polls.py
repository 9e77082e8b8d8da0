"""Polls: definitions, ballots and results, with the click rules applied inside one write transaction.

Anonymous polls never store a member id: a ballot's voter key is HMAC-SHA256 of the member id under a
per-poll secret. Closing such a poll destroys the secret and drops its ballots (the per-option counts
and the number of voters stay), so afterwards nothing in the database links a member to a choice.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import hmac
import logging
import secrets
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from storage.database import Database
from storage.poll_clicks import DOUBLE_CLICK_WINDOW, ClickAction, ClickOutcome, apply_click
from storage.poll_member_data import BallotErasure, PollMemberData, is_erased_key
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
    "from_db_time",
    "to_db_time",
    "voter_key",
]

log = logging.getLogger(__name__)

MIN_OPTIONS = 2
MAX_OPTIONS = 20
MAX_OPTION_LENGTH = 80
MAX_QUESTION_LENGTH = 300
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
# One row per option, so a poll, its labels and its counts are read in one consistent statement.
_SELECT_WITH_OPTIONS = (
    f"SELECT {_POLL_COLUMNS}, o.idx, o.label, o.votes FROM polls p JOIN poll_options o ON o.poll_id = p.id "
)


@dataclass(frozen=True)
class Poll:
    """A poll's definition and state (never its secret)."""

    id: int
    guild_id: int
    channel_id: int
    message_id: int | None
    question: str
    options: tuple[str, ...]
    multiple: bool
    anonymous: bool
    hide_results: bool
    created_by: int
    created_at: datetime
    closes_at: datetime | None
    closed_at: datetime | None
    # When the closed poll's message was edited to its final results (None: not yet, or still open).
    results_posted_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        """Whether the poll has not been closed yet (its closing time may still have passed)."""
        return self.closed_at is None

    def accepts_votes(self, now: datetime) -> bool:
        """Whether a vote at `now` counts: the poll is open and its closing time has not come."""
        return self.closed_at is None and (self.closes_at is None or now < self.closes_at)


@dataclass(frozen=True)
class PollResults:
    """A poll with its counts per option (in option order) and its number of distinct voters."""

    poll: Poll
    counts: tuple[int, ...]
    voters: int

    @property
    def total_votes(self) -> int:
        """All ballots (equals voters in a single-choice poll)."""
        return sum(self.counts)


class VoteRefusal(enum.Enum):
    """Why a vote was not recorded."""

    NOT_FOUND = "not_found"
    CLOSED = "closed"
    BAD_OPTION = "bad_option"


@dataclass(frozen=True)
class VoteResult:
    """What cast_vote did: the click's outcome and the fresh results, or why it was refused."""

    refused: VoteRefusal | None
    results: PollResults | None  # None only when the poll does not exist
    action: ClickAction | None  # None when refused
    choices: frozenset[int]  # the member's choices after the click (before it, if refused)

    @property
    def accepted(self) -> bool:
        """Whether the click was applied (an UNCHANGED double click is accepted too)."""
        return self.refused is None


@dataclass(frozen=True)
class Ballot:
    """One member's vote for one option of a non-anonymous poll."""

    voter_id: int | None  # None once the member erased their data (see pseudonym)
    option_index: int
    option: str
    voted_at: datetime
    # 'erased:' and 16 hex digits in place of the id of a member who erased their data.
    pseudonym: str | None = None

    @property
    def voter(self) -> int | str:
        """The member id, or the pseudonym that replaced it."""
        if self.voter_id is not None:
            return self.voter_id
        assert self.pseudonym is not None
        return self.pseudonym


@dataclass(frozen=True)
class PollExport:
    """Everything an export needs: the results, and the ballots unless the poll is anonymous."""

    results: PollResults
    ballots: tuple[Ballot, ...] | None


class AnonymousBallotsError(ValueError):
    """Ballots of an anonymous poll were asked for; they are never produced."""


def voter_key(user_id: int, secret: bytes | None) -> str:
    """The key a ballot is stored under: the member id, or its HMAC-SHA256 under the poll's secret."""
    if secret is None:
        return str(user_id)
    return hmac.new(secret, str(user_id).encode("ascii"), hashlib.sha256).hexdigest()


class PollsRepository(PollMemberData):
    """Creates, votes on, closes and reads polls (and a member's own ballots, for /mydata)."""

    def __init__(self, db: Database) -> None:
        """Use db, which must be open and migrated."""
        super().__init__(db)
        # Secrets of open anonymous polls seen by cast_vote, so a vote needs one read, not two;
        # always compared with the stored secret, and dropped when the poll closes.
        self._secret_hints: dict[int, bytes] = {}

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
        self._secret_hints.pop(poll_id, None)
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

    async def cast_vote(self, poll_id: int, user_id: int, option_index: int, now: datetime) -> VoteResult:
        """Apply a member's click on an option in one write transaction and return the outcome.

        `now` is the moment of the click (the interaction's creation time is best); it decides
        whether the poll's closing time has passed and how old a held ballot is for double clicks.
        """
        now_text = to_db_time(now)
        # The voter key is computed before the transaction so the poll, its counts and the member's
        # ballots come in one statement; for anonymous polls that needs the secret, remembered from an
        # earlier vote and checked against the stored one inside the transaction.
        hint = self._secret_hints.get(poll_id)
        first_key = voter_key(user_id, hint)
        async with self._db.transaction() as conn:
            rows = list(await conn.execute_fetchall(_VOTE_STATE, (first_key, poll_id)))
            before = results_from_rows(rows)
            if before is None:
                return VoteResult(VoteRefusal.NOT_FOUND, None, None, frozenset())
            head = rows[0]
            key: str | None = first_key
            held = {int(row["idx"]): from_db_time(row["held_at"]) for row in rows if row["held"]}
            secret = None if head["secret"] is None else bytes(head["secret"])
            if not before.poll.anonymous:
                if hint is not None:
                    raise RuntimeError(f"poll {poll_id} is not anonymous but a secret was remembered")
            elif secret is None:
                # A closed anonymous poll has no secret and no ballots: nobody's choices to look up.
                self._secret_hints.pop(poll_id, None)
                key, held = None, {}
            elif secret != hint:
                self._secret_hints[poll_id] = secret
                key = voter_key(user_id, secret)
                ballots = await conn.execute_fetchall(
                    "SELECT option_idx, voted_at FROM poll_votes WHERE poll_id = ? AND voter_key = ?",
                    (poll_id, key),
                )
                held = {int(row["option_idx"]): from_db_time(row["voted_at"]) for row in ballots}
            current = frozenset(held)
            if not before.poll.accepts_votes(now) or key is None:
                return VoteResult(VoteRefusal.CLOSED, before, None, current)
            if not 0 <= option_index < len(before.poll.options):
                return VoteResult(VoteRefusal.BAD_OPTION, before, None, current)
            voted_at = held.get(option_index)
            age = None if voted_at is None else (now - voted_at).total_seconds()
            outcome = apply_click(current, option_index, multiple=before.poll.multiple, same_option_age=age)
            # Deletions first: a single-choice poll accepts a new ballot only once the old one is gone.
            if outcome.removed:
                await conn.executemany(
                    "DELETE FROM poll_votes WHERE poll_id = ? AND voter_key = ? AND option_idx = ?",
                    [(poll_id, key, index) for index in sorted(outcome.removed)],
                )
            if outcome.added:
                await conn.executemany(
                    "INSERT INTO poll_votes (poll_id, voter_key, option_idx, voted_at) VALUES (?, ?, ?, ?)",
                    [(poll_id, key, index, now_text) for index in sorted(outcome.added)],
                )
        return VoteResult(None, _after_click(before, outcome), outcome.action, outcome.choices)

    async def close(self, poll_id: int, now: datetime) -> PollResults | None:
        """Close an open poll and return its final results; None if it is missing or already closed.

        Exactly one of several concurrent callers (scheduler, moderator) gets the results, so only
        one of them announces the close. For an anonymous poll the secret is destroyed and the
        ballots are deleted in the same transaction; the counts and number of voters remain.
        """
        async with self._db.transaction() as conn:
            # Overwrite freed space so the destroyed secret and ballots do not linger in the file.
            await conn.execute("PRAGMA secure_delete = ON")
            cursor = await conn.execute(
                "UPDATE polls SET closed_at = ?, secret = NULL WHERE id = ? AND closed_at IS NULL",
                (to_db_time(now), poll_id),
            )
            self._secret_hints.pop(poll_id, None)
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
            await _checkpoint(self._db.path)
        return results_from_rows(list(rows))

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
                voted_at=_required_time(row["voted_at"]),
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


def results_from_rows(rows: Sequence[aiosqlite.Row]) -> PollResults | None:
    """Build a poll and its results from the joined poll/option rows of one poll."""
    if not rows:
        return None
    head = rows[0]
    poll = Poll(
        id=int(head["id"]),
        guild_id=int(head["guild_id"]),
        channel_id=int(head["channel_id"]),
        message_id=None if head["message_id"] is None else int(head["message_id"]),
        question=str(head["question"]),
        options=tuple(str(row["label"]) for row in rows),
        multiple=bool(head["multiple"]),
        anonymous=bool(head["anonymous"]),
        hide_results=bool(head["hide_results"]),
        created_by=int(head["created_by"]),
        created_at=_required_time(head["created_at"]),
        closes_at=from_db_time(head["closes_at"]),
        closed_at=from_db_time(head["closed_at"]),
        results_posted_at=from_db_time(head["results_posted_at"]),
    )
    return PollResults(poll, tuple(int(row["votes"]) for row in rows), int(head["voters"]))


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


def _required_time(text: str | None) -> datetime:
    """Read a stored time that the schema guarantees is present."""
    moment = from_db_time(text)
    if moment is None:
        raise ValueError("missing time in a poll row")
    return moment


async def _checkpoint(path: Path) -> None:
    """Copy the WAL into the database file and empty it, so freed secrets leave no old page copies."""

    def run() -> None:
        """Checkpoint on a short-lived connection so neither of the Database's connections waits."""
        with sqlite3.connect(path, timeout=2.0) as conn:
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        conn.close()
        if busy is not None and busy[0]:
            log.info("WAL checkpoint after closing an anonymous poll was incomplete; it will finish later")

    try:
        await asyncio.to_thread(run)
    except sqlite3.Error:
        log.warning("WAL checkpoint after closing an anonymous poll failed", exc_info=True)
