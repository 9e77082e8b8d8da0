"""The floor of the vote benchmarks: a bare discord.py client whose vote button only answers.

Run as its own process by tests/bench/bench_polls.py (`python -m tests.bench.floor_bot`, configured by
the FLOOR_* environment variables), against the same emulator as climabot. It posts the same poll
message (embed and buttons) and answers every click with the ephemeral confirmation climabot sends for a
first vote, through a DynamicItem on the same custom_id, with no database and no other work.
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from typing import Any

QUESTION = "Which pilot should the mission fund first?"
LABELS = ("Energy communities", "Low-emission zones", "Green roofs", "Heat pumps", "Cycle lanes")


def floor_environment(token: str, api: str, gateway: str, channel_id: int, options: int) -> dict[str, str]:
    """The environment variables that point the floor bot at an emulator and a channel."""
    return {
        "FLOOR_TOKEN": token,
        "FLOOR_API": api,
        "FLOOR_GATEWAY": gateway,
        "FLOOR_CHANNEL": str(channel_id),
        "FLOOR_OPTIONS": str(options),
    }


def floor_bot_main() -> None:
    """The floor bot's process: post the poll message, then answer every click without a database."""
    import discord
    from pydantic import SecretStr

    from bot.client import point_discord_at
    from bot.i18n import ENGLISH
    from bot.settings import DiscordSettings
    from cogs.polls.render import poll_embed
    from cogs.polls.rules import VOTE_ID_PATTERN, parse_vote_custom_id, vote_custom_id
    from cogs.polls.tally import confirmation_text
    from storage.polls import ClickAction, Poll, PollResults

    token = os.environ["FLOOR_TOKEN"]
    point_discord_at(
        DiscordSettings(
            token=SecretStr(token),
            api_base_url=os.environ["FLOOR_API"],
            gateway_url=os.environ["FLOOR_GATEWAY"],
        )
    )
    labels = LABELS[: int(os.environ["FLOOR_OPTIONS"])]
    now = datetime.now(UTC)
    poll = Poll(1, 0, 0, None, QUESTION, labels, False, False, False, 0, now, None, None)

    class FloorVote(discord.ui.DynamicItem[discord.ui.Button[Any]], template=VOTE_ID_PATTERN):
        """The same custom_id as climabot's vote button; the callback only answers."""

        def __init__(self, poll_id: int, option: int, label: str = "Vote") -> None:
            """Build the button."""
            self.option = option
            button = discord.ui.Button[Any](label=label, custom_id=vote_custom_id(poll_id, option))
            super().__init__(button, row=option // 5)

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: Any, /
        ) -> FloorVote:
            """Rebuild from the custom_id."""
            poll_id, option = parse_vote_custom_id(str(getattr(item, "custom_id", "")))
            return cls(poll_id, option)

        async def callback(self, interaction: discord.Interaction[Any]) -> None:
            """Answer privately with the text climabot would send for a first vote."""
            text = confirmation_text(ENGLISH, ClickAction.VOTED, labels, {self.option})
            await interaction.response.send_message(text, ephemeral=True)

    class FloorBot(discord.Client):
        """A minimal bot: guilds intent, one dynamic button class."""

        async def setup_hook(self) -> None:
            """Take clicks on the vote buttons."""
            self.add_dynamic_items(FloorVote)

        async def on_ready(self) -> None:
            """Post the poll message (same embed and buttons as climabot's)."""
            view = discord.ui.View(timeout=None)
            for index, label in enumerate(labels):
                view.add_item(FloorVote(1, index, label))
            channel = self.get_partial_messageable(int(os.environ["FLOOR_CHANNEL"]))
            empty = PollResults(poll, (0,) * len(labels), 0)
            await channel.send(embed=poll_embed(ENGLISH, empty), view=view)

    intents = discord.Intents.none()
    intents.guilds = True
    client = FloorBot(
        intents=intents, guild_ready_timeout=0.05, allowed_mentions=discord.AllowedMentions.none()
    )
    asyncio.run(client.start(token))


if __name__ == "__main__":
    floor_bot_main()
