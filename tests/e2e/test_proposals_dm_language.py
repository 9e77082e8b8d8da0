"""The "stop these messages" button under a proposal DM answers in the language the member CHOSE in that
server, not their client's locale (the click comes from a DM, without a server)."""

from __future__ import annotations

from bot.i18n import Catalogs
from sandbox.emulator import Emulator
from tests.e2e.harness import BotHarness, Town
from tests.e2e.test_proposals_journey import FORM, answer, posts_in, setup_forum, submit

STOPPED = "You will get no more messages about proposals from this server."


async def test_stop_button_answers_in_the_chosen_language(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    emu, guild = emulator, town.guild
    german = Catalogs().lang("de")
    assert german._(STOPPED) != STOPPED, "the German catalog translates the reply"
    forum = await setup_forum(emu, town)
    greta = guild.add_member("greta")  # her Discord speaks en-US, but she chose German here
    assert harness.bot is not None
    await harness.bot.languages.choose(guild.id, greta.id, "de")
    await submit(emu, town, town.member, FORM)
    [post] = posts_in(town, forum)
    await emu.click(guild, greta, emu.messages_in(post)[0], "proposals:support:1")
    await answer(emu, town, town.moderator, "proposal answer", id=1, status="accepted", reason="Budget 2027.")
    dm = await emu.wait_for_message(emu.dm_channel_of(greta), lambda m: "Budget 2027." in m.content)
    stopped = await (await emu.click(None, greta, dm, f"proposals:stop:{guild.id}")).reply()
    assert stopped.content == german._(STOPPED)
