"""Finding the cities members name in commands, with suggestions and autocomplete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.citynames import closest_names, complete_last, split_city_list
from bot.errors import NotFoundError
from bot.i18n import Lang
from cogs.exchange.rules import check_city_count, unknown_city_message
from storage.cities import CitiesRepository, City, city_key

if TYPE_CHECKING:
    from bot.client import ClimaBot

MAX_CHOICES = 25
CHOICE_LIMIT = 100


async def resolve_city(cities: CitiesRepository, guild_id: int, typed: str) -> City:
    """Return the registered city with this name, or raise NotFoundError suggesting close names."""
    city = await cities.find(guild_id, typed)
    if city is not None:
        return city
    known = [c.name for c in await cities.all(guild_id)]
    problem = unknown_city_message(typed, closest_names(typed, known))
    raise NotFoundError(problem)


async def resolve_city_list(
    cities: CitiesRepository, guild_id: int, typed: str, limit: int, t: Lang
) -> list[City]:
    """Return the cities of a comma-separated list (at most `limit`); unknown names raise one error.

    The error lists up to three unknown names, one line each, already in the member's language t.
    """
    names = split_city_list(typed)
    check_city_count(names, limit)
    found: list[City] = []
    unknown: list[str] = []
    for name in names:
        city = await cities.find(guild_id, name)
        if city is None:
            unknown.append(name)
        else:
            found.append(city)
    if unknown:
        known = [c.name for c in await cities.all(guild_id)]
        problems = [unknown_city_message(name, closest_names(name, known)) for name in unknown[:3]]
        if len(problems) == 1:
            raise NotFoundError(problems[0])
        # Several sentences, one a line: rendered here; the error handler's lookup leaves them as they are.
        lines = "\n".join(t.render(problem) for problem in problems)
        raise NotFoundError(lines)
    return found


def _bot(interaction: discord.Interaction[Any]) -> ClimaBot:
    """Return the bot an interaction reached."""
    return interaction.client


async def city_autocomplete(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Offer registered cities whose name contains what the member typed."""
    if interaction.guild_id is None:
        return []
    cities = await _bot(interaction).repos.cities.complete(interaction.guild_id, current, limit=MAX_CHOICES)
    return [app_commands.Choice(name=f"{c.name} ({c.country})", value=c.name) for c in cities]


async def my_city_autocomplete(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Offer the cities the member belongs to (for /city leave)."""
    if interaction.guild_id is None:
        return []
    mine = await _bot(interaction).repos.cities.cities_of(interaction.guild_id, interaction.user.id)
    key = city_key(current)
    return [app_commands.Choice(name=c.name, value=c.name) for c in mine if key in city_key(c.name)][
        :MAX_CHOICES
    ]


async def city_list_autocomplete(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """Complete the last name of a comma-separated list of cities."""
    if interaction.guild_id is None:
        return []
    done, fragment = complete_last(current)
    chosen = {city_key(n) for n in split_city_list(done)}
    cities = await _bot(interaction).repos.cities.complete(interaction.guild_id, fragment, limit=MAX_CHOICES)
    choices = []
    for city in cities:
        if city_key(city.name) in chosen:
            continue
        value = f"{done}, {city.name}" if done else city.name
        if len(value) <= CHOICE_LIMIT:
            choices.append(app_commands.Choice(name=value, value=value))
    return choices
