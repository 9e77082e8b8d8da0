"""Poll messages repainted from the database on start: stale tallies, and results never shown."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from bot.scheduling import utcnow
from bot.settings import Settings
from sandbox.emulator import Emulator
from sandbox.state import Message
from storage.polls import PollsRepository
from storage.repositories import open_storage
from tests.e2e.harness import BotHarness, Town
from tests.e2e.test_polls_stage import (
    EDIT_PATH,
    create_poll,
    description,
    fast_edits,
    polls_cog,
    results_posted_at,
    stored_counts,
    vote,
    wait_closed,
    wait_for_tally,
)


@contextlib.asynccontextmanager
async def stored_polls(settings: Settings) -> AsyncIterator[PollsRepository]:
    """The polls repository on the bot's database file, for writes made while the bot is down."""
    db, repos = await open_storage(
        settings.storage.database_path, default_timezone=settings.defaults.timezone
    )
    try:
        yield repos.polls
    finally:
        await db.close()


async def voted_poll(emulator: Emulator, town: Town, option: int) -> tuple[int, Message]:
    """A poll with one vote (for `option`) that its message already shows."""
    poll_id, message = await create_poll(emulator, town, closes_in="2h")
    assert "counted" in await vote(emulator, town, town.member, message, poll_id, option)
    await wait_for_tally(emulator, message, "1 member voted")
    return poll_id, message


async def close_in_database_only(harness: BotHarness, poll_id: int) -> None:
    """Close the poll as the bot does, but stop before the message edit (as a bot killed right then)."""
    assert harness.bot is not None
    assert await harness.bot.repos.polls.close(poll_id, utcnow()) is not None


async def wait_results_posted(settings: Settings, poll_id: int, timeout: float = 5.0) -> str:
    """Wait until the database records that the poll's final results are shown (the file is polled)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (posted := results_posted_at(settings.storage.database_path, poll_id)) is None:
        assert loop.time() < deadline, f"results_posted_at of poll {poll_id} not set after {timeout}s"
        await asyncio.sleep(0.02)
    return posted


async def test_votes_the_message_missed_are_shown_on_start(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """Votes recorded while no edit could follow (a killed bot) show on the message once the bot starts."""
    poll_id, message = await voted_poll(emulator, town, 0)
    await harness.stop()
    async with stored_polls(settings) as polls:
        for member_id in (900_001, 900_002):
            assert (await polls.cast_vote(poll_id, member_id, 2, utcnow(), guild_id=town.guild.id)).accepted
    edits = emulator.count_requests("PATCH", EDIT_PATH)
    assert "1 member voted" in message.text, "the message is stale before the start"
    await harness.start()
    shown = await wait_for_tally(emulator, message, "3 members voted")
    assert "` 2 (67%)" in description(shown) and "` 1 (33%)" in description(shown)
    assert [b["label"] for b in shown.buttons()] == ["Energy", "Mobility", "Buildings"]
    assert emulator.count_requests("PATCH", EDIT_PATH) == edits + 1


async def test_a_poll_closed_just_before_the_bot_died_shows_its_results_on_start(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """Closed in the database, never edited: the next start removes the buttons and shows the chart."""
    poll_id, message = await voted_poll(emulator, town, 1)
    await close_in_database_only(harness, poll_id)
    assert message.buttons() and results_posted_at(settings.storage.database_path, poll_id) is None
    await harness.restart()
    closed = await wait_closed(emulator, message)
    assert "Winner: **Mobility**" in description(closed)
    assert [a.filename for a in closed.attachments] == [f"poll-{poll_id}-results.png"]
    assert closed.attachments[0].data.startswith(b"\x89PNG")
    assert closed.embeds[0]["image"]["url"].endswith(f"poll-{poll_id}-results.png")
    await wait_results_posted(settings, poll_id)
    assert harness.bot is not None and harness.bot.timeline.pending("poll:") == []

    # Shown once: the next start has nothing left to repaint.
    edits = emulator.count_requests("PATCH", EDIT_PATH)
    await harness.restart()
    assert polls_cog(harness.bot).refresher.active_keys() == []
    assert emulator.count_requests("PATCH", EDIT_PATH) == edits
    assert stored_counts(settings.storage.database_path, poll_id) == [0, 1, 0]


async def test_a_refused_final_edit_is_tried_again_when_someone_clicks(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """The start's final edit is refused (403): the buttons stay, and a click is refused and repaints."""
    poll_id, message = await voted_poll(emulator, town, 0)
    await close_in_database_only(harness, poll_id)
    emulator.faults.server_error("PATCH", EDIT_PATH, times=1, status=403)
    await harness.restart()
    fast_edits(harness)
    await emulator.world.wait_until(
        lambda: emulator.count_requests("PATCH", EDIT_PATH, 403) == 1 or None, 5, "the refused final edit"
    )
    assert message.buttons() and results_posted_at(settings.storage.database_path, poll_id) is None

    late = await vote(emulator, town, town.guild.add_member("bob"), message, poll_id, 2)
    assert "closed" in late and "no longer counted" in late
    closed = await wait_closed(emulator, message)
    assert "Winner: **Energy**" in description(closed) and closed.attachments
    await wait_results_posted(settings, poll_id)
    assert stored_counts(settings.storage.database_path, poll_id) == [1, 0, 0]


async def test_a_deleted_poll_message_is_recorded_as_done_at_close(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """404 on the final edit is permanent: it is recorded, so no later start tries again."""
    poll_id, message = await voted_poll(emulator, town, 2)
    emulator.delete_message(message)
    reply = await (await emulator.slash(town.guild, town.moderator, "poll close", poll_id=poll_id)).reply(
        timeout=10
    )
    assert "is closed" in reply.content and "Winner: **Buildings**" in reply.content
    assert results_posted_at(settings.storage.database_path, poll_id) is not None
    await harness.restart()
    assert polls_cog(harness.bot).refresher.active_keys() == []
