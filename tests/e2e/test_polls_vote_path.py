"""The vote path's runtime: start-up objects are kept out of the collector's passes while the bot runs."""

from __future__ import annotations

import gc

from sandbox.emulator import Emulator
from tests.e2e.harness import BotHarness, Town
from tests.e2e.test_polls_stage import click, create_poll, stored_counts


async def test_start_up_objects_are_frozen_while_running_and_released_at_stop(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Ready: modules, catalogs and state are frozen (full GC passes skip them); stopped: released."""
    assert harness.bot is not None and harness.bot.is_ready()
    # The bot's own start-up objects alone are tens of thousands.
    assert gc.get_freeze_count() > 20_000
    poll_id, message = await create_poll(emulator, town)
    # Two members clicking at the same moment, on different options, are both counted and confirmed.
    voters = town.guild.add_members(2, prefix="voter")
    records = [await click(emulator, town, member, message, poll_id, n) for n, member in enumerate(voters)]
    answers = [(await record.reply()).content for record in records]
    assert all("is counted" in answer for answer in answers), answers
    await harness.stop()
    assert gc.get_freeze_count() == 0
    assert stored_counts(harness.settings.storage.database_path, poll_id) == [1, 1, 0]
