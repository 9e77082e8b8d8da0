"""Saving the emulated Discord to a folder and loading it back: ids, channels and messages survive."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import discord
import pytest

from sandbox import persist
from sandbox.emulator import Emulator
from sandbox.state import ScheduledEvent
from tests.sandbox.conftest import Env
from tests.sandbox.fixtures import DiscordLogWatch, running
from tests.sandbox.sample_bot import SampleBot

PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def _fill(env: Env) -> dict[str, int]:
    """Give the world what a sandbox accumulates: uploads, a forum post with tags, a DM, an event, an edit."""
    emu, guild = env.emu, env.guild
    photo = emu.upload("bike lane.png", PHOTO)
    said = emu.post_message(env.alice, env.general, "our new bike lane", attachments=[photo])
    emu.edit_message(said, "our new bike lane (before and after)")
    said.reactions["👍"] = {env.maria.id, env.ada.id}
    thread, starter = emu.post_forum_thread(
        env.maria, env.forum, "Heat pumps in old buildings?", "Who has tried it?", tags=["energy"]
    )
    dm = emu.dm_bot(env.alice, "hello bot")
    event = ScheduledEvent(
        emu.world.ids.next(), guild.id, "Webinar", "2026-12-24T10:00:00+00:00", 3, creator_id=env.ada.id
    )
    event.entity_metadata = {"location": "https://meet.example.org/cities"}
    event.interested_ids.add(env.alice.id)
    guild.events[event.id] = event
    return {"said": said.id, "thread": thread.id, "starter": starter.id, "dm": dm.id, "event": event.id}


def _names(folder: Path) -> set[str]:
    """Return the names of every file under folder."""
    return {p.name for p in folder.rglob("*")}


async def test_a_saved_world_loads_back_identical(env: Env, tmp_path: Path) -> None:
    """save -> load into a fresh emulator gives the same data, with file bytes and forum tags."""
    ids = _fill(env)
    it = await env.emu.slash(env.guild, env.alice, "say", text="from the bot", chart=True)
    await it.reply()
    persist.save(env.emu, tmp_path)

    fresh = Emulator()
    assert persist.load(fresh, tmp_path)
    saved, loaded = persist.dump_world(env.emu), persist.dump_world(fresh)
    # The fresh emulator made ids of its own before loading, so its generator may be further on.
    assert loaded["world"].pop("last_id") >= saved["world"].pop("last_id")
    assert loaded == saved

    world = fresh.world
    assert world.application_id == env.emu.world.application_id
    assert fresh.token != env.emu.token and fresh.gateway.token == fresh.token
    said = world.messages[ids["said"]]
    assert said.content == "our new bike lane (before and after)" and said.edited and said.history
    assert said.author is world.users[env.alice.id]
    assert [(f.filename, f.data) for f in said.attachments] == [("bike lane.png", PHOTO)]
    assert said.attachments[0] is world.files[said.attachments[0].id]
    assert said.reactions == {"👍": {env.maria.id, env.ada.id}}
    thread = world.channels[ids["thread"]]
    forum = world.channels[env.forum.id]
    assert thread.applied_tags == [forum.tag("energy")] and thread.parent_id == forum.id
    assert [m.id for m in fresh.messages_in(thread)] == [ids["starter"]]
    guild = world.guilds[env.guild.id]
    assert guild.channels[thread.id] is thread and guild.members[env.maria.id].guild is guild
    assert guild.member(env.maria).roles == [guild.role("Moderators")]
    assert guild.bot_role is guild.roles[env.guild.bot_role.id]
    assert guild.events[ids["event"]].interested_ids == {env.alice.id}
    assert world.messages[ids["dm"]].channel_id == fresh.dm_channel_of(world.users[env.alice.id]).id
    chart = next(m for m in fresh.messages_in(env.general) if m.author.bot)
    assert chart.attachments[0].filename == "chart.png" and chart.attachments[0].data.startswith(b"\x89PNG")
    assert {c["name"] for c in fresh.commands(None)} >= {"say", "setup"}
    # Ephemeral replies are not kept (Discord's client forgets them on reload too).
    assert all(not m.ephemeral for m in world.messages.values())
    # New ids continue after the saved ones, even if the clock went backwards.
    assert world.ids.next() > max([*env.emu.world.messages, *env.emu.world.channels, *env.emu.world.users])


async def test_a_loaded_world_is_what_a_bot_sees_after_a_restart(
    env: Env, tmp_path: Path, discord_log: DiscordLogWatch
) -> None:
    """A discord.py client connecting to the reloaded emulator finds the channels, the post and the file."""
    ids = _fill(env)
    persist.save(env.emu, tmp_path)
    async with Emulator() as fresh:
        persist.load(fresh, tmp_path)  # loading after start would also work; the sandbox loads first
        bot = SampleBot()
        async with running(bot, fresh):
            guild = bot.get_guild(env.guild.id)
            assert guild is not None
            assert {c.name for c in guild.channels} >= {"general", "announcements", "exchange"}
            general = guild.get_channel(env.general.id)
            assert isinstance(general, discord.TextChannel)
            said = await general.fetch_message(ids["said"])
            assert said.content.endswith("(before and after)")
            assert await said.attachments[0].read() == PHOTO
            thread = await guild.fetch_channel(ids["thread"])
            assert isinstance(thread, discord.Thread) and thread.name == "Heat pumps in old buildings?"
            assert [t.name for t in thread.applied_tags] == ["energy"]
        assert not fresh.violations and not fresh.unknown_routes


def test_nothing_saved_loads_nothing_and_a_damaged_file_is_one_line(tmp_path: Path) -> None:
    """An empty folder is a new sandbox; unreadable state names the file and the way out."""
    assert persist.load(Emulator(), tmp_path) is False
    (tmp_path / persist.STATE_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(persist.PersistError) as caught:
        persist.load(Emulator(), tmp_path)
    message = str(caught.value)
    assert str(tmp_path / persist.STATE_FILE) in message and "\n" not in message
    assert "move the folder away" in message


async def test_a_missing_upload_is_reported(env: Env, tmp_path: Path) -> None:
    """State that names a file whose bytes are gone is refused rather than loaded with a hole."""
    _fill(env)
    persist.save(env.emu, tmp_path)
    for blob in (tmp_path / persist.FILES_DIR).iterdir():
        blob.unlink()
    with pytest.raises(persist.PersistError, match="No such file"):
        persist.load(Emulator(), tmp_path)


async def test_writes_are_atomic_and_files_written_once(env: Env, tmp_path: Path) -> None:
    """No temporary file is left behind; an uploaded file is written once, not at every save."""
    _fill(env)
    persist.save(env.emu, tmp_path)
    blob = next((tmp_path / persist.FILES_DIR).iterdir())
    before = blob.stat().st_mtime_ns
    env.emu.post_message(env.alice, env.general, "one more")
    persist.save(env.emu, tmp_path)
    assert blob.stat().st_mtime_ns == before
    assert not any(n.endswith(".tmp") for n in _names(tmp_path))
    saved = json.loads((tmp_path / persist.STATE_FILE).read_text(encoding="utf-8"))
    assert any(m["content"] == "one more" for m in saved["messages"])


async def test_autosaver_saves_at_most_once_per_interval_and_at_stop(env: Env, tmp_path: Path) -> None:
    """Many changes within one interval make one save; an unchanged world is not written again."""
    saver = persist.Autosaver(env.emu, tmp_path, interval=0.2)
    saver.start()
    for n in range(20):
        env.emu.post_message(env.alice, env.general, f"message {n}")
    await asyncio.sleep(0.5)
    assert saver.saves == 1
    await asyncio.sleep(0.3)
    assert saver.saves == 1, "nothing changed, nothing written"
    env.emu.post_message(env.alice, env.general, "last words")
    await saver.stop()
    assert saver.saves == 2
    fresh = Emulator()
    persist.load(fresh, tmp_path)
    assert fresh.messages_in(fresh.world.channels[env.general.id])[-1].content == "last words"
