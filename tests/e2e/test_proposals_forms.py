"""The /proposal submit form through the emulator (issue #10 rules for every form): two members in two
servers open it at the same time and send it in crossed order, each proposal lands on its own post in
its own server's proposals forum; a form sent after a restart completes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings
from sandbox.emulator import Emulator
from sandbox.interactions import InteractionRecord
from sandbox.state import Member
from tests.e2e.harness import BotHarness, Town, bot_settings, build_town, configure_town
from tests.e2e.test_proposals_journey import FORM, posts_in, setup_forum, tag_names


@pytest.fixture
def second_town(emulator: Emulator, town: Town) -> Town:
    """A second server using the same bot."""
    return build_town(emulator)


@pytest.fixture
async def settings(emulator: Emulator, town: Town, second_town: Town, tmp_path: Path) -> Settings:
    """Settings for a bot serving both towns, each configured."""
    configured = bot_settings(emulator, tmp_path, [town.guild.id, second_town.guild.id])
    await configure_town(configured, town)
    await configure_town(configured, second_town)
    return configured


async def open_form(emu: Emulator, town: Town, who: Member, theme: str) -> InteractionRecord:
    """Run /proposal submit and wait for the form."""
    it = await emu.slash(town.guild, who, "proposal submit", options={"theme": theme})
    modal = await it.wait_modal()
    assert modal["custom_id"].startswith("proposals:submit:")
    return it


async def test_two_members_in_two_servers_send_crossed_and_each_lands_in_its_own_forum(
    emulator: Emulator, town: Town, second_town: Town, harness: BotHarness
) -> None:
    """Same title in both servers, forms open at once, sent in crossed order: each post in its server."""
    emu = emulator
    forums = {
        town.guild.id: await setup_forum(emu, town),
        second_town.guild.id: await setup_forum(emu, second_town),
    }
    first = await open_form(emu, town, town.member, "energy")
    second = await open_form(emu, second_town, second_town.member, "mobility")
    assert first.modal is not None and second.modal is not None
    assert first.modal["custom_id"] != second.modal["custom_id"]
    # Crossed: the form opened second is sent first.
    sent_second = await emu.submit_modal(
        second_town.guild, second_town.member, second, {**FORM, "proposal": "Body from the second server."}
    )
    sent_first = await emu.submit_modal(
        town.guild, town.member, first, {**FORM, "proposal": "Body from the first server."}
    )
    reply_second, reply_first = await sent_second.reply(), await sent_first.reply()
    assert reply_first.ephemeral and "Your proposal #2 is posted" in reply_first.content
    assert reply_second.ephemeral and "Your proposal #1 is posted" in reply_second.content

    expected = {
        town.guild.id: (town, "first", "Energy", 2),
        second_town.guild.id: (second_town, "second", "Mobility", 1),
    }
    assert harness.bot is not None
    for guild_id, (where, name, tag, number) in expected.items():
        forum = forums[guild_id]
        [post] = posts_in(where, forum)
        assert post.name == FORM["title"] and tag_names(forum, post) == {tag, "Open"}
        starter = emu.messages_in(post)[0]
        assert f"Body from the {name} server." in starter.text and f"<@{where.member.id}>" in starter.content
        assert f"proposals:support:{number}" in str(starter.components)
        stored = await harness.bot.repos.proposals.get(number, guild_id=guild_id)
        assert stored is not None and (stored.author_id, stored.thread_id) == (where.member.id, post.id)
        assert stored.theme == tag.lower()
    # Each server sees only its own proposal.
    for where, number, other in ((town, 2, 1), (second_town, 1, 2)):
        shown = await (
            await emu.slash(where.guild, where.member, "proposal show", options={"id": number})
        ).reply()
        assert "Body from" in shown.text
        hidden = await (
            await emu.slash(where.guild, where.member, "proposal show", options={"id": other})
        ).reply()
        assert f"no proposal #{other}" in hidden.content


async def test_a_form_sent_after_a_restart_completes(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """The form's state (city, theme) is in the database: opened before a restart, posted after it."""
    emu = emulator
    forum = await setup_forum(emu, town)
    form = await open_form(emu, town, town.member, "buildings")
    await harness.restart()
    sent = await emu.submit_modal(town.guild, town.member, form, {**FORM, "title": "After the restart"})
    reply = await sent.reply()
    assert reply.ephemeral and "Your proposal #1 is posted" in reply.content
    [post] = posts_in(town, forum)
    assert post.name == "After the restart" and tag_names(forum, post) == {"Buildings", "Open"}
    assert f"<@{town.member.id}>" in emu.messages_in(post)[0].content
    # The same form cannot be used twice.
    again = await (await emu.submit_modal(town.guild, town.member, form, FORM)).reply()
    assert "posted" not in again.content and len(posts_in(town, forum)) == 1
