"""The calls forms through the emulator: bound to one moderator, one use and one server (issue #10).

Two moderators (and two servers) open the add, edit and schedule forms at the same time and send
them in crossed order; a form sent after a restart completes; a moderator who loses the role
between opening and sending is refused and nothing is stored.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.settings import Settings
from sandbox.emulator import Emulator
from sandbox.interactions import InteractionRecord
from sandbox.state import Member
from tests.e2e.harness import BotHarness, Town, bot_settings, build_town, configure_town


def later(days: int) -> str:
    """A date `days` from now, as a moderator types it."""
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%d")


async def import_calls(emu: Emulator, town: Town, *identifiers: str) -> None:
    """Register calls in a town through `/calls import`."""
    rows = [{"identifier": i, "title": f"Original {i}", "deadline": later(60)} for i in identifiers]
    upload = emu.upload("calls.json", json.dumps(rows).encode(), "application/json")
    reply = await (await emu.slash(town.guild, town.moderator, "calls import", file=upload)).reply(timeout=10)
    assert f"{len(identifiers)} added" in reply.content, reply.content


async def open_edit(emu: Emulator, town: Town, who: Member, identifier: str) -> InteractionRecord:
    """Run `/calls edit` and wait for the form."""
    it = await emu.slash(town.guild, who, "calls edit", identifier=identifier)
    await it.wait_modal()
    return it


async def title_of(harness: BotHarness, guild_id: int, identifier: str) -> str:
    """A stored call's title."""
    assert harness.bot is not None
    call = await harness.bot.repos.calls.get(guild_id, identifier)
    assert call is not None
    return call.title


