"""Channel messages, uploads and the CDN, DMs, rejected requests, unknown routes, auth."""

from __future__ import annotations

import aiohttp
import discord
from discord.http import Route

from tests.sandbox.conftest import Env


async def test_upload_is_stored_and_served_until_the_url_expires(env: Env) -> None:
    """channel.send(file=...) stores the file; its signed URL works, then 404s after the TTL."""
    emu = env.emu
    it = await emu.slash(env.guild, env.alice, "say", text="Results", chart=True)
    assert (await it.reply()).content == "sent"
    msg = await emu.wait_for_message(env.general, lambda m: m.content == "Results")
    assert [a.filename for a in msg.attachments] == ["chart.png"] and msg.attachments[
        0
    ].content_type == "image/png"
    sent: discord.Message = env.bot.seen["say"]
    attachment = sent.attachments[0]
    assert (attachment.width, attachment.height) == (2, 1)
    assert sent.embeds[0].image.url == attachment.url.split("?")[0] + "?" + attachment.url.split("?")[1]
    assert await attachment.read() == msg.attachments[0].data
    async with aiohttp.ClientSession() as http:
        async with http.get(attachment.url) as resp:
            assert resp.status == 200 and await resp.read() == msg.attachments[0].data
        async with http.get(attachment.url.replace("hm=", "hm=0")) as resp:
            assert resp.status == 404
        emu.advance_clock(emu.attachment_url_ttl + 1)
        async with http.get(attachment.url) as resp:
            assert resp.status == 404
    fresh = await env.bot.get_channel(env.general.id).fetch_message(msg.id)  # type: ignore[union-attr]
    assert await fresh.attachments[0].read() == msg.attachments[0].data


async def test_files_in_interaction_responses(env: Env) -> None:
    """A file in the initial response (multipart callback) and in a followup are both stored."""
    it = await env.emu.slash(env.guild, env.alice, "calendar")
    reply = await it.reply()
    assert reply.content == "deadlines" and reply.attachments[0].filename == "calls.ics"
    assert reply.attachments[0].content_type == "text/calendar; charset=utf-8"
    assert reply.attachments[0].data.startswith(b"BEGIN:VCALENDAR")
    followup = await env.emu.wait_for_message(env.general, lambda m: m.content == "as text")
    assert followup.attachments[0].data == b"none" and it.followups == [followup]


async def test_people_messages_and_history(env: Env) -> None:
    """A person's message (with an upload) is visible to the bot's history fetch."""
    emu = env.emu
    photo = emu.upload("tree.gif", b"GIF89a\x03\x00\x02\x00rest", "image/gif")
    posted = emu.post_message(env.alice, env.general, "look", attachments=[photo])
    channel = env.bot.get_channel(env.general.id)
    history = [m async for m in channel.history(limit=10)]  # type: ignore[union-attr]
    assert [m.id for m in history] == [posted.id]
    assert history[0].attachments[0].filename == "tree.gif" and history[0].attachments[0].width == 3
    assert history[0].author.id == env.alice.id
    emu.edit_message(posted, "look again")
    assert posted.history[0]["content"] == "look" and posted.content == "look again"


async def test_dm_and_closed_dms(env: Env) -> None:
    """user.send reaches the DM channel; a person with closed DMs gets 403 50007."""
    emu = env.emu
    it = await emu.slash(env.guild, env.alice, "remind")
    assert (await it.reply()).content == "check your DMs"
    dm = await emu.wait_for_message(emu.dm_channel_of(env.alice))
    assert dm.content == "reminder" and dm.guild_id is None
    closed = env.guild.add_member("bob", dms_closed=True)
    it = await emu.slash(env.guild, closed, "remind")
    assert (await it.reply()).content == "cannot DM you (50007)"
    assert emu.messages_in(emu.dm_channel_of(closed)) == []


async def test_over_limit_content_is_a_violation(env: Env) -> None:
    """2001 characters of content: 400 50035, recorded, and discord.py raises HTTPException."""
    emu = env.emu
    emu.expect_violations()
    it = await emu.slash(env.guild, env.alice, "say", text="x" * 2001)
    assert (await it.reply()).content == "failed: 50035"
    assert isinstance(env.bot.seen["say_error"], discord.HTTPException)
    [violation] = emu.violations
    assert violation.method == "POST" and violation.path == f"/channels/{env.general.id}/messages"
    assert any("content" in p for p in violation.problems)
    assert emu.messages_in(env.general) == []


async def test_unknown_route_is_recorded(env: Env) -> None:
    """A route the emulator does not know answers 404 and is recorded."""
    emu = env.emu
    emu.expect_violations()
    route = Route("GET", "/guilds/{guild_id}/bans", guild_id=env.guild.id)
    try:
        await env.bot.http.request(route)
    except discord.NotFound as err:
        assert err.code == 0
    else:
        raise AssertionError("unknown route answered")
    assert emu.unknown_routes == [("GET", f"/guilds/{env.guild.id}/bans")]


async def test_requests_need_the_bot_token(env: Env) -> None:
    """Without Authorization: Bot <token> the API answers 401; webhooks need no token."""
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{env.emu.api_base_url}/channels/{env.general.id}") as resp:
            assert resp.status == 401
        headers = {"Authorization": f"Bot {env.emu.token}"}
        async with http.get(f"{env.emu.api_base_url}/channels/{env.general.id}", headers=headers) as resp:
            assert resp.status == 200 and (await resp.json())["name"] == "general"
            assert resp.headers["X-RateLimit-Remaining"] and resp.headers["X-RateLimit-Bucket"]
        async with http.get(f"{env.emu.api_base_url}/channels/1", headers=headers) as resp:
            assert resp.status == 404 and (await resp.json()) == {"message": "Unknown Channel", "code": 10003}


async def test_bot_edits_and_deletes_its_message(env: Env) -> None:
    """Edits are kept as history; deletion marks the message deleted; others' messages are refused."""
    channel = env.bot.get_channel(env.general.id)
    sent = await channel.send("draft")  # type: ignore[union-attr]
    await sent.edit(content="final")
    state = env.emu.world.messages[sent.id]
    assert state.content == "final" and [h["content"] for h in state.history] == ["draft"]
    await sent.delete()
    assert state.deleted and env.emu.messages_in(env.general) == []
    other = env.emu.post_message(env.alice, env.general, "mine")
    theirs = await channel.fetch_message(other.id)  # type: ignore[union-attr]
    try:
        await theirs.edit(content="hacked")
    except discord.Forbidden as err:
        assert err.code == 50005
    else:
        raise AssertionError("edited someone else's message")


async def test_bot_reactions_and_pins(env: Env) -> None:
    """The bot's reaction and pin are stored and shown in the message; removing them undoes both."""
    channel = env.bot.get_channel(env.general.id)
    sent = await channel.send("vote here")  # type: ignore[union-attr]
    state = env.emu.world.messages[sent.id]
    await sent.add_reaction("👍")
    await sent.pin()
    fetched = await channel.fetch_message(sent.id)  # type: ignore[union-attr]
    assert fetched.pinned and [(str(r.emoji), r.count, r.me) for r in fetched.reactions] == [("👍", 1, True)]
    await sent.remove_reaction("👍", discord.Object(env.emu.bot_user.id))
    await sent.unpin()
    fetched = await channel.fetch_message(sent.id)  # type: ignore[union-attr]
    assert not fetched.pinned and fetched.reactions == [] and not state.pinned
