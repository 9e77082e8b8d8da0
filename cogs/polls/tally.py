"""Pure text rendering of poll tallies, results and vote confirmations (Discord markdown)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from storage.polls import ClickAction, VoteRefusal

BAR_WIDTH = 12
FULL_BLOCK = "█"
EMPTY_BLOCK = "░"
# Discord drops a backslash before any ASCII punctuation, so escaping these is always safe.
_MARKDOWN = re.compile(r"([\\*_~`|>\[\]()#<-])")


def escape_markdown(text: str) -> str:
    """Make member-written text render literally in Discord markdown."""
    return _MARKDOWN.sub(r"\\\1", text)


def percent(count: int, total: int) -> int:
    """count as a whole percentage of total (0 when total is 0)."""
    if total <= 0:
        return 0
    return round(100 * count / total)


def bar(count: int, total: int, width: int = BAR_WIDTH) -> str:
    """A bar of `width` blocks, filled in proportion to count/total; any vote shows at least one block."""
    filled = 0 if total <= 0 or count <= 0 else max(1, min(width, round(width * count / total)))
    return FULL_BLOCK * filled + EMPTY_BLOCK * (width - filled)


def _base(counts: Sequence[int], voters: int | None, multiple: bool) -> int:
    """What percentages refer to: voters in multiple-choice polls (when known), otherwise all votes."""
    if multiple and voters is not None:
        return voters
    return sum(counts)


def tally_lines(
    labels: Sequence[str],
    counts: Sequence[int],
    *,
    voters: int | None = None,
    multiple: bool = False,
    width: int = BAR_WIDTH,
) -> list[str]:
    """One line per option: escaped label, then a bar, the count and the percentage."""
    if len(labels) != len(counts):
        raise ValueError("labels and counts differ in length")
    base = _base(counts, voters, multiple)
    return [
        f"{escape_markdown(label)}\n`{bar(count, base, width)}` {count} ({percent(count, base)}%)"
        for label, count in zip(labels, counts, strict=True)
    ]


def votes_phrase(count: int) -> str:
    """`1 vote`, `2 votes`."""
    return f"{count} vote" if count == 1 else f"{count} votes"


def voters_phrase(count: int) -> str:
    """`1 member voted`, `3 members voted`, `Nobody has voted yet`."""
    if count == 0:
        return "Nobody has voted yet"
    return "1 member voted" if count == 1 else f"{count} members voted"


def tally_text(
    labels: Sequence[str],
    counts: Sequence[int],
    *,
    voters: int,
    multiple: bool = False,
    hidden: bool = False,
) -> str:
    """The live tally for the poll message, or only the number of voters while results are hidden."""
    summary = voters_phrase(voters) + "."
    if hidden:
        return f"{summary} Results are shown when the poll closes."
    lines = tally_lines(labels, counts, voters=voters, multiple=multiple)
    return "\n".join([*lines, summary])


def leaders(counts: Sequence[int]) -> list[int]:
    """Indexes of the option(s) with the most votes; empty when nobody voted."""
    top = max(counts, default=0)
    if top == 0:
        return []
    return [index for index, count in enumerate(counts) if count == top]


def results_text(
    question: str,
    labels: Sequence[str],
    counts: Sequence[int],
    *,
    voters: int,
    multiple: bool = False,
    closed: bool = True,
) -> str:
    """Full results: the question, every option's tally and who leads (or won, once closed)."""
    lines = [
        f"**{escape_markdown(question)}**",
        *tally_lines(labels, counts, voters=voters, multiple=multiple),
    ]
    top = leaders(counts)
    if not top:
        lines.append("Nobody voted." if closed else "Nobody has voted yet.")
    else:
        names = ", ".join(f"**{escape_markdown(labels[i])}**" for i in top)
        if len(top) > 1:
            verb = "Tie between" if closed else "Tied in the lead:"
        else:
            verb = "Winner:" if closed else "Leading:"
        lines.append(f"{verb} {names} ({votes_phrase(counts[top[0]])}). {voters_phrase(voters)}.")
    return "\n".join(lines)


def choices_text(labels: Sequence[str], choices: Iterable[int]) -> str:
    """The member's choices as bold labels in option order, or `nothing`."""
    ordered = sorted(choices)
    if not ordered:
        return "nothing"
    return ", ".join(f"**{escape_markdown(labels[i])}**" for i in ordered)


def confirmation_text(action: ClickAction, labels: Sequence[str], choices: Iterable[int]) -> str:
    """The private reply to a click: what happened and the member's current choice."""
    current = choices_text(labels, choices)
    if action is ClickAction.VOTED:
        return f"Your vote for {current} is counted. Click it again to withdraw it."
    if action is ClickAction.MOVED:
        return f"Your vote now goes to {current}."
    if action is ClickAction.RETRACTED:
        return "Your vote is withdrawn. Click an option to vote again."
    if action is ClickAction.ADDED:
        return f"Added. Your choices: {current}."
    if action is ClickAction.REMOVED:
        return f"Removed. Your choices: {current}."
    return f"Already counted. Your choice: {current}."


def refusal_text(reason: VoteRefusal) -> str:
    """The private reply to a vote that was not recorded."""
    if reason is VoteRefusal.CLOSED:
        return "This poll is closed, so votes are no longer counted."
    if reason is VoteRefusal.BAD_OPTION:
        return "That option is not part of this poll any more."
    return "This poll no longer exists."
