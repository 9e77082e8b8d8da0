"""Per-server setup: channels, moderator role and time zone (/setup)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.setup.cog import AdminCog

if TYPE_CHECKING:
    from bot.client import ClimaBot


async def setup(bot: ClimaBot) -> None:
    """Add the setup cog."""
    await bot.add_cog(AdminCog(bot.repos.guild_settings))
