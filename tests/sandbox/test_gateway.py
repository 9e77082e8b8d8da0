"""The gateway: login, READY and guild cache, chunking, raw protocol, RESUME after a drop."""

from __future__ import annotations

import asyncio
import json
import time
import zlib

import aiohttp
import discord

from sandbox.emulator import Emulator
from tests.sandbox.conftest import Env, populate
from tests.sandbox.fixtures import DiscordLogWatch, running
from tests.sandbox.sample_bot import SampleBot


async def test_ready_populates_the_guild_cache(env: Env) -> None:
    """discord.py sees the guild with its channels, forum tags, roles and members."""
    bot = env.bot
    guild = bot.get_guild(env.guild.id)
    assert guild is not None and guild.name == "Mission Cities"
    announcements = bot.get_channel(env.announcements.id)
    assert isinstance(announcements, discord.TextChannel) and announcements.topic == "news"
    forum = bot.get_channel(env.forum.id)
    assert isinstance(forum, discord.ForumChannel)
    assert [t.name for t in forum.available_tags] == ["energy", "mobility"]
    assert guild.get_role(env.mods.id) is not None and guild.get_role(env.mods.id).permissions.manage_guild
    maria = guild.get_member(env.maria.id)
    assert maria is not None and [r.name for r in maria.roles] == ["@everyone", "Moderators"]
    ada = guild.get_member(env.ada.id)
    assert ada is not None and ada.guild_permissions.administrator
    assert guild.me.id == env.emu.bot_user.id and bot.user.id == env.emu.application_id
    assert guild.owner_id == env.guild.owner_id
    assert env.emu.identify_count == 1


async def test_startup_is_fast(emulator: Emulator, discord_log: DiscordLogWatch) -> None:
    """Emulator plus a connected, ready client takes well under a second."""
    populate(emulator)
    started = time.perf_counter()
    async with running(SampleBot(), emulator) as bot:
        elapsed = time.perf_counter() - started
        assert bot.is_ready()
    assert elapsed < 1.0, elapsed


async def test_large_guild_is_chunked_on_request(emulator: Emulator, discord_log: DiscordLogWatch) -> None:
    """A guild over large_threshold comes without members; discord.py asks (op 8) and gets every chunk."""
    guild = emulator.add_guild("Big City")
    guild.add_text_channel("general")
    people = guild.add_members(2500, prefix="citizen")
    async with running(SampleBot(), emulator, timeout=10) as bot:
        cached = bot.get_guild(guild.id)
        assert cached is not None and cached.chunked
        assert cached.member_count == len(guild.members) == 2502
        assert cached.get_member(people[-1].id).name == "citizen2499"


async def test_state_changes_reach_the_bot(env: Env) -> None:
    """Channels, roles and members added while connected are dispatched to discord.py."""
    bot, guild = env.bot, env.guild
    created = asyncio.create_task(bot.wait_for("guild_channel_create", timeout=2))
    await asyncio.sleep(0)  # let wait_for register before the change happens
    ch = guild.add_text_channel("late")
    assert (await created).id == ch.id
    updated = asyncio.create_task(bot.wait_for("member_update", timeout=2))
    await asyncio.sleep(0)
    guild.give_role(env.alice, env.mods)
    _, after = await updated
    assert env.mods.id in [r.id for r in after.roles]


async def test_drop_gateway_resumes_and_replays(env: Env) -> None:
    """After a dropped websocket discord.py RESUMEs; events sent meanwhile are replayed."""
    emu = env.emu
    await emu.drop_gateway()
    late = env.guild.add_text_channel("while-dropped")
    await emu.wait_for_gateway(identifies=1, resumes=1)
    assert emu.identify_count == 1 and emu.resume_count == 1
    it = await emu.slash(env.guild, env.alice, "poll", question="still there?")
    assert (await it.reply()).content == "still there?"
    assert env.bot.get_channel(late.id) is not None


async def test_reconnect_request_resumes(env: Env) -> None:
    """Op 7 RECONNECT makes discord.py reconnect and resume."""
    env.emu.request_reconnect()
    await env.emu.wait_for_gateway(identifies=1, resumes=1)
    it = await env.emu.slash(env.guild, env.alice, "poll", question="after reconnect")
    assert (await it.reply()).content == "after reconnect"


async def test_invalid_session_makes_the_bot_identify_again(env: Env) -> None:
    """A non-resumable INVALID_SESSION leads to a fresh IDENTIFY."""

    async def identify_now(shard_id: int | None, *, initial: bool = False) -> None:
        """Skip discord.py's 5 s pause before re-identifying (it protects Discord, not us)."""

    env.bot.before_identify_hook = identify_now  # type: ignore[method-assign]
    env.emu.invalidate_session(resumable=False)
    await env.emu.wait_for_gateway(identifies=2)
    it = await env.emu.slash(env.guild, env.alice, "poll", question="new session")
    assert (await it.reply()).content == "new session"


