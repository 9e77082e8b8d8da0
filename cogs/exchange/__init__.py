"""Mutual learning between cities: city register, profiles, exchange questions, lessons, twinning."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.client import ClimaBot


async def setup(bot: ClimaBot) -> None:
    """Add the cities, exchange and twins cogs, which share the role and twin-thread helpers."""
    # Imported here so `bot.city_import` (used by the command line) does not load discord.py.
    from cogs.exchange.cities_cog import CitiesCog
    from cogs.exchange.exchange_cog import ExchangeCog
    from cogs.exchange.roles import CityRoles
    from cogs.exchange.twin_threads import TwinThreads
    from cogs.exchange.twins_cog import TwinsCog

    twin_threads = TwinThreads(bot)
    await bot.add_cog(CitiesCog(bot, CityRoles(bot.repos.cities), twin_threads))
    await bot.add_cog(ExchangeCog(bot))
    await bot.add_cog(TwinsCog(bot, twin_threads))
