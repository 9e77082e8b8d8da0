"""Injected faults: 429 with retry_after, 5xx, slow responses; discord.py retries exactly once."""

from __future__ import annotations

import discord

from tests.sandbox.conftest import Env
from tests.sandbox.fixtures import DiscordLogWatch

MESSAGES = r"^/channels/\d+/messages$"


async def test_rate_limit_is_retried_and_the_message_exists_once(
    env: Env, discord_log: DiscordLogWatch
) -> None:
    """A 429 on POST /channels/{id}/messages: discord.py waits retry_after and sends once more."""
    discord_log.allow("We are being rate limited")
    emu = env.emu
    emu.faults.rate_limit("POST", MESSAGES, retry_after=0.05)
    it = await emu.slash(env.guild, env.alice, "say", text="once")
    assert (await it.reply()).content == "sent"
    assert [m.content for m in emu.messages_in(env.general)] == ["once"]
    assert emu.count_requests("POST", MESSAGES, 429) == 1
    assert emu.count_requests("POST", MESSAGES, 200) == 1
    assert emu.faults.fired == [("rate_limit", "POST", f"/channels/{env.general.id}/messages")]


async def test_global_rate_limit_is_retried(env: Env, discord_log: DiscordLogWatch) -> None:
    """A global 429 blocks every request for retry_after, then the request succeeds."""
    discord_log.allow("rate limit")
    env.emu.faults.rate_limit("POST", MESSAGES, retry_after=0.05, global_=True)
    await env.bot.get_channel(env.general.id).send("after global")  # type: ignore[union-attr]
    assert [m.content for m in env.emu.messages_in(env.general)] == ["after global"]


async def test_server_error_is_retried_once(env: Env) -> None:
    """A 500 is retried by discord.py (after its own 1 s backoff); the message exists exactly once."""
    emu = env.emu
    emu.faults.server_error("POST", MESSAGES)
    sent = await env.bot.get_channel(env.general.id).send("resilient")  # type: ignore[union-attr]
    assert [m.id for m in emu.messages_in(env.general)] == [sent.id]
    assert emu.count_requests("POST", MESSAGES, 500) == 1 and emu.count_requests("POST", MESSAGES, 200) == 1


async def test_a_message_stored_before_a_5xx_is_not_posted_twice_thanks_to_its_nonce(env: Env) -> None:
    """discord.py 2.7 sends every message with a nonce and enforce_nonce and retries a 5xx with it.

    The emulator stores the first try and answers 500 anyway; the retry carries the same nonce, so the
    channel holds one message, with a nonce we chose (climabot's stable_nonce) and with discord.py's own.
    """
    emu = env.emu
    channel = env.bot.get_channel(env.general.id)
    assert isinstance(channel, discord.TextChannel)
    emu.faults.lost_response("POST", MESSAGES)
    sent = await channel.send("reminder", nonce="reminder-7")
    assert [m.id for m in emu.messages_in(env.general)] == [sent.id]
    assert emu.count_requests("POST", MESSAGES, 500) == 1 and emu.count_requests("POST", MESSAGES, 200) == 1
    emu.faults.lost_response("POST", MESSAGES)
    await channel.send("random nonce")
    assert [m.content for m in emu.messages_in(env.general)] == ["reminder", "random nonce"]
    assert emu.count_requests("POST", MESSAGES, 500) == 2


async def test_delay_holds_the_request(env: Env) -> None:
    """A delayed request still completes, after the delay."""
    emu = env.emu
    emu.faults.delay("GET", r"^/channels/\d+$", 0.05)
    channel = await env.bot.fetch_channel(env.general.id)
    assert isinstance(channel, discord.TextChannel)
    assert emu.faults.fired == [("delay", "GET", f"/channels/{env.general.id}")]