async def _raw_frames(ws: aiohttp.ClientWebSocketResponse, inflate: zlib._Decompress | None) -> dict:
    """Return the next gateway frame from a raw websocket."""
    msg = await asyncio.wait_for(ws.receive(), 2)
    if msg.type == aiohttp.WSMsgType.BINARY:
        assert inflate is not None and msg.data.endswith(b"\x00\x00\xff\xff")
        return json.loads(inflate.decompress(msg.data))
    assert msg.type == aiohttp.WSMsgType.TEXT, msg
    return json.loads(msg.data)


async def test_raw_protocol_uncompressed_and_zlib(emulator: Emulator) -> None:
    """HELLO, heartbeat ACK and READY work uncompressed and with zlib-stream."""
    emulator.add_guild("Raw")
    async with aiohttp.ClientSession() as http:
        for compress in (None, "zlib-stream"):
            query = "?v=10&encoding=json" + (f"&compress={compress}" if compress else "")
            inflate = zlib.decompressobj() if compress else None
            async with http.ws_connect(emulator.gateway_url + query) as ws:
                hello = await _raw_frames(ws, inflate)
                assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] == 41250
                await ws.send_str(json.dumps({"op": 1, "d": None}))
                assert (await _raw_frames(ws, inflate))["op"] == 11
                identify = {"token": emulator.token, "intents": 1, "properties": {}}
                await ws.send_str(json.dumps({"op": 2, "d": identify}))
                ready = await _raw_frames(ws, inflate)
                assert ready["t"] == "READY" and ready["s"] == 1
                assert ready["d"]["resume_gateway_url"] == emulator.gateway_url
                guild_create = await _raw_frames(ws, inflate)
                assert guild_create["t"] == "GUILD_CREATE" and guild_create["s"] == 2
                assert [m["user"]["id"] for m in guild_create["d"]["members"]] == [
                    str(emulator.application_id)
                ]


async def test_raw_protocol_rejections(emulator: Emulator) -> None:
    """A wrong token closes with 4004; resuming an unknown session gets INVALID_SESSION."""
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(emulator.gateway_url + "?v=10&encoding=json") as ws:
            await _raw_frames(ws, None)
            await ws.send_str(json.dumps({"op": 2, "d": {"token": "wrong", "intents": 1, "properties": {}}}))
            msg = await asyncio.wait_for(ws.receive(), 2)
            assert msg.type == aiohttp.WSMsgType.CLOSE and msg.data == 4004
        async with http.ws_connect(emulator.gateway_url + "?v=10&encoding=json") as ws:
            await _raw_frames(ws, None)
            resume = {"token": emulator.token, "session_id": "nope", "seq": 3}
            await ws.send_str(json.dumps({"op": 6, "d": resume}))
            invalid = await _raw_frames(ws, None)
            assert invalid["op"] == 9 and invalid["d"] is False


async def test_wrong_token_fails_login(emulator: Emulator) -> None:
    """discord.py reports a bad token as LoginFailure (401 from /users/@me)."""
    bot = SampleBot()
    from tests.sandbox.fixtures import discord_routed_at

    with discord_routed_at(emulator):
        try:
            await bot.login("not-the-token")
        except discord.LoginFailure:
            pass
        else:
            raise AssertionError("login with a wrong token succeeded")
        finally:
            await bot.close()
    assert ("GET", "/users/@me", 401) in emulator.requests


async def test_message_content_needs_the_intent(emulator: Emulator, discord_log: DiscordLogWatch) -> None:
    """Without MESSAGE_CONTENT a person's message arrives with empty content, unless it mentions the bot."""
    parts = populate(emulator)
    received: list[discord.Message] = []
    bot = SampleBot()
    async with running(bot, emulator):
        got = asyncio.Event()

        async def on_message(message: discord.Message) -> None:
            """Collect messages."""
            received.append(message)
            got.set()

        bot.add_listener(on_message)
        emulator.post_message(parts["alice"], parts["general"], "hello there")  # type: ignore[arg-type]
        await asyncio.wait_for(got.wait(), 2)
        got.clear()
        emulator.post_message(parts["alice"], parts["general"], f"hi {emulator.bot_user.mention}")  # type: ignore[arg-type]
        await asyncio.wait_for(got.wait(), 2)
    assert received[0].content == "" and received[0].author.id == parts["alice"].id  # type: ignore[attr-defined]
    assert received[1].content.startswith("hi <@")
