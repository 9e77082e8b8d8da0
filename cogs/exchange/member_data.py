"""What mutual learning keeps about a member, for /mydata: exported as sections, erased in order.

Profiles go first, then city memberships (rows, then roles and twin threads on Discord), then the
exchanges a member asked and the lessons they wrote, which are unlinked but keep their text.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.i18n import Lang
from bot.member_data import Erasure
from cogs.exchange.memberships import CityMemberships
from cogs.exchange.render import stale_roles_note
from storage.cities import CitiesRepository
from storage.exchange import ExchangeRepository
from storage.profiles import ProfilesRepository
from storage.twins import TwinsRepository

# Where this capability's erasures stand among all capabilities' (lower runs first).
PROFILES_ORDER = 10
CITIES_ORDER = 11
TWINS_ORDER = 12
EXCHANGES_ORDER = 60


class ProfileData:
    """A member's profile: target group and home city."""

    erase_order = PROFILES_ORDER

    def __init__(self, profiles: ProfilesRepository) -> None:
        """Use the profiles table."""
        self.profiles = profiles

    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """The `profile` section."""
        return await self.profiles.member_data(guild_id, user_id)

    async def erase_member_data(self, member: discord.Member) -> Erasure:
        """Delete the profile (the memberships are the cities' to erase, next)."""
        return Erasure({"profile": await self.profiles.forget_profile(member.guild.id, member.id)})


class CityData:
    """A member's city memberships, with the city roles and twin-thread access they bring."""

    erase_order = CITIES_ORDER

    def __init__(
        self,
        cities: CitiesRepository,
        memberships: CityMemberships,
        lang_of: Callable[[discord.Member], Awaitable[Lang]],
    ) -> None:
        """Use the register, the membership helper (roles, twin threads) and the member's language."""
        self.cities = cities
        self.memberships = memberships
        self.lang_of = lang_of

    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """The `city_memberships` section and the cities the member registered as a moderator."""
        return await self.cities.member_data(guild_id, user_id)

    async def erase_member_data(self, member: discord.Member) -> Erasure:
        """Remove the memberships, then take back the roles (also stale ones) and leave the twin threads."""
        joined, stale = await self.memberships.held(member)
        removed = await self.cities.forget_memberships(member.guild.id, member.id)
        problems = await self.memberships.release(member, joined + stale)
        if not problems and not stale:
            return Erasure({"city_memberships": removed})
        # Erasure notes are text, so they are rendered here; the member's language settings are erased
        # before this runs (erase_order 5), so this is in practice the server's language.
        t = await self.lang_of(member)
        notes = [t.render(problem) for problem in problems]
        if stale:
            notes.append(stale_roles_note(t, [city.name for city in stale]))
        return Erasure({"city_memberships": removed}, notes)


class TwinData:
    """The twin threads a member is in through their cities; nothing per member is stored for them."""

    erase_order = TWINS_ORDER

    def __init__(self, twins: TwinsRepository) -> None:
        """Use the twins table."""
        self.twins = twins

    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """The `twin_threads` section and the twinnings the member created as a moderator."""
        return await self.twins.member_data(guild_id, user_id)

    async def erase_member_data(self, member: discord.Member) -> Erasure:
        """Nothing of its own: leaving the cities left their threads; twinnings created are kept records."""
        return Erasure()


class ExchangeData:
    """The questions a member asked and the lessons they wrote."""

    erase_order = EXCHANGES_ORDER

    def __init__(self, exchanges: ExchangeRepository) -> None:
        """Use the exchanges and lessons tables."""
        self.exchanges = exchanges

    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """The `exchanges_asked` and `lessons_written` sections."""
        return await self.exchanges.member_data(guild_id, user_id)

    async def erase_member_data(self, member: discord.Member) -> Erasure:
        """Unlink the member from their questions and lessons; the text stays as community content."""
        return Erasure(await self.exchanges.forget_member(member.guild.id, member.id))
