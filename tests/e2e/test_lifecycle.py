"""The bot's life: start, sync, errors, reconnects, SIGTERM, all against the emulator."""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.e2e.harness import BotHarness, Town, bot_settings, start_bot_process, subprocess_bot
from tests.emulator.emulator import Emulator


async def test_unexpected_error_gets_an_error_id_that_is_in_the_log(
    emulator: Emulator, town: Town, settings: Settings, discord_log, app_log
):
    """A command that crashes answers privately with an error id; the log has that id and the trace."""
    app_log.allow(r"^error [0-9a-f]{8} in /boom")
    harness = BotHarness(emulator, settings, extra_extensions=("tests.e2e.faulty_extension",))
    await harness.start()
    try:
        reply = await (await emulator.slash(town.guild, town.member, "boom")).reply()
    finally:
        await harness.stop()
    assert reply.ephemeral
    match = re.search(r"logged as error `([0-9a-f]{8})`", reply.content)
    assert match, reply.content
    logged = [r for r in app_log.records if match.group(1) in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is not None
    assert "flux capacitor" not in reply.content, "internal details must not reach members"


async def test_commands_are_synced_globally_when_no_guild_is_configured(
    emulator: Emulator, town: Town, tmp_path, discord_log, app_log
):
    """Without command_guild_ids the commands are published globally and still answer in a server."""
    harness = BotHarness(emulator, bot_settings(emulator, tmp_path, []))
    await harness.start()
    try:
        assert "setup" in {c["name"] for c in emulator.commands(None)}
        assert emulator.commands(town.guild) == []
        reply = await (await emulator.slash(town.guild, town.admin, "setup show")).reply()
        assert "climabot settings" in reply.text
    finally:
        await harness.stop()


async def test_bot_resumes_after_a_dropped_gateway_and_keeps_answering(
    emulator: Emulator, town: Town, harness: BotHarness
):
    """After the websocket drops, the bot resumes its session and answers the next command."""
    await emulator.drop_gateway()
    await emulator.wait_for_gateway(identifies=1, resumes=1)
    reply = await (await emulator.slash(town.guild, town.admin, "setup show")).reply()
    assert reply.ephemeral and "climabot settings" in reply.text


async def test_stopping_closes_the_database_cleanly(
    emulator: Emulator, harness: BotHarness, settings: Settings
):
    """Stopping the bot closes every database connection, so SQLite folds the WAL back into the file."""
    await harness.stop()
    wal = settings.storage.database_path.with_name(settings.storage.database_path.name + "-wal")
    # SQLite removes the write-ahead log when the last connection closes cleanly.
    assert settings.storage.database_path.exists() and not wal.exists()


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
async def test_climabot_run_serves_commands_and_stops_cleanly(
    emulator: Emulator, town: Town, settings: Settings, stop_signal: signal.Signals
):
    """`climabot run` answers /setup, then exits 0 on SIGTERM or Ctrl-C without printing the token."""
    async with subprocess_bot(emulator, settings) as proc:
        reply = await (
            await emulator.slash(town.guild, town.admin, "setup show", override_permissions=False)
        ).reply(timeout=10)
        assert "climabot settings" in reply.text
        proc.send_signal(stop_signal)
        code = await asyncio.wait_for(proc.wait(), 15)
        assert proc.stdout is not None
        output = (await proc.stdout.read()).decode()
    assert code == 0, output
    assert emulator.token not in output
    assert "Traceback" not in output
    wal = settings.storage.database_path.with_name(settings.storage.database_path.name + "-wal")
    assert not wal.exists()


async def test_climabot_run_with_an_unusable_database_exits_2_in_one_line(
    emulator: Emulator, town: Town, tmp_path: Path
):
    """A database path that cannot be opened is a logged error naming the setting and exit code 2."""
    settings = bot_settings(emulator, tmp_path, [town.guild.id])
    settings.storage.database_path.mkdir()
    proc = await start_bot_process(emulator, settings)
    try:
        code = await asyncio.wait_for(proc.wait(), 20)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.stdout is not None
    output = (await proc.stdout.read()).decode()
    assert code == 2, output
    assert "cannot open database" in output and "storage.database_path" in output
    assert "Traceback" not in output and "Event loop is closed" not in output
