"""Webinars and workshops as Discord scheduled events, with reminders and a follow-up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.events.cog import EventsCog

if TYPE_CHECKING:
    from bot.client import ClimaBot


async def setup(bot: ClimaBot) -> None:
    """Add the events cog to the bot."""
    await bot.add_cog(EventsCog(bot))
