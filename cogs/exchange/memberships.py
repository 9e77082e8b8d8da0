"""Belonging to a city: the membership row, the city's role and the city's twin threads, kept in step.

Notes about what could not be done are Msg, translated by whoever shows them to the member.
"""

from __future__ import annotations

import discord

from bot.i18n import Msg
from cogs.exchange.roles import CityRoles
from cogs.exchange.rules import mention
from cogs.exchange.twin_threads import TwinThreads
from storage.cities import CitiesRepository, City


class CityMemberships:
    """Joins and leaves cities on both sides: the register, and roles and twin threads on Discord."""

    def __init__(self, cities: CitiesRepository, roles: CityRoles, twin_threads: TwinThreads) -> None:
        """Use the register, the one role helper (it locks per city) and the twin-thread helper."""
        self.cities = cities
        self.roles = roles
        self.twin_threads = twin_threads

    async def join(self, member: discord.Member, city: City) -> tuple[bool, list[Msg]]:
        """Record the membership, give the role and twin-thread access; (newly joined, notes)."""
        joined = await self.cities.join(city.id, member.id)
        return joined, await self.after_join(member, city)

    async def after_join(self, member: discord.Member, city: City) -> list[Msg]:
        """Give the city's role and twin-thread access; return notes about what could not be done."""
        notes = []
        role_note = await self.roles.give(member, city)
        if role_note:
            notes.append(role_note)
        else:
            fresh = await self.cities.get(city.id)
            if fresh is not None and fresh.role_id:
                notes.append(
                    Msg(
                        "You have the {role} role, so questions to the city reach you.",
                        role=mention("@&", fresh.role_id),
                    )
                )
        await self.twin_threads.add_member(member.guild, city.id, member.id)
        return notes

    async def leave(self, member: discord.Member, city: City) -> list[Msg]:
        """Remove the membership, then the role and twin-thread access; return notes."""
        await self.cities.leave(city.id, member.id)
        return await self.release(member, [city])

    async def release(self, member: discord.Member, cities: list[City]) -> list[Msg]:
        """Take back the cities' roles and leave their twin threads (unless the other city is theirs)."""
        notes = []
        for city in cities:
            note = await self.roles.take(member, city)
            if note:
                notes.append(note)
            await self.twin_threads.remove_member(member.guild, city.id, member.id)
        return notes

    async def held(self, member: discord.Member) -> tuple[list[City], list[City]]:
        """The member's cities here, and the cities whose role they hold without being a member.

        An erasure removes the rows before the roles, so one cut short in between leaves roles with
        no rows; running it again finds them by role.
        """
        joined = await self.cities.cities_of(member.guild.id, member.id)
        roles = {role.id for role in member.roles}
        known = {city.id for city in joined}
        stale = [
            c for c in await self.cities.all(member.guild.id) if c.role_id in roles and c.id not in known
        ]
        return joined, stale
