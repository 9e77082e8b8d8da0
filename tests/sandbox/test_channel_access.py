"""Channel overwrites bind the bot as on Discord: 50001 where it cannot see, 50013 where it lacks."""

from __future__ import annotations

import io
from collections.abc import Awaitable
from typing import Any

import discord
import pytest

from sandbox import perms
from sandbox.state import Channel
from tests.sandbox.conftest import Env

GUILD, MEMBER, ROLE = 1, 2, 3


def _overwrite(target: int, allow: int = 0, deny: int = 0, kind: int = 0) -> dict[str, Any]:
    """Return an overwrite as Discord stores it."""
    return {"id": str(target), "type": kind, "allow": str(allow), "deny": str(deny)}


def test_overwrites_apply_in_discords_order() -> None:
    """@everyone, then roles together, then the member; administrators bypass; no view means nothing."""
    base = perms.DEFAULT_EVERYONE
    hidden = [_overwrite(GUILD, deny=perms.VIEW_CHANNEL)]
    assert perms.in_channel(base, hidden, guild_id=GUILD, member_id=MEMBER, role_ids=[ROLE]) == 0
    let_in = [*hidden, _overwrite(ROLE, allow=perms.VIEW_CHANNEL)]
    seen = perms.in_channel(base, let_in, guild_id=GUILD, member_id=MEMBER, role_ids=[ROLE])
    assert seen & perms.VIEW_CHANNEL and seen & perms.SEND_MESSAGES
    kept_out = [*let_in, _overwrite(MEMBER, deny=perms.VIEW_CHANNEL, kind=1)]
    assert perms.in_channel(base, kept_out, guild_id=GUILD, member_id=MEMBER, role_ids=[ROLE]) == 0
    admin = perms.in_channel(perms.ADMINISTRATOR, kept_out, guild_id=GUILD, member_id=MEMBER, role_ids=[])
    assert admin == perms.ALL
    # A role overwrite allowing and another denying: allow wins, as on Discord.
    both = [_overwrite(ROLE, deny=perms.SEND_MESSAGES), _overwrite(4, allow=perms.SEND_MESSAGES)]
    value = perms.in_channel(base, both, guild_id=GUILD, member_id=MEMBER, role_ids=[ROLE, 4])
    assert value & perms.SEND_MESSAGES


def test_no_sending_takes_embeds_and_files_with_it() -> None:
    """Without Send Messages (in a thread: in Threads) embeds, files and @everyone go too."""
    mute = [_overwrite(GUILD, deny=perms.SEND_MESSAGES)]
    value = perms.in_channel(perms.DEFAULT_BOT, mute, guild_id=GUILD, member_id=MEMBER, role_ids=[])
    assert value & perms.VIEW_CHANNEL and not value & (perms.EMBED_LINKS | perms.ATTACH_FILES)
    in_thread = perms.in_channel(
        perms.DEFAULT_BOT, mute, guild_id=GUILD, member_id=MEMBER, role_ids=[], thread=True
    )
    assert perms.has(in_thread, perms.SEND_MESSAGES_IN_THREADS | perms.EMBED_LINKS | perms.ATTACH_FILES)


async def _refused(code: int, action: Awaitable[Any]) -> None:
    """Await a bot request and check Discord's refusal code."""
    with pytest.raises(discord.Forbidden) as refusal:
        await action
    assert refusal.value.code == code, refusal.value.text


