"""Polls under stress: restarts, a killed bot, bursts of votes, rate limits, refused edits, downtime."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
import sqlite3
from datetime import timedelta

import pytest

from bot.scheduling import utcnow
from bot.settings import Settings
from sandbox.emulator import Emulator
from sandbox.state import Message
from storage.times import to_db_time
from tests.e2e.harness import BotHarness, Town, subprocess_bot
from tests.e2e.test_polls_stage import (
    EDIT_PATH,
    click,
    create_poll,
    description,
    fast_edits,
    stored_counts,
    vote,
    wait_closed,
    wait_for_tally,
)


def edit_times(message: Message) -> list[float]:
    """When each edit of a message reached the emulator, oldest first."""
    earlier = [version["edited_timestamp"] for version in message.history[1:]]
    return [*earlier, *([message.edited_timestamp] if message.edited_timestamp is not None else [])]


async def test_restart_mid_poll_keeps_votes_buttons_and_closing_timer(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """After a restart the old message's buttons still vote, and the close is scheduled again."""
    poll_id, message = await create_poll(emulator, town, closes_in="2h")
    await vote(emulator, town, town.member, message, poll_id, 0)
    for _ in range(2):
        await harness.restart()
        assert harness.bot is not None
        assert harness.bot.timeline.pending("poll:") == [f"poll:{poll_id}"]
    bob = town.guild.add_member("bob")
    assert "counted" in await vote(emulator, town, bob, message, poll_id, 2)
    await wait_for_tally(emulator, message, "2 members voted")
    assert stored_counts(settings.storage.database_path, poll_id) == [1, 0, 1]


async def test_killed_bot_loses_no_vote_and_the_old_message_still_votes(
    emulator: Emulator, town: Town, settings: Settings, discord_log, app_log
) -> None:
    """SIGKILL the `climabot run` process after a vote; a fresh bot counts it and takes new votes."""
    async with subprocess_bot(emulator, settings):
        await emulator.wait_for_commands(town.guild, {"poll"}, timeout=20)
        poll_id, message = await create_poll(emulator, town, closes_in="3d")
        assert "counted" in await vote(emulator, town, town.member, message, poll_id, 1)
    # Leaving the block sent SIGKILL: no shutdown code ran.
    harness = BotHarness(emulator, settings)
    await harness.start()
    try:
        assert harness.bot is not None and harness.bot.timeline.pending("poll:") == [f"poll:{poll_id}"]
        bob = town.guild.add_member("bob")
        assert "counted" in await vote(emulator, town, bob, message, poll_id, 1)
        await wait_for_tally(emulator, message, "2 members voted")
        assert stored_counts(settings.storage.database_path, poll_id) == [0, 2, 0]
    finally:
        await harness.stop()