async def test_two_moderators_edit_two_calls_at_once_each_edit_lands_on_its_call(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """A opens the form for X, B for Y, A sends, then B: X gets A's title, Y gets B's."""
    bruno = town.guild.add_member("bruno", roles=[town.moderators])
    await import_calls(emulator, town, "LIFE-2027-X", "LIFE-2027-Y")
    form_a = await open_edit(emulator, town, town.moderator, "LIFE-2027-X")
    form_b = await open_edit(emulator, town, bruno, "LIFE-2027-Y")
    assert form_a.modal is not None and form_b.modal is not None
    assert form_a.modal["custom_id"] != form_b.modal["custom_id"]
    sent_a = await emulator.submit_modal(town.guild, town.moderator, form_a, {"title": "Title from A"})
    reply_a = await sent_a.reply()
    sent_b = await emulator.submit_modal(town.guild, bruno, form_b, {"title": "Title from B"})
    reply_b = await sent_b.reply()
    assert "Updated `LIFE-2027-X`" in reply_a.content and reply_a.ephemeral
    assert "Updated `LIFE-2027-Y`" in reply_b.content
    assert await title_of(harness, town.guild.id, "LIFE-2027-X") == "Title from A"
    assert await title_of(harness, town.guild.id, "LIFE-2027-Y") == "Title from B"


async def test_two_moderators_add_calls_at_once_each_gets_their_own_programme_and_tags(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """The slash options of `/calls add` (programme, tags) stay with the form they were given to."""
    bruno = town.guild.add_member("bruno", roles=[town.moderators])
    form_a = await emulator.slash(town.guild, town.moderator, "calls add", programme="life", tags="water")
    await form_a.wait_modal()
    form_b = await emulator.slash(town.guild, bruno, "calls add", programme="dut", tags="energy, heat")
    await form_b.wait_modal()
    fields = {"title": "A call", "deadline": later(40), "link": "", "summary": ""}
    reply_b = await (
        await emulator.submit_modal(town.guild, bruno, form_b, {**fields, "identifier": "CALL-B"})
    ).reply()
    reply_a = await (
        await emulator.submit_modal(town.guild, town.moderator, form_a, {**fields, "identifier": "CALL-A"})
    ).reply()
    assert "Registered `CALL-A`" in reply_a.content and "Registered `CALL-B`" in reply_b.content
    assert harness.bot is not None
    a = await harness.bot.repos.calls.get(town.guild.id, "CALL-A")
    b = await harness.bot.repos.calls.get(town.guild.id, "CALL-B")
    assert a is not None and b is not None
    assert (a.programme, a.tags, a.created_by) == ("life", ("water",), town.moderator.id)
    assert (b.programme, b.tags, b.created_by) == ("dut", ("energy", "heat"), bruno.id)


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


async def test_edits_in_two_servers_at_once_land_in_their_own_server(
    emulator: Emulator, town: Town, second_town: Town, harness: BotHarness
) -> None:
    """A moderator in each server edits a call there at the same time; each edit stays in its server."""
    await import_calls(emulator, town, "EUI-2027-1")
    await import_calls(emulator, second_town, "EUI-2027-2")
    form_a = await open_edit(emulator, town, town.moderator, "EUI-2027-1")
    form_b = await open_edit(emulator, second_town, second_town.moderator, "EUI-2027-2")
    reply_a = await (
        await emulator.submit_modal(town.guild, town.moderator, form_a, {"title": "First server"})
    ).reply()
    reply_b = await (
        await emulator.submit_modal(second_town.guild, second_town.moderator, form_b, {"title": "Second"})
    ).reply()
    assert "Updated `EUI-2027-1`" in reply_a.content and "Updated `EUI-2027-2`" in reply_b.content
    assert await title_of(harness, town.guild.id, "EUI-2027-1") == "First server"
    assert await title_of(harness, second_town.guild.id, "EUI-2027-2") == "Second"


async def test_an_edit_form_sent_after_a_restart_completes(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """The form's state is in the database: opened before a restart, it is stored after it."""
    await import_calls(emulator, town, "DUT-2027-R")
    form = await open_edit(emulator, town, town.moderator, "DUT-2027-R")
    await harness.restart()
    sent = await emulator.submit_modal(town.guild, town.moderator, form, {"title": "After the restart"})
    assert "Updated `DUT-2027-R`" in (await sent.reply()).content
    assert await title_of(harness, town.guild.id, "DUT-2027-R") == "After the restart"


async def test_a_moderator_demoted_before_sending_is_refused_and_nothing_is_stored(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """The submitter is checked again when the form is sent, for both add and edit."""
    await import_calls(emulator, town, "LIFE-2027-D")
    edit = await open_edit(emulator, town, town.moderator, "LIFE-2027-D")
    add = await emulator.slash(town.guild, town.moderator, "calls add")
    await add.wait_modal()
    town.guild.take_role(town.moderator, town.moderators)
    refused = await (
        await emulator.submit_modal(town.guild, town.moderator, edit, {"title": "Demoted edit"})
    ).reply()
    assert refused.ephemeral and "This is for moderators" in refused.content
    # Sending again cannot help, so no retry button: the typed text comes back instead.
    assert "Demoted edit" in refused.content and not refused.components
    values = {"identifier": "LIFE-2027-NEW", "title": "New", "deadline": later(30), "link": "", "summary": ""}
    refused_add = await (await emulator.submit_modal(town.guild, town.moderator, add, values)).reply()
    assert "This is for moderators" in refused_add.content
    assert await title_of(harness, town.guild.id, "LIFE-2027-D") == "Original LIFE-2027-D"
    assert harness.bot is not None
    assert await harness.bot.repos.calls.get(town.guild.id, "LIFE-2027-NEW") is None


async def test_invisible_call_fields_are_refused_and_nothing_is_stored(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """A title, summary or tag of zero-width characters only is refused with a clear reason."""
    await import_calls(emulator, town, "LIFE-2027-Z")
    assert harness.bot is not None
    before = await harness.bot.repos.calls.get(town.guild.id, "LIFE-2027-Z")
    for field in ("title", "summary", "tags"):
        form = await open_edit(emulator, town, town.moderator, "LIFE-2027-Z")
        reply = await (
            await emulator.submit_modal(town.guild, town.moderator, form, {field: "\u200b\u200b\u200b"})
        ).reply()
        assert reply.ephemeral and "only invisible characters" in reply.content, (field, reply.content)
    after = await harness.bot.repos.calls.get(town.guild.id, "LIFE-2027-Z")
    assert before is not None and after == before


async def test_two_moderators_schedule_two_call_announcements_at_once(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """The "Schedule announcement" forms of two new calls, sent crossed, each stay with their call."""
    bruno = town.guild.add_member("bruno", roles=[town.moderators])
    confirmations = {}
    for who, identifier in ((town.moderator, "EUI-2027-A"), (bruno, "EUI-2027-B")):
        it = await emulator.slash(town.guild, who, "calls add")
        await it.wait_modal()
        values = {
            "identifier": identifier,
            "title": identifier,
            "deadline": later(50),
            "link": "",
            "summary": "",
        }
        confirmations[identifier] = await (await emulator.submit_modal(town.guild, who, it, values)).reply()
    assert harness.bot is not None
    calls = {i: await harness.bot.repos.calls.get(town.guild.id, i) for i in confirmations}
    opened = {}
    for who, identifier in ((town.moderator, "EUI-2027-A"), (bruno, "EUI-2027-B")):
        call = calls[identifier]
        assert call is not None
        opened[identifier] = await emulator.click(
            town.guild, who, confirmations[identifier], f"calls:schedule:{call.id}"
        )
        await opened[identifier].wait_modal()
    b = await emulator.submit_modal(
        town.guild, bruno, opened["EUI-2027-B"], {"when": "in 3h", "message": "B!"}
    )
    a = await emulator.submit_modal(
        town.guild, town.moderator, opened["EUI-2027-A"], {"when": "in 2h", "message": "A!"}
    )
    assert "of `EUI-2027-A`" in (await a.reply()).content and "of `EUI-2027-B`" in (await b.reply()).content
    pending = await harness.bot.repos.announcements.pending(town.guild.id, limit=-1)
    by_call = {item.call_id: (item.message, item.created_by) for item in pending}
    assert by_call == {
        calls["EUI-2027-A"].id: ("A!", town.moderator.id),  # type: ignore[union-attr]
        calls["EUI-2027-B"].id: ("B!", bruno.id),  # type: ignore[union-attr]
    }


async def test_add_and_schedule_forms_sent_after_a_restart_complete(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """The add form keeps its programme and tags across a restart; so does the schedule form its call."""
    add = await emulator.slash(town.guild, town.moderator, "calls add", programme="neb", tags="bauhaus")
    await add.wait_modal()
    first = await emulator.slash(town.guild, town.moderator, "calls add")
    await first.wait_modal()
    values = {"identifier": "EUI-2027-T", "title": "T", "deadline": later(20), "link": "", "summary": ""}
    confirmation = await (await emulator.submit_modal(town.guild, town.moderator, first, values)).reply()
    assert harness.bot is not None
    call = await harness.bot.repos.calls.get(town.guild.id, "EUI-2027-T")
    assert call is not None
    schedule = await emulator.click(town.guild, town.moderator, confirmation, f"calls:schedule:{call.id}")
    await schedule.wait_modal()
    bot = await harness.restart()
    values = {**values, "identifier": "NEB-2027-R", "title": "Restarted"}
    added = await (await emulator.submit_modal(town.guild, town.moderator, add, values)).reply()
    assert "Registered `NEB-2027-R`" in added.content
    stored = await bot.repos.calls.get(town.guild.id, "NEB-2027-R")
    assert stored is not None and (stored.programme, stored.tags) == ("neb", ("bauhaus",))
    scheduled = await (
        await emulator.submit_modal(town.guild, town.moderator, schedule, {"when": "in 5h"})
    ).reply()
    assert "of `EUI-2027-T`" in scheduled.content
    (item,) = await bot.repos.announcements.pending(town.guild.id, limit=-1)
    assert item.call_id == call.id
