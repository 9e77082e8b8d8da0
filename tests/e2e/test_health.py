"""`climabot health` against a real `climabot run` process connected to the emulator."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

from bot.settings import Settings
from sandbox.emulator import Emulator
from storage.heartbeat import read_heartbeat
from tests.e2e.harness import BotHarness, Town, subprocess_bot


async def health(settings: Settings, *args: str) -> tuple[int, str]:
    """Run `python -m bot health` on the bot's database; return its exit code and output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIMABOT_")}
    env["CLIMABOT_STORAGE__DATABASE_PATH"] = str(settings.storage.database_path)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "health",
        *args,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode is not None
    return proc.returncode, output.decode()


async def healthy_within(settings: Settings, seconds: float) -> tuple[int, str]:
    """Ask until the bot reports healthy or the time is up; return the last answer."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        code, output = await health(settings)
        if code == 0 or asyncio.get_running_loop().time() > deadline:
            return code, output
        await asyncio.sleep(0.2)


async def test_health_is_ok_while_the_bot_runs_and_fails_once_it_stopped(
    emulator: Emulator, town: Town, settings: Settings
):
    """Before the first start: 1. Connected: 0 in one line. After SIGTERM: 1, saying it stopped."""
    code, output = await health(settings)
    assert code == 1 and output == "not healthy: no bot has run on this database yet\n"
    async with subprocess_bot(emulator, settings) as proc:
        code, output = await healthy_within(settings, 15)
        assert code == 0, output
        assert output.startswith("ok: connected, heartbeat ") and output.count("\n") == 1
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 15) == 0
    code, output = await health(settings)
    assert code == 1 and output.startswith("not healthy: the bot stopped ") and output.count("\n") == 1


async def test_health_fails_when_the_bot_was_killed_and_its_heartbeat_went_stale(
    emulator: Emulator, town: Town, settings: Settings
):
    """A bot killed without closing leaves a heartbeat that turns stale: health says how old it is."""
    async with subprocess_bot(emulator, settings) as proc:
        assert (await healthy_within(settings, 15))[0] == 0
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
    await asyncio.sleep(1.2)
    code, output = await health(settings, "--max-age", "1")
    assert code == 1 and output.startswith("not healthy: last heartbeat ") and output.endswith(" s ago\n")


async def test_the_scheduler_refreshes_the_heartbeat(
    emulator: Emulator, settings: Settings, harness: BotHarness
):
    """The heartbeat job is scheduled every 30 s, and each run writes a newer beat, connected."""
    bot = harness.bot
    assert bot is not None
    job = bot.scheduler.get_job("health:heartbeat")
    assert job is not None and job.trigger.interval.total_seconds() == 30
    await job.func()
    first = read_heartbeat(settings.storage.database_path)
    assert first is not None and first.connected
    await asyncio.sleep(0.01)
    await job.func()
    second = read_heartbeat(settings.storage.database_path)
    assert second is not None and second.connected and second.beat_at > first.beat_at
    assert (await health(settings))[0] == 0
