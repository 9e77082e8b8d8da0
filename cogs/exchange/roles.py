"""One Discord role per city, created on the first join and given to the city's members when possible."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable

import discord

from bot.i18n import N_, Msg
from storage.cities import CitiesRepository, City

log = logging.getLogger(__name__)


class CityRoles:
    """Creates, gives and removes city roles; each failure becomes a note (a Msg) for the member."""

    def __init__(self, cities: CitiesRepository) -> None:
        """Use the city register to remember each city's role."""
        self.cities = cities
        # One lock per city, so two members joining at once do not create two roles.
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def ensure_role(self, guild: discord.Guild, city: City) -> discord.Role | None:
        """Return the city's role, creating it (and remembering it) if it does not exist yet."""
        async with self._locks[city.id]:
            fresh = await self.cities.get(city.id)
            role_id = fresh.role_id if fresh is not None else city.role_id
            role = guild.get_role(role_id) if role_id is not None else None
            if role is not None:
                return role
            try:
                role = await guild.create_role(
                    name=city.name,
                    permissions=discord.Permissions.none(),
                    mentionable=True,
                    reason=f"climabot: role for the members of {city.name}",
                )
            except discord.HTTPException as exc:
                log.warning("guild %s: cannot create a role for city %s: %s", guild.id, city.id, exc)
                return None
            await self.cities.set_role(city.id, role.id)
            return role

    async def give(self, member: discord.Member, city: City) -> Msg | None:
        """Give a member the city's role; return a note for the member if it could not be done."""
        guild = member.guild
        role = await self.ensure_role(guild, city)
        if role is None:
            return Msg(
                "I could not create a role for {city}. I need the Manage Roles permission, and my own role "
                "must sit above the city roles (Server Settings → Roles).",
                city=city.name,
            )
        return await _role_change(
            member.add_roles(role, reason="climabot: joined a city"),
            role,
            N_(
                "I could not give you the {role} role. I need the Manage Roles permission, and my own role "
                "must sit above the city roles (Server Settings → Roles)."
            ),
            log_as=f"guild {guild.id}: cannot give role {role.id} to {member.id}",
        )

    async def take(self, member: discord.Member, city: City) -> Msg | None:
        """Remove the city's role from a member; return a note if it could not be done."""
        guild = member.guild
        role = guild.get_role(city.role_id) if city.role_id is not None else None
        if role is None:
            return None
        return await _role_change(
            member.remove_roles(role, reason="climabot: left a city"),
            role,
            N_(
                "I could not remove the {role} role. I need the Manage Roles permission, and my own role "
                "must sit above the city roles (Server Settings → Roles)."
            ),
            log_as=f"guild {guild.id}: cannot remove role {role.id} from {member.id}",
            gone_is_done=True,
        )


async def _role_change(
    change: Awaitable[None], role: discord.Role, failed: str, *, log_as: str, gone_is_done: bool = False
) -> Msg | None:
    """Await a role change; a refusal becomes the note `failed` on {role} (NotFound is ok if gone_is_done)."""
    try:
        await change
    except discord.HTTPException as exc:
        if gone_is_done and isinstance(exc, discord.NotFound):
            return None
        log.warning("%s: %s", log_as, exc)
        return Msg(failed, role=role.mention)
    return None
