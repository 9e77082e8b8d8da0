"""Buttons, selects and modals (including Label-wrapped radio groups, checkboxes, selects and uploads)."""

from __future__ import annotations

import pytest

from sandbox.emulator import Emulator
from sandbox.interactions import CB_DEFER_UPDATE, CB_MODAL, CB_UPDATE, InteractionRecord
from sandbox.options import NotPossible
from tests.sandbox.conftest import Env, populate
from tests.sandbox.fixtures import DiscordLogWatch, running
from tests.sandbox.sample_bot import SampleBot


async def _poll(env: Env) -> object:
    """Post a poll as alice and return its message."""
    it = await env.emu.slash(env.guild, env.alice, "poll", question="Which measure first?")
    return await it.reply()


async def test_button_click_updates_the_message(env: Env) -> None:
    """A click answered with UPDATE_MESSAGE edits the poll; the old version is kept in history."""
    poll = await _poll(env)
    assert [b["custom_id"] for b in poll.buttons()] == ["poll:vote:1", "poll:close", "poll:feedback"]
    click = await env.emu.click(env.guild, env.maria, poll, "poll:vote:1")
    updated = await click.reply()
    assert updated is poll and poll.content == "votes: 1" and click.callback_type == CB_UPDATE
    assert poll.history[0]["content"] == "Which measure first?" and poll.edited
    click = await env.emu.click(env.guild, env.alice, poll, "poll:vote:1")
    await click.reply()
    assert poll.content == "votes: 2" and len(poll.history) == 2
    assert click.payload["message"]["id"] == str(poll.id)


async def test_deferred_update_then_edit_original(env: Env) -> None:
    """defer() on a button (type 6) then edit_original_response edits the poll and removes its buttons."""
    poll = await _poll(env)
    click = await env.emu.click(env.guild, env.maria, poll, "poll:close")
    assert await click.reply() is poll
    assert click.callback_type == CB_DEFER_UPDATE and [r.kind for r in click.responses] == [
        "callback",
        "edit_original",
    ]
    assert poll.content == "closed with 0 votes" and poll.components == []
    with pytest.raises(NotPossible, match="no component"):
        await env.emu.click(env.guild, env.alice, poll, "poll:vote:1")


async def test_select_reaches_the_callback(env: Env) -> None:
    """A string select sends the chosen value; the bot answers ephemerally."""
    poll = await _poll(env)
    it = await env.emu.select(env.guild, env.alice, poll, "poll:city", ["Lyon"])
    reply = await it.reply()
    assert reply.content == "city: Lyon" and reply.ephemeral
    with pytest.raises(NotPossible, match="not among the options"):
        await env.emu.select(env.guild, env.alice, poll, "poll:city", ["Paris"])
    with pytest.raises(NotPossible, match=r"allows 1\.\.1"):
        await env.emu.select(env.guild, env.alice, poll, "poll:city", ["Lyon", "Bologna"])
    with pytest.raises(NotPossible, match="no component"):
        await env.emu.click(env.guild, env.alice, poll, "poll:nothing")


async def test_modal_with_labels_round_trip(env: Env) -> None:
    """/feedback opens a modal; text, radio group, checkbox group and checkbox values reach on_submit."""
    it = await env.emu.slash(env.guild, env.alice, "feedback")
    modal = await it.wait_modal()
    assert it.callback_type == CB_MODAL and modal["custom_id"] == "feedback"
    assert [c["type"] for c in modal["components"]] == [1, 18, 18, 18]
    values = {"story": "We planted 300 trees", "mood": "good", "topics": ["energy"], "consent": True}
    submitted = await env.emu.submit_modal(env.guild, env.alice, it, values)
    reply = await submitted.reply()
    assert reply.ephemeral
    assert env.bot.seen["modal"] == ("We planted 300 trees", "good", ["energy"], True)


async def test_modal_with_file_upload_and_selects(env: Env) -> None:
    """Uploaded files, a string select and a role select in a modal reach discord.py with resolved data."""
    emu = env.emu
    it = await emu.slash(env.guild, env.alice, "photo")
    modal = await it.wait_modal()
    assert [c["component"]["type"] for c in modal["components"]] == [19, 3, 6]
    photos = [
        emu.upload("tree.gif", b"GIF89a\x01\x00\x01\x00tree"),
        emu.upload("bike.gif", b"GIF89a\x01\x00bike"),
    ]
    values = {"files": photos, "theme": ["energy"], "team": [env.mods]}
    reply = await (await emu.submit_modal(env.guild, env.alice, it, values)).reply()
    assert reply.content == "photos received"
    assert env.bot.seen["photo"] == ([("tree.gif", 14), ("bike.gif", 12)], ["energy"], ["Moderators"])
    with pytest.raises(NotPossible, match="'files' is required"):
        await emu.submit_modal(env.guild, env.alice, await _photo_form(env), {"theme": ["energy"]})


async def _photo_form(env: Env) -> InteractionRecord:
    """Open the photo modal once more and return the interaction it answered."""
    it = await env.emu.slash(env.guild, env.alice, "photo")
    await it.wait_modal()
    return it


async def test_modal_refuses_invalid_input(env: Env) -> None:
    """Missing required fields, unknown options or fields, and another user's submission raise."""
    emu = env.emu
    it = await emu.slash(env.guild, env.alice, "feedback")
    await it.wait_modal()
    with pytest.raises(NotPossible, match="'story' is required"):
        await emu.submit_modal(env.guild, env.alice, it, {"mood": "good"})
    with pytest.raises(NotPossible, match="not among"):
        await emu.submit_modal(env.guild, env.alice, it, {"story": "x", "mood": "meh"})
    with pytest.raises(NotPossible, match="no field"):
        await emu.submit_modal(env.guild, env.alice, it, {"story": "x", "mood": "good", "nope": 1})
    with pytest.raises(NotPossible, match="length 201"):
        await emu.submit_modal(env.guild, env.alice, it, {"story": "x" * 201, "mood": "good"})
    with pytest.raises(NotPossible, match="only the person"):
        await emu.submit_modal(env.guild, env.maria, it, {"story": "x", "mood": "good"})
    with pytest.raises(AssertionError, match="with a modal"):
        await it.reply(timeout=1)


async def test_modal_opened_from_a_button(env: Env) -> None:
    """A button answered with a modal; the submission carries the original message."""
    poll = await _poll(env)
    click = await env.emu.click(env.guild, env.alice, poll, "poll:feedback")
    await click.wait_modal()
    values = {"story": "ok", "mood": "Bad"}
    submitted = await env.emu.submit_modal(env.guild, env.alice, click, values)
    await submitted.reply()
    assert submitted.payload["message"]["id"] == str(poll.id)
    assert env.bot.seen["modal"] == ("ok", "Bad", [], False)


async def test_persistent_view_survives_a_restart(emulator: Emulator, discord_log: DiscordLogWatch) -> None:
    """A button posted by one bot process still works after the bot restarts (new session)."""
    parts = populate(emulator)
    guild, alice = parts["guild"], parts["alice"]
    async with running(SampleBot(), emulator):
        it = await emulator.slash(guild, alice, "poll", question="Persist?")  # type: ignore[arg-type]
        poll = await it.reply()
    async with running(SampleBot(), emulator) as bot:
        click = await emulator.click(guild, alice, poll, "poll:vote:1")  # type: ignore[arg-type]
        await click.reply()
        assert poll.content == "votes: 1" and bot.votes == 1
    assert emulator.identify_count == 2 and emulator.resume_count == 0
