"""The vote buttons of a poll message: DynamicItems, so they keep working after any restart."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.error_handler import new_error_id
from bot.replies import send_ephemeral
from cogs.polls.rules import VOTE_ID_PATTERN, parse_vote_custom_id, vote_custom_id
from storage.polls import MAX_OPTIONS, Poll

if TYPE_CHECKING:
    from cogs.polls.cog import PollsCog

log = logging.getLogger(__name__)

COG_NAME = "Polls"
BUTTONS_PER_ROW = 5
# A custom_id that matches the template but is out of range (never produced by the bot).
NO_POLL = -1


def polls_cog(interaction: discord.Interaction[Any]) -> PollsCog:
    """Return the loaded polls cog of the bot that received an interaction."""
    cog = interaction.client.get_cog(COG_NAME)
    if cog is None:
        raise RuntimeError("the polls cog is not loaded")
    return cast("PollsCog", cog)


class VoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=VOTE_ID_PATTERN):
    """One option's button: `polls:vote:<poll_id>:<option_index>`; a click casts or changes a vote."""

    def __init__(self, poll_id: int, option_index: int, label: str = "Vote", *, custom_id: str = "") -> None:
        """Build the button for option `option_index` of poll `poll_id`, five to a row."""
        self.poll_id, self.option_index = poll_id, option_index
        in_range = 0 <= option_index < MAX_OPTIONS
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=custom_id or vote_custom_id(poll_id, option_index),
            ),
            row=option_index // BUTTONS_PER_ROW if in_range else None,
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: Any, /
    ) -> VoteButton:
        """Rebuild the button from a clicked custom_id; out-of-range ids become a polite refusal."""
        custom_id = str(getattr(item, "custom_id", ""))
        try:
            poll_id, option_index = parse_vote_custom_id(custom_id)
        except ValueError:
            return cls(NO_POLL, int(match["option"]), custom_id=custom_id)
        return cls(poll_id, option_index, custom_id=custom_id)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Record the click and answer privately; unexpected errors get an error id, not a failure."""
        try:
            await polls_cog(interaction).vote(interaction, self.poll_id, self.option_index)
        except Exception:
            error_id = new_error_id()
            log.exception(
                "error %s on a vote for poll %s (guild %s)", error_id, self.poll_id, interaction.guild_id
            )
            await send_ephemeral(
                interaction, f"Something went wrong on my side; it was logged as error `{error_id}`."
            )


def poll_view(poll: Poll) -> discord.ui.View:
    """The buttons of an open poll: one per option, in option order, five to a row."""
    view = discord.ui.View(timeout=None)
    for index, label in enumerate(poll.options):
        view.add_item(VoteButton(poll.id, index, label))
    return view
