"""Forms of the shared layer: bound to one member and one use, surviving restarts, never losing text."""

from __future__ import annotations

import asyncio

import pytest

from bot.settings import Settings
from sandbox.emulator import Emulator
from tests.e2e.harness import BotHarness, Town
from tests.e2e.probe_store import SAVED

PROBE = ("tests.e2e.form_probe_extension",)


@pytest.fixture
async def probe(emulator: Emulator, settings: Settings, discord_log, app_log):  # type: ignore[no-untyped-def]
    """A started ClimaBot with the probe capability loaded."""
    SAVED.clear()
    harness = BotHarness(emulator, settings, extra_extensions=PROBE)
    await harness.start()
    yield harness
    await harness.stop()


async def open_form(emulator: Emulator, town: Town, who, item: int, kind: str = "note"):  # type: ignore[no-untyped-def]
    """Run /probe as someone and wait for the form."""
    it = await emulator.slash(town.guild, who, "probe", item=item, kind=kind)
    await it.wait_modal()
    return it


async def test_two_members_forms_each_land_on_their_own_item(emulator: Emulator, town: Town, probe):  # type: ignore[no-untyped-def]
    """A and B open forms for different items at once; sent in reverse order, each lands on its own."""
    a, b = await asyncio.gather(
        open_form(emulator, town, town.member, 1), open_form(emulator, town, town.moderator, 2)
    )
    assert a.modal["custom_id"] != b.modal["custom_id"]
    reply_b = await (await emulator.submit_modal(town.guild, town.moderator, b, {"note": "from B"})).reply()
    reply_a = await (await emulator.submit_modal(town.guild, town.member, a, {"note": "from A"})).reply()
    assert reply_a.content == "Saved note for item 1: from A" and reply_a.ephemeral
    assert reply_b.content == "Saved note for item 2: from B"
    assert sorted(SAVED) == sorted([(town.member.id, 1, "from A"), (town.moderator.id, 2, "from B")])


async def test_a_form_sent_after_a_restart_completes(emulator: Emulator, town: Town, probe: BotHarness):
    """The state is in the database, so a form opened before a restart is completed after it."""
    it = await open_form(emulator, town, town.member, 7)
    await probe.restart()
    reply = await (await emulator.submit_modal(town.guild, town.member, it, {"note": "still here"})).reply()
    assert reply.content == "Saved note for item 7: still here"


async def test_a_form_is_used_once_and_a_second_send_gets_the_text_back(
    emulator: Emulator, town: Town, probe
):  # type: ignore[no-untyped-def]
    """Sending the same form twice saves once; the second answer hands back what was typed."""
    it = await open_form(emulator, town, town.member, 3)
    first = await (await emulator.submit_modal(town.guild, town.member, it, {"note": "once"})).reply()
    second = await (await emulator.submit_modal(town.guild, town.member, it, {"note": "twice"})).reply()
    assert first.content.startswith("Saved note")
    assert second.ephemeral and "nothing was saved" in second.content and "twice" in second.content
    assert [(town.member.id, 3, "once")] == SAVED


async def test_an_expired_form_hands_back_the_text(emulator: Emulator, town: Town, probe):  # type: ignore[no-untyped-def]
    """After its lifetime the form's state is gone: the member gets their words back, nothing is saved."""
    it = await open_form(emulator, town, town.member, 4, kind="quick")
    await asyncio.sleep(1.2)
    reply = await (await emulator.submit_modal(town.guild, town.member, it, {"note": "slow words"})).reply()
    assert "expired" in reply.content and "slow words" in reply.content
    assert SAVED == []


async def test_a_refused_form_can_be_fixed_and_sent_again_even_after_a_restart(
    emulator: Emulator, town: Town, probe: BotHarness
):
    """A refusal keeps the typed text behind a retry button that reopens the form, filled in."""
    it = await open_form(emulator, town, town.member, 5)
    refusal = await (await emulator.submit_modal(town.guild, town.member, it, {"note": "bad"})).reply()
    assert "cannot be just 'bad'" in refusal.content
    await probe.restart()
    (button,) = refusal.buttons()
    retry = await emulator.click(town.guild, town.member, refusal, button["custom_id"])
    modal = await retry.wait_modal()
    assert "bad" in str(modal), "the form reopens with what was typed"
    done = await (await emulator.submit_modal(town.guild, town.member, retry, {"note": "good"})).reply()
    assert done.content == "Saved note for item 5: good"
    assert [(town.member.id, 5, "good")] == SAVED


async def test_invisible_text_is_refused_and_nothing_is_saved(emulator: Emulator, town: Town, probe):  # type: ignore[no-untyped-def]
    """Zero-width characters alone are no note."""
    it = await open_form(emulator, town, town.member, 6)
    reply = await (
        await emulator.submit_modal(town.guild, town.member, it, {"note": "\u200b\u200b\u2060"})
    ).reply()
    assert "only invisible characters" in reply.content
    assert SAVED == []


async def test_a_form_whose_cog_is_gone_hands_back_the_text(
    emulator: Emulator, town: Town, probe: BotHarness
):
    """If the capability is unloaded between opening and sending, the member gets their text back."""
    it = await open_form(emulator, town, town.member, 8)
    assert probe.bot is not None
    await probe.bot.unload_extension(PROBE[0])
    reply = await (await emulator.submit_modal(town.guild, town.member, it, {"note": "kept"})).reply()
    assert "switched off" in reply.content and "kept" in reply.content


async def test_a_moderator_form_is_refused_to_members(emulator: Emulator, town: Town, probe):  # type: ignore[no-untyped-def]
    """Opening a moderators' form as a member is refused with the one wording; no form opens."""
    it = await emulator.slash(town.guild, town.member, "probe", item=9, kind="mod")
    reply = await it.reply()
    assert reply.ephemeral and "This is for moderators" in reply.content
    assert it.modal is None


async def test_long_text_is_handed_back_as_a_file(emulator: Emulator, town: Town, probe):  # type: ignore[no-untyped-def]
    """A hand-back longer than a message comes as a text file, so nothing is cut."""
    it = await open_form(emulator, town, town.member, 10, kind="quick")
    await asyncio.sleep(1.2)
    words = "x" * 1900 + " the end"
    reply = await (await emulator.submit_modal(town.guild, town.member, it, {"note": words})).reply()
    assert "attached file" in reply.content
    (attachment,) = reply.attachments
    assert words in attachment.data.decode()
