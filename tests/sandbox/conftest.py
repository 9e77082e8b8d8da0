"""Fixtures for the emulator's own tests: a populated guild and a running sample bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from sandbox.emulator import Emulator
from sandbox.guild import Guild
from sandbox.state import Channel, Member, Role
from tests.sandbox.fixtures import DiscordLogWatch, discord_log, emulator, running  # noqa: F401
from tests.sandbox.sample_bot import SampleBot


@dataclass
class Env:
    """A guild with channels, roles and people, and the sample bot connected to it."""

    emu: Emulator
    guild: Guild
    general: Channel
    announcements: Channel
    forum: Channel
    mods: Role
    alice: Member
    maria: Member
    ada: Member
    bot: SampleBot


def populate(emu: Emulator) -> dict[str, object]:
    """Create the test guild and return its parts."""
    guild = emu.add_guild("Mission Cities")
    mods = guild.add_role("Moderators", permissions=1 << 5)  # Manage Server
    return {
        "guild": guild,
        "general": guild.add_text_channel("general"),
        "announcements": guild.add_text_channel("announcements", topic="news"),
        "forum": guild.add_forum_channel("exchange", tags=["energy", "mobility"]),
        "mods": mods,
        "alice": guild.add_member("alice"),
        "maria": guild.add_member("maria", roles=[mods]),
        "ada": guild.add_member("ada", administrator=True),
    }


@pytest.fixture
async def env(emulator: Emulator, discord_log: DiscordLogWatch) -> AsyncIterator[Env]:  # noqa: F811
    """Yield a populated guild with the sample bot connected and its commands synced."""
    parts = populate(emulator)
    bot = SampleBot()
    async with running(bot, emulator):
        await emulator.wait_for_commands(None, {"setup", "calls", "poll"})
        yield Env(emu=emulator, bot=bot, **parts)  # type: ignore[arg-type]
