"""The typed records of polls (definition, results, ballots, a vote's outcome) and their row mapper.

Everything the polls repository hands out is one of these; nothing here touches the database.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.poll_clicks import ClickAction
from storage.times import from_db_time

MIN_OPTIONS = 2
MAX_OPTIONS = 20
MAX_OPTION_LENGTH = 80
MAX_QUESTION_LENGTH = 300


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
        created_at=required_time(head["created_at"]),
        closes_at=from_db_time(head["closes_at"]),
        closed_at=from_db_time(head["closed_at"]),
        results_posted_at=from_db_time(head["results_posted_at"]),
    )
    return PollResults(poll, tuple(int(row["votes"]) for row in rows), int(head["voters"]))


def required_time(text: str | None) -> datetime:
    """Read a stored time that the schema guarantees is present."""
    moment = from_db_time(text)
    if moment is None:
        raise ValueError("missing time in a poll row")
    return moment
