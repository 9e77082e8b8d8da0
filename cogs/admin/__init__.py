"""Per-server setup and, later, insight and members' own data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.admin.cog import AdminCog

if TYPE_CHECKING:
    from bot.client import ClimaBot


async def setup(bot: ClimaBot) -> None:
    """Add the admin cog to the bot."""
    await bot.add_cog(AdminCog(bot.repos.guild_settings))
