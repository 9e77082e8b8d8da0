"""Funding calls, deadline reminders and scheduled announcements."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.calls.announce_cog import AnnounceCog
from cogs.calls.calls_cog import CallsCog
from cogs.calls.jobs import Dispatcher

if TYPE_CHECKING:
    from bot.client import ClimaBot


async def setup(bot: ClimaBot) -> None:
    """Add the /calls and /announce cogs, sharing one dispatcher for reminders and announcements."""
    dispatcher = Dispatcher(bot)
    await bot.add_cog(CallsCog(bot, dispatcher))
    await bot.add_cog(AnnounceCog(bot, dispatcher))
