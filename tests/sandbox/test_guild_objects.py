"""Threads, forum posts, scheduled events and roles, driven by the bot's own REST calls."""

from __future__ import annotations

import asyncio
import datetime as dt

import discord

from sandbox.state import PUBLIC_THREAD
from tests.sandbox.conftest import Env


async def test_bot_opens_a_forum_post_with_tags(env: Env) -> None:
    """ForumChannel.create_thread: thread and starter message share an id; tags are applied."""
    forum = env.bot.get_channel(env.forum.id)
    assert isinstance(forum, discord.ForumChannel)
    energy = next(t for t in forum.available_tags if t.name == "energy")
    created = await forum.create_thread(
        name="Heat pumps?", content="Who has tried them?", applied_tags=[energy]
    )
    thread_state = env.emu.world.channels[created.thread.id]
    assert created.message.id == created.thread.id and thread_state.applied_tags == [energy.id]
    [starter] = env.emu.messages_in(thread_state)
    assert starter.content == "Who has tried them?" and starter.id == thread_state.id
    await created.thread.edit(archived=True, locked=True)
    assert thread_state.archived and thread_state.locked


async def test_person_forum_post_reaches_the_bot(env: Env) -> None:
    """A person's forum post dispatches THREAD_CREATE; the bot can answer inside it."""
    waiter = asyncio.create_task(env.bot.wait_for("thread_create", timeout=2))
    await asyncio.sleep(0)
    thread, starter = env.emu.post_forum_thread(
        env.alice, env.forum, "Bike lanes", "Tips?", tags=["mobility"]
    )
    seen = await waiter
    assert seen.id == thread.id and seen.applied_tags[0].name == "mobility"
    await seen.send("Try pop-up lanes")
    reply = await env.emu.wait_for_message(thread)
    assert reply.content == "Try pop-up lanes" and starter.author.id == env.alice.id


async def test_threads_from_messages_and_members(env: Env) -> None:
    """Message.create_thread uses the message id; the bot can add a member to the thread."""
    channel = env.bot.get_channel(env.general.id)
    msg = await channel.send("Discuss here")  # type: ignore[union-attr]
    thread = await msg.create_thread(name="discussion")
    state = env.emu.world.channels[thread.id]
    assert thread.id == msg.id and state.type == PUBLIC_THREAD and state.parent_id == env.general.id
    await thread.add_user(discord.Object(env.alice.id))
    assert env.alice.id in state.member_ids
    private = await channel.create_thread(name="mods", type=discord.ChannelType.private_thread)  # type: ignore[union-attr]
    assert env.emu.world.channels[private.id].type == 12


async def _external_event(
    guild: discord.Guild, name: str, start: dt.datetime, location: str
) -> discord.ScheduledEvent:
    """Create an hour-long external event the way a cog would."""
    return await guild.create_scheduled_event(
        name=name,
        start_time=start,
        end_time=start + dt.timedelta(hours=1),
        entity_type=discord.EntityType.external,
        location=location,
        privacy_level=discord.PrivacyLevel.guild_only,
    )


async def test_scheduled_event_lifecycle(env: Env) -> None:
    """Create an external event, start it, cancel another; a start in the past is refused."""
    guild = env.bot.get_guild(env.guild.id)
    assert guild is not None
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    event = await _external_event(guild, "Webinar: heat pumps", start, "https://example.org/webinar")
    state = env.guild.events[event.id]
    assert state.name == "Webinar: heat pumps" and state.entity_metadata == {
        "location": "https://example.org/webinar"
    }
    event = await event.start()
    assert state.status == 2
    event = await event.end()
    assert state.status == 3
    env.emu.expect_violations()
    try:
        await _external_event(guild, "Too late", start - dt.timedelta(days=5), "here")
    except discord.HTTPException as err:
        assert err.code == 50035
    else:
        raise AssertionError("an event in the past was accepted")
    await event.delete()
    assert event.id not in env.guild.events


async def test_interested_people_are_listed(env: Env) -> None:
    """People who mark an event interested are counted and listed by the users endpoint."""
    guild = env.bot.get_guild(env.guild.id)
    assert guild is not None
    event = await _external_event(
        guild, "Workshop", dt.datetime.now(dt.UTC) + dt.timedelta(days=1), "Town hall"
    )
    state = env.guild.events[event.id]
    added = asyncio.create_task(env.bot.wait_for("scheduled_event_user_add", timeout=2))
    await asyncio.sleep(0)
    env.emu.show_interest(env.alice, state)
    env.emu.show_interest(env.maria, state)
    await added
    fetched = await guild.fetch_scheduled_event(event.id)
    assert fetched.user_count == 2
    assert sorted([u.id async for u in fetched.users()]) == sorted([env.alice.id, env.maria.id])


async def test_channel_permission_overwrites(env: Env) -> None:
    """set_permissions stores an overwrite on the channel."""
    channel = env.bot.get_channel(env.announcements.id)
    everyone = env.bot.get_guild(env.guild.id).default_role  # type: ignore[union-attr]
    await channel.set_permissions(everyone, send_messages=False)  # type: ignore[union-attr]
    [overwrite] = env.announcements.permission_overwrites
    assert overwrite["id"] == str(env.guild.id) and int(overwrite["deny"]) == 1 << 11


async def test_roles_created_and_given(env: Env) -> None:
    """The bot creates a role and gives it; the member update reaches discord.py's cache."""
    guild = env.bot.get_guild(env.guild.id)
    assert guild is not None
    role = await guild.create_role(name="Bologna", mentionable=True)
    member = guild.get_member(env.alice.id)
    assert member is not None
    updated = asyncio.create_task(env.bot.wait_for("member_update", timeout=2))
    await member.add_roles(role)
    _, after = await updated
    assert role.id in env.alice.role_ids and role in after.roles
    await member.remove_roles(role)
    assert role.id not in env.alice.role_ids


async def test_role_hierarchy_is_enforced(env: Env) -> None:
    """A role above the bot's own cannot be given (403 50013)."""
    admin_role = next(r for r in env.guild.roles.values() if r.name == "Admin")
    env.guild.bot_role.position = 1
    admin_role.position = 5
    member = env.bot.get_guild(env.guild.id).get_member(env.alice.id)  # type: ignore[union-attr]
    try:
        await member.add_roles(discord.Object(admin_role.id))  # type: ignore[union-attr]
    except discord.Forbidden as err:
        assert err.code == 50013
    else:
        raise AssertionError("gave a role above the bot's")
