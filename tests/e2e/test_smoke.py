"""Every loaded cog answers one everyday command end to end, through real discord.py and the emulator."""

from __future__ import annotations

from typing import Any

import pytest

from bot.client import discover_extensions
from sandbox.emulator import Emulator
from tests.e2e.harness import BotHarness, Town

# cog package -> (who runs it, command, options); each is something a person does on day one.
SMOKE: dict[str, tuple[str, str, dict[str, Any]]] = {
    "cogs.insights": ("moderator", "insights", {}),
    "cogs.mydata": ("member", "mydata export", {}),
    "cogs.setup": ("admin", "setup show", {}),
    "cogs.calls": ("member", "calls list", {}),
    "cogs.events": ("member", "event list", {}),
    "cogs.exchange": ("member", "city list", {}),
    "cogs.proposals": ("member", "proposal list", {}),
    "cogs.polls": ("member", "poll results", {"poll_id": 999}),
    "cogs.testimonials": ("member", "campaign list", {}),
}


def test_every_cog_has_a_smoke_command():
    """Every cog package has a smoke command listed here."""
    assert set(discover_extensions()) <= set(SMOKE), "add a smoke command for each new cog"


@pytest.mark.parametrize("extension", discover_extensions())
async def test_cog_answers(extension: str, emulator: Emulator, town: Town, harness: BotHarness):
    """Each loaded cog answers its everyday command through the emulator."""
    who, command, options = SMOKE[extension]
    it = await emulator.slash(town.guild, getattr(town, who), command, **options)
    reply = await it.reply()
    assert reply.text.strip(), f"/{command} answered with nothing"
