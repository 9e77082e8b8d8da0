"""Records of citizen proposals, their supports and timeline, and the pure rules of their statuses.

The rules live in storage because the repository applies them inside its write transactions and
storage never imports Discord; cogs.proposals.rules re-exports them for the cog.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import aiosqlite

from storage.times import from_db_time, to_db_time

STATUSES: Final = ("open", "under-review", "accepted", "rejected", "implemented", "withdrawn")
# What a moderator may answer (`/proposal answer status:`).
ANSWER_STATUSES: Final = ("under-review", "accepted", "rejected", "implemented")
# No answer, support or update changes these any more.
FINAL_STATUSES: Final = frozenset({"rejected", "implemented", "withdrawn"})
DEFAULT_THRESHOLD = 10
TITLE_MAX, BODY_MAX, BENEFIT_MAX, NOTE_MAX = 100, 2000, 1000, 1000
# A second click within this many seconds of a support being recorded is a double click, not a withdrawal.
DOUBLE_CLICK_WINDOW = 1.5
# What replaces the title, text and benefit of a proposal its author erased: a zero-width space, which
# no typed text can equal (every typed text must be visible); readers see a translated note instead.
ERASED: Final = "\u200b"


class ProposalError(Exception):
    """A change the proposal's state does not allow; `reason` names which (the cog words it)."""

    def __init__(self, reason: str) -> None:
        """Keep the reason code."""
        self.reason = reason
        super().__init__(reason)


class SupportAction(enum.Enum):
    """What a click on Support did."""

    SUPPORTED = "supported"
    WITHDRAWN = "withdrawn"
    UNCHANGED = "unchanged"  # a double click on a support just recorded
    NOT_OPEN = "not-open"  # the proposal no longer takes or gives back supports
    NOT_FOUND = "not-found"


@dataclass(frozen=True)
class Proposal:
    """One citizen proposal and where its forum post is."""

    id: int
    guild_id: int
    author_id: int | None
    city_id: int | None
    city_name: str | None
    theme: str
    title: str
    body: str
    benefit: str
    status: str
    progress: int
    supports: int
    forum_id: int | None
    thread_id: int | None
    message_id: int | None
    created_at: datetime
    updated_at: datetime
    threshold_notified_at: datetime | None
    # The consent text the author agreed to ("0"/"en": stored before consent was asked).
    consent_version: str = "0"
    consent_language: str = "en"

    @property
    def erased(self) -> bool:
        """Whether its author erased its texts (`/proposal withdraw erase:True`)."""
        return self.title == ERASED

    @property
    def is_open(self) -> bool:
        """Whether members can still support it (and its author withdraw it)."""
        return self.status == "open"


@dataclass(frozen=True)
class ProposalEvent:
    """One step of a proposal's timeline."""

    id: int
    proposal_id: int
    kind: str
    status: str
    progress: int | None
    note: str
    actor_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class SupportResult:
    """What a Support click did, the proposal after it, and whether the threshold was just reached."""

    action: SupportAction
    proposal: Proposal | None
    reached_threshold: bool = False


@dataclass(frozen=True)
class Change:
    """A status change or progress update as stored: the proposal after it and its history row."""

    proposal: Proposal
    event: ProposalEvent
    previous_status: str


@dataclass(frozen=True)
class SupportCell:
    """How many supports of a proposal come from one target group and home city (None: not given)."""

    proposal_id: int
    target_group: str | None
    city: str | None
    supports: int


def proposal_from_row(row: aiosqlite.Row) -> Proposal:
    """Build a Proposal from a row of the proposals table."""
    return Proposal(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        author_id=row["author_id"],
        city_id=row["city_id"],
        city_name=row["city_name"],
        theme=row["theme"],
        title=row["title"],
        body=row["body"],
        benefit=row["benefit"],
        status=row["status"],
        progress=int(row["progress"]),
        supports=int(row["supports"]),
        forum_id=row["forum_id"],
        thread_id=row["thread_id"],
        message_id=row["message_id"],
        created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]),
        threshold_notified_at=from_db_time(row["threshold_notified_at"]),
        consent_version=row["consent_version"],
        consent_language=row["consent_language"],
    )


def event_from_row(row: aiosqlite.Row) -> ProposalEvent:
    """Build a ProposalEvent from a row of the proposal_events table."""
    return ProposalEvent(
        id=int(row["id"]),
        proposal_id=int(row["proposal_id"]),
        kind=row["kind"],
        status=row["status"],
        progress=row["progress"],
        note=row["note"],
        actor_id=row["actor_id"],
        created_at=from_db_time(row["created_at"]),
    )


def check_answer(current: str, wanted: str, reason: str) -> None:
    """Refuse an answer the proposal's status does not allow (pure; raises ProposalError)."""
    if wanted not in ANSWER_STATUSES:
        raise ProposalError("bad-status")
    if current in FINAL_STATUSES:
        raise ProposalError("final")
    if current == wanted:
        raise ProposalError("same-status")
    if wanted == "rejected" and not reason.strip():
        raise ProposalError("reason-required")


def check_progress(current: str, progress: int) -> str:
    """Return the status after a progress update, refusing one the proposal does not allow."""
    if not 0 <= progress <= 100:
        raise ProposalError("bad-progress")
    if current != "accepted":
        raise ProposalError("not-accepted")
    return "implemented" if progress == 100 else "accepted"


def support_click(supported_age: float | None, status: str) -> SupportAction:
    """What a Support click does: support, withdraw, nothing (double click) or refuse (not open).

    `supported_age` is how many seconds ago the member's support was recorded, None if they have none.
    """
    if status != "open":
        return SupportAction.NOT_OPEN
    if supported_age is None:
        return SupportAction.SUPPORTED
    if supported_age < DOUBLE_CLICK_WINDOW:
        return SupportAction.UNCHANGED
    return SupportAction.WITHDRAWN


def masked_count(count: int) -> str:
    """A count for open data: under 3 it is shown as "<3", so nobody is singled out."""
    return "<3" if count < 3 else str(count)


def own_proposal(proposal: Proposal) -> dict[str, Any]:
    """A member's own proposal as their data export shows it."""
    return {
        "id": proposal.id,
        "title": proposal.title,
        "proposal": proposal.body,
        "expected_benefit": proposal.benefit,
        "city": proposal.city_name,
        "theme": proposal.theme,
        "status": proposal.status,
        "progress": proposal.progress,
        "supports": proposal.supports,
        "submitted_at": to_db_time(proposal.created_at),
        "consent_version": proposal.consent_version,
        "consent_language": proposal.consent_language,
    }


def proposal_filters(
    guild_id: int, city_id: int | None, status: str | None, theme: str | None
) -> tuple[str, list[Any]]:
    """The WHERE clause (fixed column names only) and its parameters for a proposal filter."""
    where: list[str] = ["guild_id = ?"]
    params: list[Any] = [guild_id]
    for column, value in (("city_id", city_id), ("status", status), ("theme", theme)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    return " AND ".join(where), params
