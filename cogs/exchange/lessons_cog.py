"""The /lessons commands: full-text search over the lessons learned and the questions they answer."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.cog_base import ClimaCog
from bot.errors import ValidationError
from bot.guards import require_guild
from bot.i18n import N_
from bot.replies import quote_input
from bot.text import require_visible
from bot.themes import THEME_CHOICES
from cogs.exchange.lookup import city_autocomplete, resolve_city
from cogs.exchange.render import search_embed
from cogs.exchange.rules import escape_markdown
from storage.exchange_search import search_terms

SEARCH_RESULTS = 8


class LessonsCog(ClimaCog, name="Lessons"):
    """Search what cities learned from each other."""

    lessons = app_commands.Group(name="lessons", description=N_("Lessons learned by cities"), guild_only=True)

    @lessons.command(name="search", description=N_("Search lessons learned and questions"))
    @app_commands.describe(
        query=N_("Words to look for"),
        theme=N_("Only this theme"),
        city=N_("Only exchanges asked by or to this city"),
    )
    @app_commands.choices(theme=THEME_CHOICES)
    @app_commands.autocomplete(city=city_autocomplete)
    async def search(
        self,
        interaction: discord.Interaction[Any],
        query: str,
        theme: app_commands.Choice[str] | None = None,
        city: str | None = None,
    ) -> None:
        """Answer with the best-ranked lessons and questions, their snippets and links."""
        guild_id = require_guild(interaction).guild.id
        if not search_terms(require_visible(query, N_("search query"))):
            raise ValidationError("Type at least one word (letters or digits) to search for.")
        found = await resolve_city(self.bot.repos.cities, guild_id, city) if city else None
        hits = await self.bot.repos.exchanges.search(
            guild_id,
            query,
            theme=theme.value if theme else None,
            city_id=found.id if found else None,
            limit=SEARCH_RESULTS,
        )
        t = await self.bot.languages.for_interaction(interaction)
        if not hits:
            await interaction.response.send_message(
                t._(
                    "Nothing matches {query}. Try other words, or ask other cities with `/exchange ask`.",
                    query=quote_input(query),
                ),
                ephemeral=True,
            )
            return
        await interaction.response.send_message(
            embed=search_embed(t, escape_markdown(query), hits), ephemeral=True
        )
