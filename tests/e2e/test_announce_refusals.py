"""`/announce schedule` refuses what it must not store: invisible messages, channels the moderator
may not post in (issue #10)."""

from __future__ import annotations

from sandbox import perms
from sandbox.emulator import Emulator
from tests.e2e.harness import BotHarness, Town


async def test_a_message_of_zero_width_characters_is_refused_and_nothing_is_scheduled(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Three U+200B look like nothing: refused privately, no row, no job."""
    options = {"channel": town.announcements, "when": "in 2h", "message": "\u200b\u200b\u200b"}
    reply = await (
        await emulator.slash(town.guild, town.moderator, "announce schedule", options=options)
    ).reply()
    assert reply.ephemeral and "only invisible characters" in reply.content, reply.content
    assert harness.bot is not None
    assert await harness.bot.repos.announcements.pending(town.guild.id, limit=-1) == []
    assert harness.bot.timeline.pending("announce:") == []


async def test_a_moderator_who_may_not_post_in_the_channel_cannot_schedule_there(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """The bot may post, but the moderator may not (no Send Messages): refused, nothing stored.

    The emulator computes permissions at guild level only, so the moderator lacks Send Messages in
    every channel: @everyone loses it and the Moderators role does not grant it. An administrator,
    who may post anywhere, still can.
    """
    town.guild.everyone.permissions &= ~perms.SEND_MESSAGES
    await harness.restart()
    options = {"channel": town.announcements, "when": "in 2h", "message": "Read-only channel post"}
    reply = await (
        await emulator.slash(town.guild, town.moderator, "announce schedule", options=options)
    ).reply()
    assert reply.ephemeral and "You cannot post" in reply.content, reply.content
    assert town.announcements.mention in reply.content
    assert harness.bot is not None
    assert await harness.bot.repos.announcements.pending(town.guild.id, limit=-1) == []
    allowed = await (
        await emulator.slash(town.guild, town.admin, "announce schedule", options=options)
    ).reply()
    assert "scheduled" in allowed.content, allowed.content
    assert len(await harness.bot.repos.announcements.pending(town.guild.id, limit=-1)) == 1
