"""Button polls: live tallies, anonymous ballots, results charts and CSV export."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.polls.cog import PollsCog

if TYPE_CHECKING:
    from bot.client import ClimaBot


async def setup(bot: ClimaBot) -> None:
    """Add the polls cog to the bot."""
    await bot.add_cog(PollsCog(bot, bot.repos.polls))
