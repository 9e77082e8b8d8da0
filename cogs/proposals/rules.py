"""Pure rules of citizen proposals: statuses and their tags, the progress bar, input checks, refusals.

Returns data or Msg, never translated text (render.py translates). The status and support rules the
repository applies in its transactions are in storage.proposal_records and re-exported here.
"""

from __future__ import annotations

from bot.errors import NotFoundError, PermissionDeniedError, UserFacingError, ValidationError
from bot.i18n import N_, Msg
from bot.text import optional_visible, require_visible
from bot.themes import MAX_APPLIED_TAGS, find_tag_name
from storage.proposal_records import (
    ANSWER_STATUSES,
    BENEFIT_MAX,
    BODY_MAX,
    DEFAULT_THRESHOLD,
    NOTE_MAX,
    STATUSES,
    TITLE_MAX,
    ProposalError,
    check_answer,
    check_progress,
    masked_count,
    support_click,
)

__all__ = [
    "ANSWER_STATUSES",
    "DEFAULT_THRESHOLD",
    "STATUSES",
    "check_answer",
    "check_progress",
    "masked_count",
    "support_click",
]

# Forum tags stay English (one forum's tags are shared by readers of every language), like exchange's.
STATUS_TAGS: dict[str, str] = {
    "open": "Open",
    "under-review": "Under review",
    "accepted": "Accepted",
    "rejected": "Rejected",
    "implemented": "Implemented",
    "withdrawn": "Withdrawn",
}
STATUS_NAMES: dict[str, str] = {
    # Translators: the status of a citizen proposal.
    "open": N_("Open"),
    "under-review": N_("Under review"),
    "accepted": N_("Accepted"),
    "rejected": N_("Rejected"),
    "implemented": N_("Implemented"),
    "withdrawn": N_("Withdrawn"),
}
# The same names as texts to translate where a refusal is shown.
STATUS_MSGS: dict[str, Msg] = {
    "open": Msg("Open"),
    "under-review": Msg("Under review"),
    "accepted": Msg("Accepted"),
    "rejected": Msg("Rejected"),
    "implemented": Msg("Implemented"),
    "withdrawn": Msg("Withdrawn"),
}
SORT_NAMES: dict[str, str] = {
    # Translators: choices of the `sort` option of /proposal list.
    "newest": N_("newest"),
    "supported": N_("most supported"),
}
BAR_CELLS = 10
# Theme tags first, then the status tag, within Discord's five tags per post.
MAX_THEME_TAGS = MAX_APPLIED_TAGS - 1

REFUSALS: dict[str, tuple[type[UserFacingError], str]] = {
    "not-found": (NotFoundError, N_("There is no proposal #{id} in this server. Start typing to pick one.")),
    "bad-status": (ValidationError, N_("That is not a status a moderator can give.")),
    "final": (
        ValidationError,
        N_("Proposal #{id} is {status}: its status no longer changes."),
    ),
    "same-status": (ValidationError, N_("Proposal #{id} already has that status.")),
    "reason-required": (
        ValidationError,
        N_("A rejection needs a reason: add `reason:` so the author and supporters know why."),
    ),
    "bad-progress": (ValidationError, N_("Progress is a percentage from 0 to 100.")),
    "not-accepted": (
        ValidationError,
        N_("Progress is recorded on accepted proposals only; proposal #{id} is {status}."),
    ),
    "not-author": (PermissionDeniedError, N_("Only the author of proposal #{id} can withdraw it.")),
    "not-open": (
        ValidationError,
        N_("Proposal #{id} is {status}: only an open proposal can be withdrawn."),
    ),
}


def refusal(error: ProposalError, proposal_id: int, status: str = "open") -> UserFacingError:
    """Turn a repository refusal into the member-facing error (the handler translates it)."""
    kind, text = REFUSALS.get(error.reason, REFUSALS["not-found"])
    return kind(text, id=proposal_id, status=STATUS_MSGS.get(status, status))


def clean_title(text: str) -> str:
    """A proposal title: visible, one line, at most TITLE_MAX characters."""
    return " ".join(require_visible(text, N_("title"), max_length=TITLE_MAX).split())


def clean_body(text: str) -> str:
    """The proposal itself: visible, at most BODY_MAX characters."""
    return require_visible(text, N_("proposal"), max_length=BODY_MAX)


def clean_benefit(text: str) -> str:
    """The expected benefit: visible, at most BENEFIT_MAX characters."""
    return require_visible(text, N_("expected benefit"), max_length=BENEFIT_MAX)


def clean_note(text: str) -> str:
    """A progress note: visible, at most NOTE_MAX characters."""
    return require_visible(text, N_("note"), max_length=NOTE_MAX)


def clean_reason(text: str | None) -> str:
    """An optional answer reason ('' when empty); invisible-only text is refused."""
    return optional_visible(text, N_("reason"), max_length=NOTE_MAX) or ""


def progress_bar(progress: int) -> str:
    """A ten-cell bar and the percentage, e.g. `▰▰▰▱▱▱▱▱▱▱ 30 %`."""
    filled = max(0, min(BAR_CELLS, round(progress / (100 / BAR_CELLS))))
    return "▰" * filled + "▱" * (BAR_CELLS - filled)


def status_tag_names() -> list[str]:
    """Every status tag the proposals forum needs."""
    return list(STATUS_TAGS.values())


def applied_tags(current: list[int], names: dict[int, str], theme_tag: str | None, status: str) -> list[str]:
    """The tag names a post should carry: its other tags and theme, and exactly one status tag.

    `current` are the post's applied tag ids and `names` the forum's tag names by id.
    """
    statuses = {name.casefold() for name in STATUS_TAGS.values()}
    kept = [names[t] for t in current if t in names and names[t].casefold() not in statuses]
    if theme_tag is not None and find_tag_name(kept, theme_tag) is None:
        kept.append(theme_tag)
    return [*kept[:MAX_THEME_TAGS], STATUS_TAGS[status]]


def missing_tags(existing: list[str], needed: list[str]) -> list[str]:
    """The needed tag names the forum does not have yet (ignoring case)."""
    return [name for name in dict.fromkeys(needed) if find_tag_name(existing, name) is None]
