"""Per-server setup, and members' self-service export and erasure of their own data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.admin.cog import AdminCog
from cogs.admin.insights import InsightsCog
from cogs.admin.mydata import MyDataCog

if TYPE_CHECKING:
    from bot.client import ClimaBot


async def setup(bot: ClimaBot) -> None:
    """Add the admin cog, the /mydata cog and the /insights cog to the bot."""
    await bot.add_cog(AdminCog(bot.repos.guild_settings))
    await bot.add_cog(MyDataCog(bot))
    await bot.add_cog(InsightsCog(bot.repos.insights))
