"""Text rendering of poll tallies, results and vote confirmations (Discord markdown), in one language.

Every function that writes words takes the language `t` first; labels and questions are what a
moderator typed and are never translated, only escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.i18n import N_, Lang
from storage.polls import ClickAction, VoteRefusal

BAR_WIDTH = 12
FULL_BLOCK = "█"
EMPTY_BLOCK = "░"
# Discord drops a backslash before any ASCII punctuation, so escaping these is always safe.
_MARKDOWN = re.compile(r"([\\*_~`|>\[\]()#<-])")

REFUSALS = {
    VoteRefusal.CLOSED: N_("This poll is closed, so votes are no longer counted."),
    VoteRefusal.BAD_OPTION: N_("That option is not part of this poll any more."),
    VoteRefusal.NOT_FOUND: N_("This poll no longer exists."),
}


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


def share(t: Lang, count: int, total: int) -> str:
    """`3 (75%)` with the percentage as the language writes it (whole percent, as the bars)."""
    return f"{count} ({t.percent(percent(count, total) / 100)})"


def _base(counts: Sequence[int], voters: int | None, multiple: bool) -> int:
    """What percentages refer to: voters in multiple-choice polls (when known), otherwise all votes."""
    if multiple and voters is not None:
        return voters
    return sum(counts)


def tally_lines(
    t: Lang,
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
        f"{escape_markdown(label)}\n`{bar(count, base, width)}` {share(t, count, base)}"
        for label, count in zip(labels, counts, strict=True)
    ]


def voters_sentence(t: Lang, count: int) -> str:
    """`1 member voted.`, `3 members voted.`, `Nobody has voted yet.`"""
    if count == 0:
        return t._("Nobody has voted yet.")
    return t.ngettext("{n} member voted.", "{n} members voted.", count)


def tally_text(
    t: Lang,
    labels: Sequence[str],
    counts: Sequence[int],
    *,
    voters: int,
    multiple: bool = False,
    hidden: bool = False,
) -> str:
    """The live tally for the poll message, or only the number of voters while results are hidden."""
    summary = voters_sentence(t, voters)
    if hidden:
        return " ".join([summary, t._("Results are shown when the poll closes.")])
    lines = tally_lines(t, labels, counts, voters=voters, multiple=multiple)
    return "\n".join([*lines, summary])


def leaders(counts: Sequence[int]) -> list[int]:
    """Indexes of the option(s) with the most votes; empty when nobody voted."""
    top = max(counts, default=0)
    if top == 0:
        return []
    return [index for index, count in enumerate(counts) if count == top]


def bold_labels(labels: Sequence[str], indexes: Iterable[int]) -> str:
    """Options as bold, escaped labels in option order, joined with commas."""
    return ", ".join(f"**{escape_markdown(labels[i])}**" for i in sorted(indexes))


def outcome_sentence(t: Lang, labels: Sequence[str], counts: Sequence[int], *, closed: bool) -> str:
    """Who won (closed) or leads (open), with the top count; or that nobody voted."""
    top = leaders(counts)
    if not top:
        return t._("Nobody voted.") if closed else t._("Nobody has voted yet.")
    names, votes = bold_labels(labels, top), counts[top[0]]
    if len(top) > 1 and closed:
        # Translators: {options} is a comma-separated list of the tied options; {n} is each one's votes.
        return t.ngettext(
            "Tie between {options} ({n} vote).", "Tie between {options} ({n} votes).", votes, options=names
        )
    if len(top) > 1:
        return t.ngettext(
            "Tied in the lead: {options} ({n} vote).",
            "Tied in the lead: {options} ({n} votes).",
            votes,
            options=names,
        )
    if closed:
        return t.ngettext(
            "Winner: {option} ({n} vote).", "Winner: {option} ({n} votes).", votes, option=names
        )
    return t.ngettext("Leading: {option} ({n} vote).", "Leading: {option} ({n} votes).", votes, option=names)


def results_text(
    t: Lang,
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
        *tally_lines(t, labels, counts, voters=voters, multiple=multiple),
    ]
    outcome = outcome_sentence(t, labels, counts, closed=closed)
    lines.append(outcome if not leaders(counts) else " ".join([outcome, voters_sentence(t, voters)]))
    return "\n".join(lines)


def confirmation_text(t: Lang, action: ClickAction, labels: Sequence[str], choices: Iterable[int]) -> str:
    """The private reply to a click: what happened and the member's current choice."""
    chosen = sorted(choices)
    current = bold_labels(labels, chosen)
    if action is ClickAction.RETRACTED:
        return t._("Your vote is withdrawn. Click an option to vote again.")
    if not chosen and action is ClickAction.REMOVED:
        return t._("Removed. You have no choices in this poll now.")
    if not chosen:
        return t._("You have no vote in this poll now. Click an option to vote.")
    if action is ClickAction.VOTED:
        return t._("Your vote for {choice} is counted. Click it again to withdraw it.", choice=current)
    if action is ClickAction.MOVED:
        return t._("Your vote now goes to {choice}.", choice=current)
    if action is ClickAction.ADDED:
        return t._("Added. Your choices: {choices}.", choices=current)
    if action is ClickAction.REMOVED:
        return t._("Removed. Your choices: {choices}.", choices=current)
    return t._("Already counted. Your choice: {choice}.", choice=current)


def refusal_text(t: Lang, reason: VoteRefusal) -> str:
    """The private reply to a vote that was not recorded."""
    return t._(REFUSALS[reason])
