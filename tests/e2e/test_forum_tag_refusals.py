"""A forum whose tags I may not edit: each capability says which permission is missing and posts nothing."""

from __future__ import annotations

from typing import Any

from sandbox import perms
from sandbox.emulator import Emulator
from sandbox.state import Member, Message
from tests.e2e.harness import BotHarness, Town

PROPOSAL: dict[str, Any] = {
    "title": "Trees on every school yard",
    "proposal": "Plant trees and remove asphalt in school yards.",
    "benefit": "Shade, cooler classrooms and rain water kept in the soil.",
    "licence": True,
}


async def answer(emu: Emulator, town: Town, who: Member, command: str, **options: Any) -> Message:
    """Run a slash command and return the first message the person sees."""
    return await (await emu.slash(town.guild, who, command, options=options)).reply()


async def test_without_manage_channels_no_tags_are_added_and_nothing_is_posted(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """The exchange and proposals forums refuse in their own words; no tag, post or row is made."""
    emu, guild = emulator, town.guild
    proposals = guild.add_forum_channel("proposals")
    chosen = await answer(emu, town, town.admin, "setup channels", proposals_forum=proposals)
    assert "proposals_forum" in chosen.content, chosen.content
    guild.bot_role.permissions &= ~perms.MANAGE_CHANNELS

    asked = await answer(emu, town, town.member, "exchange ask", title="Heat", question="q?", theme="energy")
    assert (
        f"I cannot add the theme tags to <#{town.exchange.id}>: I need the Manage Channels permission there"
        in asked.content
    ), asked.content

    it = await emu.slash(guild, town.member, "proposal submit", options={"theme": "energy"})
    await it.wait_modal()
    sent = await (await emu.submit_modal(guild, town.member, it, PROPOSAL)).reply()
    assert (
        f"I cannot add tags to <#{proposals.id}>: I need the Manage Channels permission there."
        in sent.content
    )

    assert town.exchange.available_tags == [] and proposals.available_tags == []
    assert guild.threads == []
    assert harness.bot is not None
    assert (await harness.bot.repos.exchanges.page(guild.id))[1] == 0
    assert await harness.bot.repos.proposals.by_id(1) is None
