"""The /insights command: a moderator's private engagement report for the server, with one chart."""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import UTC, datetime
from typing import Any

import discord
from discord import app_commands

from bot.cog_base import ClimaCog
from bot.errors import ValidationError
from bot.guards import moderator_only, require_guild
from bot.i18n import N_
from cogs.insights.chart import render_insights_chart
from cogs.insights.render import build_embed, chart_data, chart_filename
from storage.insights import DEFAULT_DAYS, MAX_DAYS, MIN_DAYS

log = logging.getLogger(__name__)


class InsightsCog(ClimaCog, name="Insights"):
    """Engagement insight for moderators."""

    @app_commands.command(name="insights", description=N_("Engagement report for this server, with a chart"))
    @app_commands.guild_only()
    @app_commands.describe(days=N_("Days to look back, today included: 1 to 365 (default 30)"))
    @moderator_only()
    async def insights(self, interaction: discord.Interaction[Any], days: int = DEFAULT_DAYS) -> None:
        """Count the server's activity in the window, draw the chart and reply privately with both."""
        guild = require_guild(interaction).guild
        if not MIN_DAYS <= days <= MAX_DAYS:
            raise ValidationError(
                "`days` must be a whole number from {low} to {high} (you gave {days}); "
                "leave it out for the last {default} days.",
                low=MIN_DAYS,
                high=MAX_DAYS,
                days=days,
                default=DEFAULT_DAYS,
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        t = await self.bot.languages.for_interaction(interaction)
        report = await self.bot.repos.insights.report(guild.id, days=days, now=datetime.now(UTC))
        png = await asyncio.to_thread(render_insights_chart, t, chart_data(t, report))
        filename = chart_filename(report)
        await interaction.followup.send(
            embed=build_embed(t, report, guild.name, filename),
            file=discord.File(io.BytesIO(png), filename=filename),
            ephemeral=True,
        )
        log.info("guild %s: insights for %d days sent to %s", guild.id, days, interaction.user.id)
