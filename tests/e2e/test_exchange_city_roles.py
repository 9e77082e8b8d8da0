"""City roles when Discord refuses to give or take one: the member is told which role and why."""

from __future__ import annotations

from typing import Any

from sandbox import perms
from sandbox.emulator import Emulator
from sandbox.state import Member, Message
from tests.e2e.harness import BotHarness, Town


async def answer(emu: Emulator, town: Town, who: Member, command: str, **options: Any) -> Message:
    """Run a slash command in the town and return the first message the person sees."""
    return await (await emu.slash(town.guild, who, command, options=options)).reply()


async def test_a_refused_role_change_is_a_note_and_the_membership_still_changes(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Without Manage Roles, joining keeps the membership and names the role; leaving does likewise."""
    emu, guild = emulator, town.guild
    added = await answer(emu, town, town.moderator, "city add", name="Lyon", country="FR", mission_city=True)
    assert "Registered" in added.content, added.content
    await answer(emu, town, town.moderator, "city join", name="Lyon")
    lyon = guild.role("Lyon")  # the role exists now; only giving and taking it will be refused
    guild.bot_role.permissions &= ~perms.MANAGE_ROLES

    joined = await answer(emu, town, town.member, "city join", name="Lyon")
    assert "You joined **Lyon**" in joined.content
    assert (
        f"I could not give you the <@&{lyon.id}> role. I need the Manage Roles permission" in joined.content
    )
    assert lyon.id not in guild.member(town.member).role_ids

    left = await answer(emu, town, town.moderator, "city leave", name="Lyon")
    assert "You left **Lyon**" in left.content
    assert f"I could not remove the <@&{lyon.id}> role. I need the Manage Roles permission" in left.content
    assert lyon.id in guild.member(town.moderator).role_ids
    assert harness.bot is not None
    city = await harness.bot.repos.cities.find(guild.id, "Lyon")
    assert city is not None and await harness.bot.repos.cities.members(city.id) == [town.member.id]
