"""A test-only extension: a command that defers and answers after a pause, like /insights on a big server."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands


class Slow(commands.Cog):
    """One slow command."""

    @app_commands.command(name="slow", description="Answers after a pause")
    async def slow(self, interaction: discord.Interaction[Any], seconds: float = 1.0) -> None:
        """Defer, wait, then fill the deferral."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        await asyncio.sleep(seconds)
        await interaction.followup.send("done after the pause", ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    """Add the slow cog."""
    await bot.add_cog(Slow())
