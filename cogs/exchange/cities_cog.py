"""The /city and /profile commands: the city register, members' cities and their profiles."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.citynames import validate_city_name
from bot.countries import country_name, resolve_country, suggest_countries
from bot.errors import NotFoundError, ValidationError
from bot.guards import moderator_only
from bot.replies import fit_lines, quote_input
from cogs.exchange.lookup import city_autocomplete, guild_id_of, my_city_autocomplete, resolve_city
from cogs.exchange.render import COLOUR, EMBED_FIELD_LIMIT, city_embed
from cogs.exchange.roles import CityRoles
from cogs.exchange.snippets import escape_markdown, thread_link
from cogs.exchange.twin_threads import TwinThreads
from cogs.exchange.views import city_list_message, send_list
from storage.cities import City, DuplicateCityError
from storage.profiles import TARGET_GROUPS

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

GROUP_CHOICES = [app_commands.Choice(name=g, value=g) for g in TARGET_GROUPS]


def _member(interaction: discord.Interaction[Any]) -> discord.Member:
    """Return the invoking server member."""
    if not isinstance(interaction.user, discord.Member):
        raise ValidationError("This command only works inside a server.")
    return interaction.user


class CitiesCog(commands.Cog, name="Cities"):
    """The city register, city membership (with a role per city) and member profiles."""

    city = app_commands.Group(name="city", description="The register of cities", guild_only=True)
    profile = app_commands.Group(name="profile", description="Your city and target group", guild_only=True)

    def __init__(self, bot: ClimaBot, roles: CityRoles, twin_threads: TwinThreads) -> None:
        """Keep the bot (for its repositories) and the helpers shared with the other exchange cogs."""
        self.bot = bot
        self.roles = roles
        self.twin_threads = twin_threads

    # --- /city ---------------------------------------------------------------

    @city.command(name="add", description="Register a city (moderators)")
    @app_commands.describe(
        name="The city's name, as people write it",
        country="ISO 3166 code (such as FR) or English name of the country",
        mission_city="Whether it is one of the EU mission's climate-neutral cities",
    )
    @moderator_only()
    async def city_add(
        self, interaction: discord.Interaction[Any], name: str, country: str, mission_city: bool = False
    ) -> None:
        """Register a city after checking its name and country."""
        guild_id = guild_id_of(interaction)
        try:
            clean = validate_city_name(name)
        except ValueError as exc:
            raise ValidationError(f"{quote_input(name)}: {exc}.") from None
        code = resolve_country(country)
        if code is None:
            hints = suggest_countries(country)
            hint = f" Did you mean {' or '.join(hints)}?" if hints else ""
            raise ValidationError(
                f"{quote_input(country)} is not a country I know.{hint} "
                "Use a two-letter ISO 3166 code such as `FR` or an English name such as `France`."
            )
        try:
            city = await self.bot.repos.cities.add(
                guild_id, clean, code, mission_city=mission_city, created_by=interaction.user.id
            )
        except DuplicateCityError as exc:
            raise ValidationError(
                f"**{escape_markdown(exc.existing.name)}** is already registered (names are compared "
                "without case); see `/city info`."
            ) from None
        log.info("guild %s: city %s (%s) added by %s", guild_id, city.id, code, interaction.user.id)
        kind = "an EU mission city" if city.mission_city else "a city"
        await interaction.response.send_message(
            f"Registered **{escape_markdown(city.name)}** ({country_name(code)}) as {kind}. "
            "Members can now `/city join` it.",
            ephemeral=True,
        )

    @city.command(name="list", description="List the registered cities")
    @app_commands.describe(country="Only cities of this country (ISO code or name)")
    async def city_list(self, interaction: discord.Interaction[Any], country: str | None = None) -> None:
        """Show the first page of the register, optionally of one country."""
        guild_id = guild_id_of(interaction)
        code = None
        if country:
            code = resolve_country(country)
            if code is None:
                raise ValidationError(
                    f"{quote_input(country)} is not a country I know; use an ISO code such as `FR` or a name."
                )
        await send_list(interaction, *await city_list_message(self.bot, guild_id, code, 0))

    @city.command(name="info", description="Members, exchanges, lessons and twins of a city")
    @app_commands.describe(name="The city")
    @app_commands.autocomplete(name=city_autocomplete)
    async def city_info(self, interaction: discord.Interaction[Any], name: str) -> None:
        """Show one city."""
        guild_id = guild_id_of(interaction)
        city = await resolve_city(self.bot.repos.cities, guild_id, name)
        members = await self.bot.repos.cities.members(city.id)
        activity = await self.bot.repos.exchanges.city_activity(city.id)
        twins = []
        for twin in await self.bot.repos.twins.of_city(city.id):
            other_id = twin.city_b_id if twin.city_a_id == city.id else twin.city_a_id
            other = await self.bot.repos.cities.get(other_id)
            if other is not None:
                twins.append((other.name, thread_link(guild_id, twin.thread_id)))
        embed = city_embed(city, members, activity, twins)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @city.command(name="join", description="Say you belong to a city (you can belong to several)")
    @app_commands.describe(name="The city")
    @app_commands.autocomplete(name=city_autocomplete)
    async def city_join(self, interaction: discord.Interaction[Any], name: str) -> None:
        """Record the membership, give the city's role and add the member to the city's twin threads."""
        guild_id = guild_id_of(interaction)
        member = _member(interaction)
        city = await resolve_city(self.bot.repos.cities, guild_id, name)
        # Creating a role and adding someone to threads can take longer than Discord's 3 seconds.
        await interaction.response.defer(ephemeral=True, thinking=True)
        joined = await self.bot.repos.cities.join(city.id, member.id)
        notes = await self._after_join(member, city)
        head = (
            f"You joined **{escape_markdown(city.name)}**."
            if joined
            else f"You already belong to **{escape_markdown(city.name)}**."
        )
        await interaction.followup.send(" ".join([head, *notes]), ephemeral=True)

    async def _after_join(self, member: discord.Member, city: City) -> list[str]:
        """Give the city's role and twin-thread access; return notes about what could not be done."""
        notes = []
        role_note = await self.roles.give(member, city)
        if role_note:
            notes.append(role_note)
        else:
            fresh = await self.bot.repos.cities.get(city.id)
            if fresh is not None and fresh.role_id:
                notes.append(f"You have the <@&{fresh.role_id}> role, so questions to the city reach you.")
        await self.twin_threads.add_member(member.guild, city.id, member.id)
        return notes

    @city.command(name="leave", description="Stop belonging to a city")
    @app_commands.describe(name="One of your cities")
    @app_commands.autocomplete(name=my_city_autocomplete)
    async def city_leave(self, interaction: discord.Interaction[Any], name: str) -> None:
        """Remove the membership and the role."""
        guild_id = guild_id_of(interaction)
        member = _member(interaction)
        city = await resolve_city(self.bot.repos.cities, guild_id, name)
        if not await self.bot.repos.cities.is_member(city.id, member.id):
            raise NotFoundError(
                f"You do not belong to **{escape_markdown(city.name)}**; see `/profile show`."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.bot.repos.cities.leave(city.id, member.id)
        notes = [n for n in [await self.roles.take(member, city)] if n]
        await self.twin_threads.remove_member(member.guild, city.id, member.id)
        await interaction.followup.send(
            " ".join([f"You left **{escape_markdown(city.name)}**.", *notes]), ephemeral=True
        )

    # --- /profile ------------------------------------------------------------

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
        guild_id = guild_id_of(interaction)
        member = _member(interaction)
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
        notes = await self._after_join(member, home) if home is not None else []
        embed = await self._profile_embed(guild_id, member)
        await interaction.followup.send(" ".join(["Profile updated.", *notes]), embed=embed, ephemeral=True)

    @profile.command(name="show", description="Show your profile and cities")
    async def profile_show(self, interaction: discord.Interaction[Any]) -> None:
        """Show the member's own profile."""
        guild_id = guild_id_of(interaction)
        member = _member(interaction)
        embed = await self._profile_embed(guild_id, member)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    async def _profile_embed(self, guild_id: int, member: discord.Member) -> discord.Embed:
        """Describe a member's profile and cities."""
        profile = await self.bot.repos.profiles.get(guild_id, member.id)
        cities = await self.bot.repos.cities.cities_of(guild_id, member.id)
        home = None
        if profile is not None and profile.city_id is not None:
            home = next((c for c in cities if c.id == profile.city_id), None)
        embed = discord.Embed(title=f"Profile of {member.display_name}"[:256], colour=COLOUR)
        group = profile.target_group if profile and profile.target_group else "not set"
        embed.add_field(name="Group", value=group, inline=True)
        embed.add_field(
            name="Home city", value=escape_markdown(home.name) if home else "not set", inline=True
        )
        names = fit_lines([escape_markdown(c.name) for c in cities], EMBED_FIELD_LIMIT, ", ")
        embed.add_field(name="Cities", value=names or "none yet: `/city join`", inline=False)
        embed.set_footer(text="Change it with /profile set; /city leave to leave a city.")
        return embed
