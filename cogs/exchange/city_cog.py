"""The /city commands: the city register and which members belong to which city."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.citynames import CityNameError, validate_city_name
from bot.cog_base import ClimaCog
from bot.countries import country_name, resolve_country, suggest_countries
from bot.errors import NotFoundError, ValidationError
from bot.guards import moderator_only, require_guild
from bot.i18n import N_, Lang
from bot.member_data import MemberDataHolder
from bot.paginator import ListPage, clamp_page, pager, send_list
from bot.replies import quote_input
from bot.text import require_visible
from cogs.exchange.lookup import city_autocomplete, my_city_autocomplete, resolve_city
from cogs.exchange.member_data import CityData
from cogs.exchange.memberships import CityMemberships
from cogs.exchange.render import city_embed, city_list_embed
from cogs.exchange.rules import bold, escape_markdown, thread_link
from cogs.exchange.views import ANY, CityPageButton
from storage.cities import City, DuplicateCityError

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

CITY_PAGE_SIZE = 15


class CityCog(ClimaCog, name="Cities"):
    """The city register and city membership, with a role per city and access to its twin threads."""

    city = app_commands.Group(name="city", description=N_("The register of cities"), guild_only=True)

    dynamic_items = (CityPageButton,)

    def __init__(self, bot: ClimaBot, memberships: CityMemberships) -> None:
        """Keep the bot and the membership helper shared with /profile."""
        super().__init__(bot)
        self.memberships = memberships
        # Kept under these names for /mydata until it erases through the member-data registry.
        self.roles = memberships.roles
        self.twin_threads = memberships.twin_threads

    def member_data(self) -> MemberDataHolder:
        """City memberships, with their roles and twin threads."""
        return CityData(self.bot.repos.cities, self.memberships, self._member_lang)

    async def _member_lang(self, member: discord.Member) -> Lang:
        """The language of notes to a member outside an interaction (their erasure)."""
        return await self.bot.languages.for_member(member.guild.id, member.id)

    @city.command(name="add", description=N_("Register a city (moderators)"))
    @app_commands.describe(
        name=N_("The city's name, as people write it"),
        country=N_("ISO 3166 code (such as FR) or name of the country"),
        mission_city=N_("Whether it is one of the EU mission's climate-neutral cities"),
    )
    @moderator_only()
    async def city_add(
        self, interaction: discord.Interaction[Any], name: str, country: str, mission_city: bool = False
    ) -> None:
        """Register a city after checking its name and country."""
        guild_id = require_guild(interaction).guild.id
        t = await self.bot.languages.for_interaction(interaction)
        try:
            clean = validate_city_name(require_visible(name, N_("city name")))
        except CityNameError as exc:
            # Translators: {name} is the name typed, {problem} why it cannot be a city name.
            raise ValidationError("{name}: {problem}.", name=quote_input(name), problem=exc.text) from None
        code = resolve_country(country, t)
        if code is None:
            raise unknown_country(t, country)
        try:
            city = await self.bot.repos.cities.add(
                guild_id, clean, code, mission_city=mission_city, created_by=interaction.user.id
            )
        except DuplicateCityError as exc:
            raise ValidationError(
                "{city} is already registered (names are compared without case); see `/city info`.",
                city=bold(exc.existing.name),
            ) from None
        log.info("guild %s: city %s (%s) added by %s", guild_id, city.id, code, interaction.user.id)
        params = {"city": f"**{escape_markdown(city.name)}**", "country": country_name(code, t)}
        if city.mission_city:
            text = t._(
                "Registered {city} ({country}) as an EU mission city. Members can now `/city join` it.",
                **params,
            )
        else:
            text = t._("Registered {city} ({country}) as a city. Members can now `/city join` it.", **params)
        await interaction.response.send_message(text, ephemeral=True)

    @city.command(name="list", description=N_("List the registered cities"))
    @app_commands.describe(country=N_("Only cities of this country (ISO code or name)"))
    async def city_list(self, interaction: discord.Interaction[Any], country: str | None = None) -> None:
        """Show the first page of the register, optionally of one country."""
        guild_id = require_guild(interaction).guild.id
        t = await self.bot.languages.for_interaction(interaction)
        code = None
        if country:
            code = resolve_country(country, t)
            if code is None:
                raise unknown_country(t, country)
        await send_list(interaction, await self.city_page(guild_id, code, 0, t))

    async def city_page(self, guild_id: int, country: str | None, page: int, t: Lang) -> ListPage:
        """One page of the city register in language t, with buttons to the neighbouring pages."""
        cities, total = await self._page(guild_id, country, max(page, 0))
        number, pages = clamp_page(page, total, CITY_PAGE_SIZE)
        if number != page:
            cities, total = await self._page(guild_id, country, number)
        counts = await self.bot.repos.cities.member_counts(c.id for c in cities)
        view = pager(
            lambda p, _direction, label, disabled: CityPageButton(p, country or ANY, label, disabled),
            number,
            pages,
            t,
        )
        return city_list_embed(t, cities, counts, country, number, pages, total), view

    async def _page(self, guild_id: int, country: str | None, page: int) -> tuple[list[City], int]:
        """Read one page of the register and how many cities it holds in all."""
        return await self.bot.repos.cities.page(
            guild_id, country=country, offset=page * CITY_PAGE_SIZE, limit=CITY_PAGE_SIZE
        )

    @city.command(name="info", description=N_("Members, exchanges, lessons and twins of a city"))
    @app_commands.describe(name=N_("The city"))
    @app_commands.autocomplete(name=city_autocomplete)
    async def city_info(self, interaction: discord.Interaction[Any], name: str) -> None:
        """Show one city."""
        guild_id = require_guild(interaction).guild.id
        city = await resolve_city(self.bot.repos.cities, guild_id, name)
        members = await self.bot.repos.cities.members(city.id)
        activity = await self.bot.repos.exchanges.city_activity(city.id)
        twins = []
        for twin in await self.bot.repos.twins.of_city(city.id):
            other_id = twin.city_b_id if twin.city_a_id == city.id else twin.city_a_id
            other = await self.bot.repos.cities.get(other_id)
            if other is not None:
                twins.append((other.name, thread_link(guild_id, twin.thread_id)))
        t = await self.bot.languages.for_interaction(interaction)
        embed = city_embed(t, city, members, activity, twins)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @city.command(name="join", description=N_("Say you belong to a city (you can belong to several)"))
    @app_commands.describe(name=N_("The city"))
    @app_commands.autocomplete(name=city_autocomplete)
    async def city_join(self, interaction: discord.Interaction[Any], name: str) -> None:
        """Record the membership, give the city's role and add the member to the city's twin threads."""
        member = require_guild(interaction)
        city = await resolve_city(self.bot.repos.cities, member.guild.id, name)
        # Creating a role and adding someone to threads can take longer than Discord's 3 seconds.
        await interaction.response.defer(ephemeral=True, thinking=True)
        joined, notes = await self.memberships.join(member, city)
        t = await self.bot.languages.for_interaction(interaction)
        bold = f"**{escape_markdown(city.name)}**"
        head = (
            t._("You joined {city}.", city=bold)
            if joined
            else t._("You already belong to {city}.", city=bold)
        )
        await interaction.followup.send(" ".join([head, *(t.render(n) for n in notes)]), ephemeral=True)

    @city.command(name="leave", description=N_("Stop belonging to a city"))
    @app_commands.describe(name=N_("One of your cities"))
    @app_commands.autocomplete(name=my_city_autocomplete)
    async def city_leave(self, interaction: discord.Interaction[Any], name: str) -> None:
        """Remove the membership, the role and access to the city's twin threads."""
        member = require_guild(interaction)
        city = await resolve_city(self.bot.repos.cities, member.guild.id, name)
        if not await self.bot.repos.cities.is_member(city.id, member.id):
            raise NotFoundError("You do not belong to {city}; see `/profile show`.", city=bold(city.name))
        await interaction.response.defer(ephemeral=True, thinking=True)
        notes = await self.memberships.leave(member, city)
        t = await self.bot.languages.for_interaction(interaction)
        head = t._("You left {city}.", city=bold(city.name))
        await interaction.followup.send(" ".join([head, *(t.render(n) for n in notes)]), ephemeral=True)


def unknown_country(t: Lang, typed: str) -> ValidationError:
    """The refusal of a country that is neither a code nor a name I know, with close names."""
    hints = suggest_countries(typed, t=t)
    if hints:
        return ValidationError(
            "{typed} is not a country I know. Did you mean {hints}? Use a two-letter ISO 3166 code such as "
            "`FR` or a country's name.",
            typed=quote_input(typed),
            hints=", ".join(hints),
        )
    return ValidationError(
        "{typed} is not a country I know. Use a two-letter ISO 3166 code such as `FR` or a country's name.",
        typed=quote_input(typed),
    )
