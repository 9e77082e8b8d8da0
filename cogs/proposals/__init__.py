"""Citizen proposals and accountability: propose, support, official answers, progress, open data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.proposals.cog import ProposalsCog

if TYPE_CHECKING:
    from bot.client import ClimaBot


async def setup(bot: ClimaBot) -> None:
    """Add the proposals cog to the bot."""
    await bot.add_cog(ProposalsCog(bot))
