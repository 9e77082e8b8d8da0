"""What a click on a poll button does to a member's ballot: pure rules, applied by storage.polls.

They live in storage because the repository applies them inside its write transaction and storage
never imports Discord; cogs.polls.rules re-exports them for the cog.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

# A second click on the option a member already holds within this many seconds of the vote being
# recorded is a nervous double click, not a retraction.
DOUBLE_CLICK_WINDOW = 1.5


class ClickAction(enum.Enum):
    """What a click did to a member's ballot."""

    VOTED = "voted"  # single-choice: first vote
    MOVED = "moved"  # single-choice: vote moved to another option
    RETRACTED = "retracted"  # single-choice: own choice clicked again, vote withdrawn
    ADDED = "added"  # multiple-choice: option added
    REMOVED = "removed"  # multiple-choice: option removed
    UNCHANGED = "unchanged"  # a double click on an option just recorded


@dataclass(frozen=True)
class ClickOutcome:
    """A member's choices before and after one click, and what the click did."""

    action: ClickAction
    previous: frozenset[int]
    choices: frozenset[int]

    @property
    def added(self) -> frozenset[int]:
        """Options to insert a ballot for."""
        return self.choices - self.previous

    @property
    def removed(self) -> frozenset[int]:
        """Options whose ballot is to be deleted."""
        return self.previous - self.choices


def apply_click(
    current: frozenset[int], clicked: int, *, multiple: bool, same_option_age: float | None
) -> ClickOutcome:
    """Apply one click on option `clicked` to a member's current choices (pure; no range checks).

    `same_option_age` is how many seconds ago the member's ballot for `clicked` was recorded, or None
    if they hold no such ballot (or its time is unknown). Clicking a held option retracts (single
    choice) or removes (multiple choice) it, unless the ballot is younger than DOUBLE_CLICK_WINDOW
    (a negative age, from clock differences between clicks, counts as young): then nothing changes.
    """
    if clicked in current:
        if same_option_age is not None and same_option_age < DOUBLE_CLICK_WINDOW:
            return ClickOutcome(ClickAction.UNCHANGED, current, current)
        if multiple:
            return ClickOutcome(ClickAction.REMOVED, current, current - {clicked})
        if len(current) == 1:
            return ClickOutcome(ClickAction.RETRACTED, current, frozenset())
        # More than one ballot in a single-choice poll cannot be written; collapse to the click.
        return ClickOutcome(ClickAction.MOVED, current, frozenset({clicked}))
    if multiple:
        return ClickOutcome(ClickAction.ADDED, current, current | {clicked})
    action = ClickAction.MOVED if current else ClickAction.VOTED
    return ClickOutcome(action, current, frozenset({clicked}))