def _text_channel(env: Env, ch: Channel) -> discord.TextChannel:
    """Return the bot's view of a text channel."""
    channel = env.bot.get_channel(ch.id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_a_hidden_channel_is_missing_access_until_the_bots_role_is_let_in(env: Env) -> None:
    """Hidden from @everyone: sending, reading, threads are 50001; a role overwrite opens it."""
    channel = _text_channel(env, env.announcements)
    env.announcements.permission_overwrites = [_overwrite(env.guild.id, deny=perms.VIEW_CHANNEL)]
    await _refused(50001, channel.send("hello"))
    await _refused(50001, channel.create_thread(name="t", type=discord.ChannelType.public_thread))
    await _refused(50001, env.bot.fetch_channel(env.announcements.id))
    assert env.emu.messages_in(env.announcements) == []
    env.announcements.permission_overwrites.append(
        _overwrite(env.guild.bot_role.id, allow=perms.VIEW_CHANNEL)
    )
    sent = await channel.send("hello")
    assert [m.id for m in env.emu.messages_in(env.announcements)] == [sent.id]
    # Its own member overwrite denying the view wins over its role's allow.
    env.announcements.permission_overwrites.append(
        _overwrite(env.emu.bot_user.id, deny=perms.VIEW_CHANNEL, kind=1)
    )
    await _refused(50001, sent.edit(content="edited"))
    await _refused(50001, sent.delete())
    assert env.emu.world.messages[sent.id].content == "hello"


async def test_missing_send_embed_and_attach_are_missing_permissions(env: Env) -> None:
    """Seen but not allowed: each request needing what the bot lacks is 50013; the rest goes through."""
    channel = _text_channel(env, env.announcements)
    ow = env.announcements.permission_overwrites
    ow[:] = [_overwrite(env.guild.bot_role.id, deny=perms.EMBED_LINKS | perms.ATTACH_FILES)]
    plain = await channel.send("text only")
    await _refused(50013, channel.send(embed=discord.Embed(title="card")))
    await _refused(50013, channel.send(file=discord.File(io.BytesIO(b"a,b\n"), filename="x.csv")))
    await _refused(50013, plain.edit(embed=discord.Embed(title="card")))
    await plain.edit(content="still text")
    ow[:] = [_overwrite(env.guild.bot_role.id, deny=perms.SEND_MESSAGES)]
    await _refused(50013, channel.send("muted"))
    await _refused(50013, channel.typing().__aenter__())
    ow[:] = [_overwrite(env.guild.bot_role.id, deny=perms.READ_MESSAGE_HISTORY)]
    assert [m async for m in channel.history()] == []
    await _refused(50013, channel.fetch_message(plain.id))
    await _refused(50013, channel.send("a reply", reference=plain))
    contents = [m.content for m in env.emu.messages_in(env.announcements)]
    assert contents == ["still text"]


async def test_forum_posts_and_threads_follow_the_overwrites(env: Env) -> None:
    """A forum post needs Send Messages in the forum; a thread takes its parent's overwrites."""
    forum = env.bot.get_channel(env.forum.id)
    assert isinstance(forum, discord.ForumChannel)
    env.forum.permission_overwrites = [_overwrite(env.guild.id, deny=perms.SEND_MESSAGES)]
    await _refused(50013, forum.create_thread(name="Heat pumps?", content="Who has tried them?"))
    assert env.guild.threads == []
    env.forum.permission_overwrites = [_overwrite(env.guild.id, deny=perms.EMBED_LINKS)]
    await _refused(50013, forum.create_thread(name="Card", embed=discord.Embed(title="card")))
    assert env.guild.threads == []
    post = await forum.create_thread(name="Heat pumps?", content="Who has tried them?")
    env.forum.permission_overwrites = [_overwrite(env.guild.id, deny=perms.SEND_MESSAGES_IN_THREADS)]
    await _refused(50013, post.thread.send("an answer"))
    env.forum.permission_overwrites = [_overwrite(env.guild.id, deny=perms.VIEW_CHANNEL)]
    await _refused(50001, post.thread.send("an answer"))
    assert [m.content for m in env.emu.messages_in(env.emu.world.channels[post.thread.id])] == [
        "Who has tried them?"
    ]


async def test_direct_messages_have_no_overwrites(env: Env) -> None:
    """A DM channel is outside any server: the bot's message is delivered."""
    user = await env.bot.fetch_user(env.alice.id)
    sent = await user.send("hello")
    assert env.emu.world.messages[sent.id].content == "hello"