async def test_burst_of_300_members_is_counted_exactly_with_few_edits(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """300 concurrent voters: all counted, the message ends exact, edits stay within one per 2 s."""
    members = town.guild.add_members(300, prefix="citizen")
    poll_id, message = await create_poll(emulator, town, options="A; B; C")
    loop = asyncio.get_running_loop()
    started = loop.time()
    clicks = []
    for n, member in enumerate(members):
        clicks.append(await click(emulator, town, member, message, poll_id, n % 3))
        await asyncio.sleep(0)  # let the emulator serve the bot while the burst goes on
    answers = [await it.reply(timeout=30) for it in clicks]
    assert all("counted" in a.content and a.ephemeral for a in answers)
    final = await wait_for_tally(emulator, message, "300 members voted", timeout=10)
    duration = loop.time() - started
    assert stored_counts(settings.storage.database_path, poll_id) == [100, 100, 100]
    assert description(final).count("` 100 (33%)") == 3, description(final)
    edits = emulator.count_requests("PATCH", EDIT_PATH)
    assert 1 <= edits <= math.ceil(duration / 2) + 1, (edits, duration)
    times = edit_times(message)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    # Measured at the emulator, so HTTP jitter can shave a little off the 2 s the bot keeps.
    assert all(gap >= 1.8 for gap in gaps), gaps
    print(f"burst: {duration:.2f} s, {edits} edits at {[round(t - times[0], 2) for t in times]}")


async def test_a_429_on_the_tally_edit_loses_no_vote(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings, discord_log
) -> None:
    """Discord answers the tally edit with 429: discord.py retries, later votes still show, all counted."""
    discord_log.allow("rate limited")
    fast_edits(harness)
    poll_id, message = await create_poll(emulator, town)
    emulator.faults.rate_limit("PATCH", EDIT_PATH, times=1, retry_after=0.3)
    voters = [town.member, *town.guild.add_members(3, prefix="late")]
    for n, member in enumerate(voters):
        assert "counted" in await vote(emulator, town, member, message, poll_id, n % 2)
    await wait_for_tally(emulator, message, "4 members voted")
    assert stored_counts(settings.storage.database_path, poll_id) == [2, 2, 0]
    assert emulator.count_requests("PATCH", EDIT_PATH, 429) == 1


async def test_refused_edits_are_logged_once_and_lose_no_vote(
    emulator: Emulator,
    town: Town,
    harness: BotHarness,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two tally edits refused with 403: one warning, votes counted, the next edit shows them all."""
    fast_edits(harness)
    poll_id, message = await create_poll(emulator, town)
    emulator.faults.server_error("PATCH", EDIT_PATH, times=2, status=403)
    voters = [town.member, *town.guild.add_members(2, prefix="late")]
    with caplog.at_level(logging.WARNING, logger="cogs.polls"):
        for member in voters[:2]:
            await vote(emulator, town, member, message, poll_id, 0)
            await emulator.world.wait_until(
                lambda: emulator.count_requests("PATCH", EDIT_PATH) >= 1 or None, 5, "a tally edit"
            )
        await emulator.world.wait_until(
            lambda: emulator.count_requests("PATCH", EDIT_PATH, 403) == 2 or None, 5, "two refused edits"
        )
        await vote(emulator, town, voters[2], message, poll_id, 0)
        await wait_for_tally(emulator, message, "3 members voted")
    warnings = [r for r in caplog.records if "could not update the tally" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert stored_counts(settings.storage.database_path, poll_id) == [3, 0, 0]


async def test_deleted_poll_message_does_not_stop_closing(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """A moderator deletes the poll message: the close still records the results (and logs a warning)."""
    poll_id, message = await create_poll(emulator, town)
    await vote(emulator, town, town.member, message, poll_id, 0)
    await wait_for_tally(emulator, message, "1 member voted")
    emulator.delete_message(message)
    reply = await (await emulator.slash(town.guild, town.moderator, "poll close", poll_id=poll_id)).reply(
        timeout=10
    )
    assert "is closed" in reply.content and "Winner: **Energy**" in reply.content
    assert stored_counts(settings.storage.database_path, poll_id) == [1, 0, 0]


async def test_a_poll_due_while_the_bot_was_down_closes_on_start(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """The closing time passes while the bot is stopped: on start the poll closes with its results."""
    poll_id, message = await create_poll(emulator, town, closes_in="1m")
    await vote(emulator, town, town.member, message, poll_id, 2)
    await harness.stop()
    # Time passing while the bot is down, written as the database would hold it.
    with contextlib.closing(sqlite3.connect(settings.storage.database_path)) as conn, conn:
        conn.execute(
            "UPDATE polls SET closes_at = ? WHERE id = ?",
            (to_db_time(utcnow() - timedelta(hours=5)), poll_id),
        )
    await harness.start()
    closed = await wait_closed(emulator, message)
    assert "Winner: **Buildings**" in description(closed)
    assert closed.attachments and closed.attachments[0].filename == f"poll-{poll_id}-results.png"
    assert harness.bot is not None and harness.bot.timeline.pending("poll:") == []


async def test_a_confirmation_that_misses_the_deadline_still_counts_the_vote(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """Discord refuses a late answer (10062); the vote is already in the database and the tally shows it."""
    emulator.expect_violations()
    poll_id, message = await create_poll(emulator, town)
    emulator.interaction_deadline = 0.2
    emulator.faults.delay("POST", r"/callback$", seconds=0.3)
    late = await click(emulator, town, town.member, message, poll_id, 1)
    await wait_for_tally(emulator, message, "1 member voted")
    assert late.callback_type is None and stored_counts(settings.storage.database_path, poll_id) == [0, 1, 0]
    assert [v.problems for v in emulator.violations if "answered" in v.problems[0]]
