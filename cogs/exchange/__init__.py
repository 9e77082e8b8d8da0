"""Mutual learning between cities: city register, profiles, exchange questions, lessons, twinning."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.exchange.city_cog import CityCog
from cogs.exchange.exchange_cog import ExchangeCog
from cogs.exchange.jobs import TwinCheckins
from cogs.exchange.lessons_cog import LessonsCog
from cogs.exchange.memberships import CityMemberships
from cogs.exchange.profile_cog import ProfileCog
from cogs.exchange.roles import CityRoles
from cogs.exchange.twin_cog import TwinCog
from cogs.exchange.twin_threads import TwinThreads

if TYPE_CHECKING:
    from bot.client import ClimaBot


async def setup(bot: ClimaBot) -> None:
    """Add the profile, city, exchange, lessons and twin cogs, sharing one role and twin-thread helper."""
    twin_threads = TwinThreads(bot)
    memberships = CityMemberships(bot.repos.cities, CityRoles(bot.repos.cities), twin_threads)
    await bot.add_cog(ProfileCog(bot, memberships))
    await bot.add_cog(CityCog(bot, memberships))
    await bot.add_cog(ExchangeCog(bot))
    await bot.add_cog(LessonsCog(bot))
    await bot.add_cog(TwinCog(bot, twin_threads, TwinCheckins(bot)))
