"""`climabot run` with many pending jobs: no log line per job at INFO, and a chatty start never stalls.

The bot runs as its own process (tests/e2e/harness.py subprocess_bot), whose output the harness reads
from the first byte. With 1,500 pending reminders, APScheduler alone logs more than a pipe holds
(64 KiB) before the bot connects when the level is DEBUG; at INFO it logs no line per job at all.
"""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.settings import Settings
from cogs.calls.recurrence import reminder_times
from sandbox.emulator import Emulator
from storage.calls import CallInput
from storage.repositories import open_storage
from tests.e2e.harness import BotProcess, Town, subprocess_bot

CALLS = 500  # three reminders each (14, 3 and 1 days before the deadline): 1,500 pending jobs
OFFSETS = [timedelta(days=14), timedelta(days=3), timedelta(days=1)]
PIPE_BYTES = 64 * 1024


async def store_pending_reminders(settings: Settings, town: Town) -> None:
    """Register CALLS calls with deadlines next month, so every reminder is a pending job at start."""
    now = datetime.now(UTC)
    db, repos = await open_storage(settings.storage.database_path, default_timezone="Europe/Brussels")
    try:
        calls = [
            CallInput(
                f"JOBS-{i:04d}", f"Call {i}", "other", now + timedelta(days=30, minutes=i), "Europe/Brussels"
            )
            for i in range(CALLS)
        ]
        await repos.calls.upsert_many(
            town.guild.id,
            calls,
            created_by=town.moderator.id,
            planner=lambda deadline, zone, at: reminder_times(deadline, OFFSETS, ZoneInfo(zone), now=at),
            now=now,
        )
    finally:
        await db.close()


async def line_containing(proc: BotProcess, text: str, timeout: float = 20.0) -> str:
    """The first output line containing `text`, waiting for it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        found = next((line for line in proc.lines if text in line), None)
        if found is not None:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"no line with {text!r} in {timeout}s; last lines:\n" + "\n".join(proc.lines[-10:]))


async def stop(proc: BotProcess) -> int:
    """SIGTERM the bot and wait for its exit code and the end of its output."""
    proc.send_signal(signal.SIGTERM)
    code = await asyncio.wait_for(proc.wait(), 20)
    await proc.finish()
    return code


async def test_a_start_with_many_pending_jobs_logs_no_line_per_job(
    emulator: Emulator, town: Town, settings: Settings
) -> None:
    """At INFO, 1,500 pending reminders give one summary line from climabot and none from APScheduler."""
    await store_pending_reminders(settings, town)
    async with subprocess_bot(emulator, settings) as proc:
        summary = await line_containing(proc, "calls: ")
        assert f"{CALLS * 3} reminders resumed" in summary or f"{CALLS * 3} jobs scheduled" in summary
        code = await stop(proc)
    assert code == 0, proc.text()[-2000:]
    assert [line for line in proc.lines if "apscheduler" in line] == []
    assert len(proc.lines) < 100, f"{len(proc.lines)} lines at start"


async def test_a_bot_that_logs_more_than_a_pipe_holds_before_connecting_still_connects(
    emulator: Emulator, town: Town, settings: Settings
) -> None:
    """At DEBUG the same start writes several pipes' worth before connecting; the bot connects anyway."""
    await store_pending_reminders(settings, town)
    async with subprocess_bot(
        emulator, settings, timeout=60, env={"CLIMABOT_LOGGING__LEVEL": "DEBUG"}
    ) as proc:
        connected = len(proc.lines)
        before = proc.lines[:connected]
        assert sum(len(line) + 1 for line in before) > PIPE_BYTES
        assert sum("apscheduler" in line for line in before) >= CALLS * 3
        await emulator.wait_for_commands(town.guild, {"calls"}, timeout=30)
        code = await stop(proc)
    assert code == 0, proc.text()[-2000:]
    assert "Traceback" not in proc.text()
