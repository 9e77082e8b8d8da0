"""Engagement insight for moderators: /insights."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.insights.cog import InsightsCog

if TYPE_CHECKING:
    from bot.client import ClimaBot


async def setup(bot: ClimaBot) -> None:
    """Add the insights cog."""
    await bot.add_cog(InsightsCog(bot))
