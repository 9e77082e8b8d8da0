"""A test-only capability whose buttons and form fail or work on purpose, to test metrics outcomes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.components import PersistentButton, persistent_view
from bot.forms import Form, Submission
from bot.i18n import Lang

COG = "MetricsProbe"


class BoomButton(PersistentButton, cog=COG, prefix="metricsprobe:boom", fields={"thing": int}):
    """A button whose click fails with an unexpected error."""

    thing: int

    def __init__(self, thing: int) -> None:
        """Build the button for an item."""
        super().__init__(thing, label="Boom")

    async def clicked(self, interaction: discord.Interaction[Any], handler: Any) -> None:
        """Fail as a bug would."""
        raise RuntimeError("the probe button broke")


class FineButton(PersistentButton, cog=COG, prefix="metricsprobe:fine", fields={"thing": int}):
    """A button whose click simply answers."""

    thing: int

    def __init__(self, thing: int) -> None:
        """Build the button for an item."""
        super().__init__(thing, label="Fine")

    async def clicked(self, interaction: discord.Interaction[Any], handler: Any) -> None:
        """Answer privately."""
        await interaction.response.send_message(f"fine {self.thing}", ephemeral=True)


class BoomForm(Form):
    """A one-field form whose submission fails with an unexpected error."""

    kind = "metricsprobe:boom"
    cog_name = COG
    labels: ClassVar[dict[str, str]] = {"note": "Your note"}

    def build(self, state: Mapping[str, Any], typed: Mapping[str, Any], t: Lang) -> discord.ui.Modal:
        """One text field."""
        modal = discord.ui.Modal(title="Boom")
        field: discord.ui.TextInput[Any] = discord.ui.TextInput(custom_id="note", max_length=100)
        modal.add_item(discord.ui.Label(text="Your note", component=field))
        return modal

    async def submit(
        self, interaction: discord.Interaction[Any], handler: Any, state: Mapping[str, Any], sent: Submission
    ) -> None:
        """Fail as a bug would."""
        raise RuntimeError("the probe form broke")


class MetricsProbe(commands.Cog, name=COG):
    """/metricsprobe posts the probe buttons, opens the probe form, or fails as a bug would."""

    def __init__(self, bot: Any) -> None:
        """Keep the bot."""
        self.bot = bot

    @app_commands.command(name="metricsprobe", description="Posts probe buttons or opens the probe form")
    async def metricsprobe(
        self, interaction: discord.Interaction[Any], form: bool = False, crash: bool = False
    ) -> None:
        """Post the buttons in the channel, open the form, or (crash) raise an unexpected error."""
        if crash:
            raise RuntimeError("the probe command broke")
        if form:
            await self.bot.forms.open(interaction, BoomForm())
            return
        await interaction.response.send_message("probe", view=persistent_view(BoomButton(1), FineButton(1)))


async def setup(bot: commands.Bot) -> None:
    """Register the buttons and the form apart from the cog, so they outlive its removal (switched off)."""
    bot.add_dynamic_items(BoomButton, FineButton)
    bot.forms.register(BoomForm())  # type: ignore[attr-defined]
    await bot.add_cog(MetricsProbe(bot))
