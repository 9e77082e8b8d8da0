"""The /profile commands: a member's target group and home city."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.cog_base import ClimaCog
from bot.errors import ValidationError
from bot.guards import require_guild
from bot.member_data import MemberDataHolder
from cogs.exchange.lookup import city_autocomplete, resolve_city
from cogs.exchange.member_data import ProfileData
from cogs.exchange.memberships import CityMemberships
from cogs.exchange.render import profile_embed
from storage.profiles import TARGET_GROUPS

if TYPE_CHECKING:
    from bot.client import ClimaBot

GROUP_CHOICES = [app_commands.Choice(name=g, value=g) for g in TARGET_GROUPS]


class ProfileCog(ClimaCog, name="Profiles"):
    """Members' profiles: which target group they belong to and which city is their home."""

    profile = app_commands.Group(name="profile", description="Your city and target group", guild_only=True)

    def __init__(self, bot: ClimaBot, memberships: CityMemberships) -> None:
        """Keep the bot and the membership helper (a home city is joined)."""
        super().__init__(bot)
        self.memberships = memberships

    def member_data(self) -> MemberDataHolder:
        """The member's profile."""
        return ProfileData(self.bot.repos.profiles)

    @profile.command(name="set", description="Set your target group and home city")
    @app_commands.describe(group="The group you belong to", city="Your home city (you also join it)")
    @app_commands.choices(group=GROUP_CHOICES)
    @app_commands.autocomplete(city=city_autocomplete)
    async def profile_set(
        self,
        interaction: discord.Interaction[Any],
        group: app_commands.Choice[str] | None = None,
        city: str | None = None,
    ) -> None:
        """Update the profile fields given; a home city is joined as with /city join."""
        member = require_guild(interaction)
        guild_id = member.guild.id
        if group is None and city is None:
            raise ValidationError(
                f"Give a `group` ({', '.join(TARGET_GROUPS)}) and/or a `city`; `/profile show` shows yours."
            )
        home = await resolve_city(self.bot.repos.cities, guild_id, city) if city is not None else None
        await interaction.response.defer(ephemeral=True, thinking=True)
        kwargs: dict[str, Any] = {}
        if group is not None:
            kwargs["target_group"] = group.value
        if home is not None:
            kwargs["city_id"] = home.id
        await self.bot.repos.profiles.set(guild_id, member.id, **kwargs)
        notes = await self.memberships.after_join(member, home) if home is not None else []
        embed = await self._embed(member)
        await interaction.followup.send(" ".join(["Profile updated.", *notes]), embed=embed, ephemeral=True)

    @profile.command(name="show", description="Show your profile and cities")
    async def profile_show(self, interaction: discord.Interaction[Any]) -> None:
        """Show the member's own profile."""
        member = require_guild(interaction)
        await interaction.response.send_message(embed=await self._embed(member), ephemeral=True)

    async def _embed(self, member: discord.Member) -> discord.Embed:
        """Describe a member's profile and cities."""
        profile = await self.bot.repos.profiles.get(member.guild.id, member.id)
        cities = await self.bot.repos.cities.cities_of(member.guild.id, member.id)
        return profile_embed(member.display_name, profile, cities)
