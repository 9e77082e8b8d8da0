"""Members' self-service export and erasure of their own data (/mydata)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.mydata.cog import MyDataCog

if TYPE_CHECKING:
    from bot.client import ClimaBot


async def setup(bot: ClimaBot) -> None:
    """Add the /mydata cog."""
    await bot.add_cog(MyDataCog(bot))
