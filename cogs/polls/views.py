"""The vote buttons of a poll message: persistent, so a poll posted long ago still takes votes.

Their custom_id is `polls:vote:<poll_id>:<option_index>`, the format every poll message ever posted
carries; it is a public contract and must stay parseable.
"""

from __future__ import annotations

from typing import Any, Protocol

import discord

from bot.components import PersistentButton, persistent_view
from storage.polls import MAX_OPTIONS, Poll

COG_NAME = "Polls"
BUTTONS_PER_ROW = 5


class VoteHandler(Protocol):
    """What a vote button needs from the polls capability."""

    async def vote(self, interaction: discord.Interaction[Any], poll_id: int, option_index: int) -> None:
        """Record a click on one option of a poll and answer the member privately."""
        ...


class VoteButton(PersistentButton, cog=COG_NAME, prefix="polls:vote", fields={"poll": int, "option": int}):
    """One option's button: `polls:vote:<poll>:<option>`; a click casts, moves or withdraws a vote."""

    poll: int
    option: int

    def __init__(self, poll: int, option: int, label: str = "Vote") -> None:
        """Build the button for option `option` of poll `poll`, five to a row."""
        # A custom_id that was never produced (out of range) still rebuilds, so its click is refused politely.
        row = option // BUTTONS_PER_ROW if 0 <= option < MAX_OPTIONS else None
        super().__init__(poll, option, label=label, row=row)

    async def clicked(self, interaction: discord.Interaction[Any], handler: VoteHandler) -> None:
        """Hand the click to the polls capability."""
        await handler.vote(interaction, self.poll, self.option)


def poll_view(poll: Poll) -> discord.ui.View:
    """The buttons of an open poll: one per option, in option order, five to a row."""
    return persistent_view(*(VoteButton(poll.id, index, label) for index, label in enumerate(poll.options)))
