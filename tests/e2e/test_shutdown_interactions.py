"""Stopping the bot: running commands finish first, and a start that fails leaves nothing open."""

from __future__ import annotations

import asyncio

import pytest

from bot import client as client_module
from bot.settings import Settings
from sandbox.emulator import Emulator
from sandbox.interactions import CB_DEFER
from tests.e2e.harness import BotHarness, Town


async def test_stopping_lets_a_deferred_command_send_its_answer(
    emulator: Emulator, town: Town, settings: Settings, discord_log, app_log
):
    """A command that deferred before the stop still fills its deferral; nothing logs a closed session."""
    harness = BotHarness(emulator, settings, extra_extensions=("tests.e2e.slow_extension",))
    await harness.start()
    try:
        it = await emulator.slash(town.guild, town.member, "slow", seconds=1.0)
        assert await it.responded(timeout=3) == CB_DEFER
    finally:
        await harness.stop()
    reply = await it.reply(timeout=0.1)
    assert reply.content == "done after the pause" and not reply.loading


async def test_stopping_waits_for_a_slow_command_only_a_bounded_time(
    emulator: Emulator, town: Town, settings: Settings, discord_log, app_log, monkeypatch
):
    """A command still running after the grace period is cancelled and the bot stops anyway."""
    monkeypatch.setattr(client_module, "SHUTDOWN_GRACE_SECONDS", 0.3)
    harness = BotHarness(emulator, settings, extra_extensions=("tests.e2e.slow_extension",))
    await harness.start()
    it = await emulator.slash(town.guild, town.member, "slow", seconds=60.0)
    assert await it.responded(timeout=3) == CB_DEFER
    loop = asyncio.get_running_loop()
    began = loop.time()
    await harness.stop()
    assert loop.time() - began < 5
    assert it.original is not None and it.original.loading, "the cancelled command must not have answered"


async def test_a_failed_start_closes_the_database(
    emulator: Emulator, town: Town, settings: Settings, discord_log, app_log
):
    """A bot whose start fails (an extension that does not exist) still closes storage: no WAL left open."""
    discord_log.allow("climabot.missing_extension|ExtensionNotFound")
    harness = BotHarness(emulator, settings, extra_extensions=("tests.e2e.missing_extension",))
    with pytest.raises(Exception, match="missing_extension"):
        await harness.start()
    wal = settings.storage.database_path.with_name(settings.storage.database_path.name + "-wal")
    # SQLite removes the write-ahead log when the last connection closes: storage was closed.
    assert settings.storage.database_path.exists() and not wal.exists()
    assert harness.bot is None
