"""A test-only extension: a command that fails unexpectedly and one behind the moderator check."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.guards import moderator_only


class Faulty(commands.Cog):
    """Commands that exercise the shared services: the error handler and the moderator check."""

    @app_commands.command(name="boom", description="Fails with an unexpected error")
    async def boom(self, interaction: discord.Interaction[Any]) -> None:
        """Raise an error no handler expects."""
        raise RuntimeError("the flux capacitor is empty")

    @app_commands.command(name="modcheck", description="Answers only moderators")
    @app_commands.guild_only()
    @moderator_only()
    async def modcheck(self, interaction: discord.Interaction[Any]) -> None:
        """Confirm that the member passed the moderator check."""
        await interaction.response.send_message("moderator ok", ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    """Add the faulty cog."""
    await bot.add_cog(Faulty())
