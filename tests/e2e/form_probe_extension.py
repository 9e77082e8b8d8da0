"""A test-only capability that opens shared-layer forms, to test bot.forms through the emulator."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, ClassVar

import discord
from discord import app_commands

from bot.cog_base import ClimaCog
from bot.errors import ValidationError
from bot.forms import Form, Submission
from bot.i18n import Lang
from bot.text import require_visible
from tests.e2e.probe_store import SAVED


class NoteForm(Form):
    """A one-field form about one item; the note "bad" is refused so the member can fix it."""

    kind = "probe:note"
    cog_name = "Probe"
    labels: ClassVar[dict[str, str]] = {"note": "Your note"}

    def build(self, state: Mapping[str, Any], typed: Mapping[str, Any], t: Lang) -> discord.ui.Modal:
        """One text field, prefilled after a refusal."""
        modal = discord.ui.Modal(title=f"Note on item {state['item']}")
        field: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="note", max_length=4000, default=typed.get("note") or None
        )
        modal.add_item(discord.ui.Label(text="Your note", component=field))
        return modal

    async def submit(
        self,
        interaction: discord.Interaction[Any],
        handler: Probe,
        state: Mapping[str, Any],
        sent: Submission,
    ) -> None:
        """Refuse "bad" and invisible notes; otherwise answer with the item and the note."""
        note = require_visible(sent.text("note"), "note")
        if note == "bad":
            raise ValidationError("A note cannot be just 'bad'.")
        SAVED.append((interaction.user.id, int(state["item"]), note))
        await interaction.response.send_message(
            f"Saved note for item {state['item']}: {note}", ephemeral=True
        )


class QuickForm(NoteForm):
    """The same form with a lifetime of one second, to test expiry."""

    kind = "probe:quick"
    lifetime = timedelta(seconds=1)


class ModeratorForm(NoteForm):
    """The same form, for moderators only."""

    kind = "probe:mod"
    moderators_only = True


class Probe(ClimaCog, name="Probe"):
    """Commands that open the probe forms."""

    def forms(self) -> tuple[Form, ...]:
        """The probe's forms."""
        return (NoteForm(), QuickForm(), ModeratorForm())

    @app_commands.command(name="probe", description="Opens a probe form")
    @app_commands.describe(item="Which item", kind="note, quick or mod")
    async def probe(self, interaction: discord.Interaction[Any], item: int, kind: str = "note") -> None:
        """Open the chosen form for an item."""
        form = {f.kind: f for f in self.forms()}[f"probe:{kind}"]
        await self.bot.forms.open(interaction, form, {"item": item})


async def setup(bot: Any) -> None:
    """Load the probe."""
    await bot.add_cog(Probe(bot))
