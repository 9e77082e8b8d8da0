"""Per-server setup: channels, moderator role and time zone (/setup)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.setup.cog import SetupCog

if TYPE_CHECKING:
    from bot.client import ClimaBot


async def setup(bot: ClimaBot) -> None:
    """Add the setup cog."""
    await bot.add_cog(SetupCog(bot))
