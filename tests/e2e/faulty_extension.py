"""A test-only extension with a command that fails unexpectedly, to exercise the error handler."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands


class Faulty(commands.Cog):
    """Commands that break on purpose."""

    @app_commands.command(name="boom", description="Fails with an unexpected error")
    async def boom(self, interaction: discord.Interaction[Any]) -> None:
        """Raise an error no handler expects."""
        raise RuntimeError("the flux capacitor is empty")


async def setup(bot: commands.Bot) -> None:
    """Add the faulty cog."""
    await bot.add_cog(Faulty())
