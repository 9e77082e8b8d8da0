"""The /profile commands: a member's target group, home city and language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.cog_base import ClimaCog
from bot.errors import ValidationError
from bot.guards import require_guild
from bot.i18n import N_, SUPPORTED, Lang
from bot.member_data import MemberDataHolder
from bot.target_groups import TARGET_GROUPS
from cogs.exchange.lookup import city_autocomplete, resolve_city
from cogs.exchange.member_data import ProfileData
from cogs.exchange.memberships import CityMemberships
from cogs.exchange.render import profile_embed
from cogs.exchange.rules import AUTOMATIC_LANGUAGE, language_choices, resolve_language

if TYPE_CHECKING:
    from bot.client import ClimaBot

GROUP_CHOICES = [app_commands.Choice(name=label, value=key) for key, label in TARGET_GROUPS.items()]
AUTOMATIC_NAME = N_("Automatic: follow my Discord language")


class ProfileCog(ClimaCog, name="Profiles"):
    """Members' profiles: which target group they belong to, which city is their home, their language."""

    profile = app_commands.Group(
        name="profile", description=N_("Your city, target group and language"), guild_only=True
    )

    def __init__(self, bot: ClimaBot, memberships: CityMemberships) -> None:
        """Keep the bot and the membership helper (a home city is joined)."""
        super().__init__(bot)
        self.memberships = memberships

    def member_data(self) -> MemberDataHolder:
        """The member's profile (their language is the languages service's to export and erase)."""
        return ProfileData(self.bot.repos.profiles)

    async def language_autocomplete(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Offer the languages by their own names (code as value), and automatic, matching what was typed."""
        t = await self.bot.languages.for_interaction(interaction)
        return [
            app_commands.Choice(name=name, value=code)
            for name, code in language_choices(current, t._(AUTOMATIC_NAME), t)
        ]

    @profile.command(name="set", description=N_("Set your target group, home city or language"))
    @app_commands.describe(
        group=N_("The group you belong to"),
        city=N_("Your home city (you also join it)"),
        language=N_("The language climabot speaks to you (automatic: your Discord language)"),
    )
    @app_commands.choices(group=GROUP_CHOICES)
    @app_commands.autocomplete(city=city_autocomplete, language=language_autocomplete)
    async def profile_set(
        self,
        interaction: discord.Interaction[Any],
        group: app_commands.Choice[str] | None = None,
        city: str | None = None,
        language: str | None = None,
    ) -> None:
        """Update the profile fields given; a home city is joined as with /city join."""
        member = require_guild(interaction)
        guild_id = member.guild.id
        if group is None and city is None and language is None:
            raise ValidationError(
                "Give a `group`, a `city` or a `language` (or several); `/profile show` shows yours."
            )
        # Checked before anything is stored, so a wrong code changes nothing.
        code = resolve_language(language) if language is not None else None
        home = await resolve_city(self.bot.repos.cities, guild_id, city) if city is not None else None
        await interaction.response.defer(ephemeral=True, thinking=True)
        kwargs: dict[str, Any] = {}
        if group is not None:
            kwargs["target_group"] = group.value
        if home is not None:
            kwargs["city_id"] = home.id
        if kwargs:
            await self.bot.repos.profiles.set(guild_id, member.id, **kwargs)
        if language is not None:
            await self.bot.languages.choose(guild_id, member.id, None if code == AUTOMATIC_LANGUAGE else code)
        notes = await self.memberships.after_join(member, home) if home is not None else []
        # Resolved after the choice is stored: the answer is in the language just chosen.
        t = await self.bot.languages.for_interaction(interaction)
        embed = await self._embed(t, member)
        text = " ".join([t._("Profile updated."), *(t.render(note) for note in notes)])
        await interaction.followup.send(text, embed=embed, ephemeral=True)

    @profile.command(name="show", description=N_("Show your profile, cities and language"))
    async def profile_show(self, interaction: discord.Interaction[Any]) -> None:
        """Show the member's own profile."""
        member = require_guild(interaction)
        t = await self.bot.languages.for_interaction(interaction)
        await interaction.response.send_message(embed=await self._embed(t, member), ephemeral=True)

    async def _embed(self, t: Lang, member: discord.Member) -> discord.Embed:
        """Describe a member's profile, cities and chosen language."""
        guild_id = member.guild.id
        profile = await self.bot.repos.profiles.get(guild_id, member.id)
        cities = await self.bot.repos.cities.cities_of(guild_id, member.id)
        chosen = await self.bot.languages.chosen(guild_id, member.id)
        return profile_embed(t, member.display_name, profile, cities, chosen if chosen in SUPPORTED else None)
