"""Benchmark of the calls capability's scheduling, against the emulator (figures printed, not asserted).

1. Start-up: the time from ClimaBot(...).start() to ready, with 0 and with 10,000 pending scheduled
   items (5,000 announcements and 5,001 deadline reminders of 1,667 calls), every one of which is
   read, checked for misfire and given a Timeline job. The floor is the start-up with 0 items.
2. Delivery delay: announcements due every 20 ms (spread) and 200 due at the same instant (burst);
   the delay between an item's due time and its message being stored by the emulator. The floor is
   the round trip of a plain channel.send from the same bot in the same run.

Run: python -m tests.bench.bench_calls [--items 10000] [--repeats 5]
Peak memory: the Python heap peak during one start-up (tracemalloc); SQLite's page cache is outside it.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.settings import Settings
from cogs.calls.recurrence import reminder_times
from sandbox.emulator import Emulator
from storage.announcements import AnnouncementInput
from storage.calls import CallInput
from storage.repositories import open_storage
from tests.bench.botproc import peak_rss_mib
from tests.bench.table import Row
from tests.e2e.harness import BotHarness, Town, bot_settings, build_town, configure_town

BRUSSELS = ZoneInfo("Europe/Brussels")
OFFSETS = [timedelta(days=14), timedelta(days=3), timedelta(days=1)]


def percentile(values: list[float], fraction: float) -> float:
    """Return the value below which `fraction` of the sorted values fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def describe(name: str, seconds: list[float], floor: float | None = None) -> str:
    """One line of figures in milliseconds."""
    ms = [s * 1000 for s in seconds]
    line = (
        f"{name:<48} n={len(ms):<5} median {statistics.median(ms):8.1f} ms  "
        f"p99 {percentile(ms, 0.99):8.1f} ms  max {max(ms):8.1f} ms"
    )
    if floor:
        line += f"  ({statistics.median(seconds) / floor:6.1f}x floor)"
    return line


def announcement(town: Town, due: datetime, message: str) -> AnnouncementInput:
    """An announcement in the town's announcements channel."""
    due = due.replace(microsecond=due.microsecond // 1000 * 1000)
    return AnnouncementInput(
        town.announcements.id,
        message,
        "none",
        "Europe/Brussels",
        due.astimezone(BRUSSELS).replace(tzinfo=None),
        due,
    )


async def fill(settings: Settings, town: Town, items: int) -> None:
    """Store `items` pending scheduled rows, all due in the future (half announcements, half reminders)."""
    if items == 0:
        return
    now = datetime.now(UTC)
    db, repos = await open_storage(settings.storage.database_path, default_timezone="Europe/Brussels")
    try:
        calls = [
            CallInput(
                f"BENCH-{i:05d}", f"Call {i}", "other", now + timedelta(days=30, minutes=i), "Europe/Brussels"
            )
            for i in range((items // 2 + 2) // 3)
        ]
        await repos.calls.upsert_many(
            town.guild.id,
            calls,
            created_by=1,
            planner=lambda deadline, zone, at: reminder_times(deadline, OFFSETS, ZoneInfo(zone), now=at),
            now=now,
        )
        for i in range(items - len(calls) * 3):
            due = now + timedelta(days=1, minutes=i)
            await repos.announcements.schedule(
                town.guild.id, announcement(town, due, f"item {i}"), created_by=1, now=now
            )
    finally:
        await db.close()


async def timed_start(emu: Emulator, settings: Settings, *, trace: bool = False) -> tuple[float, int, int]:
    """Start the bot, return (seconds to ready, calls jobs scheduled, peak traced heap bytes), and stop it."""
    harness = BotHarness(emu, settings)
    if trace:
        tracemalloc.start()
    began = time.perf_counter()
    await harness.start(timeout=120)
    elapsed = time.perf_counter() - began
    peak = 0
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert harness.bot is not None
    jobs = len(harness.bot.timeline.pending("announce:")) + len(harness.bot.timeline.pending("reminder:"))
    await harness.stop()
    return elapsed, jobs, peak


async def startup(items: int, repeats: int) -> tuple[list[float], int, int]:
    """Measure start-up `repeats` times with `items` pending rows; return (times, jobs, peak heap)."""
    async with Emulator(interaction_deadline=None) as emu:
        town = build_town(emu)
        with tempfile.TemporaryDirectory() as tmp:
            settings = bot_settings(emu, Path(tmp), [town.guild.id])
            await configure_town(settings, town)
            await fill(settings, town, items)
            times = []
            jobs = 0
            await timed_start(emu, settings)  # warm-up: imports and caches, not measured
            for _ in range(repeats):
                elapsed, jobs, _ = await timed_start(emu, settings)
                times.append(elapsed)
            _, _, peak = await timed_start(emu, settings, trace=True)
    return times, jobs, peak


async def wait_for(emu: Emulator, check: Callable[[], bool], timeout: float, what: str) -> None:
    """Wait until check() holds."""
    await emu.world.wait_until(lambda: True if check() else None, timeout, what)


async def delays(spread: int, burst: int) -> tuple[list[float], list[float], list[float]]:
    """Return (floor round trips, spread delays, burst delays) in seconds."""
    async with Emulator(interaction_deadline=None) as emu:
        town = build_town(emu)
        with tempfile.TemporaryDirectory() as tmp:
            settings = bot_settings(emu, Path(tmp), [town.guild.id])
            await configure_town(settings, town)
            harness = BotHarness(emu, settings)
            bot = await harness.start()
            try:
                channel = bot.get_partial_messageable(town.general.id, guild_id=town.guild.id)
                floor = []
                for i in range(50):
                    began = time.perf_counter()
                    await channel.send(f"floor {i}")
                    floor.append(time.perf_counter() - began)
                dispatcher = bot.get_cog("Calls").dispatcher  # type: ignore[union-attr]
                spread_delays = await deliver(
                    emu,
                    town,
                    dispatcher.add_announcement,
                    [timedelta(seconds=1, milliseconds=20 * i) for i in range(spread)],
                )
                burst_delays = await deliver(
                    emu, town, dispatcher.add_announcement, [timedelta(seconds=1)] * burst
                )
            finally:
                await harness.stop()
    return floor, spread_delays, burst_delays


async def deliver(
    emu: Emulator, town: Town, add: Callable[..., Awaitable[object]], offsets: list[timedelta]
) -> list[float]:
    """Schedule one announcement per offset from now and return each one's due-to-delivered delay."""
    base = datetime.now(UTC)
    before = len(emu.messages_in(town.announcements))
    tag = f"run{time.monotonic_ns()}"
    due_by_text = {}
    for i, offset in enumerate(offsets):
        item = announcement(town, base + offset, f"{tag} {i}")
        due_by_text[item.message] = item.due_at
        await add(town.guild.id, item, created_by=1)
    total = before + len(offsets)
    await wait_for(emu, lambda: len(emu.messages_in(town.announcements)) >= total, 120, "every announcement")
    return [
        m.timestamp - due_by_text[m.content].timestamp()
        for m in emu.messages_in(town.announcements)
        if m.content in due_by_text
    ]


async def rows(quick: bool) -> list[Row]:
    """Start-up with 10,000 pending items (500 quick) against none, and delivery delays."""
    items, repeats, spread, burst = (500, 1, 30, 50) if quick else (10_000, 5, 100, 200)
    empty, _, _ = await startup(0, repeats)
    full, jobs, _ = await startup(items, repeats)
    floor_trips, spread_delays, burst_delays = await delays(spread=spread, burst=burst)
    ms = [[s * 1000 for s in values] for values in (empty, full, floor_trips, spread_delays, burst_delays)]
    return [
        Row.from_samples(
            f"start-up to ready, {items:,} pending items",
            ms[1],
            ms[0],
            extra=f"{jobs:,} jobs; n={repeats}; floor: start-up with none",
        ),
        Row.from_samples(
            f"due → message at Discord, {spread} due 20 ms apart",
            ms[3],
            ms[2],
            extra="floor: a plain channel.send round trip",
        ),
        Row.from_samples(
            f"due → message at Discord, {burst} due at once",
            ms[4],
            ms[2],
            peak_mib=peak_rss_mib(),
            extra="floor: a plain channel.send round trip; peak: bot and emulator in one process",
        ),
    ]


async def main(items: int, repeats: int) -> None:
    """Run both benchmarks and print the figures."""
    print(f"python {sys.version.split()[0]}; {items} pending items; {repeats} start-ups each")
    empty, _, empty_peak = await startup(0, repeats)
    full, jobs, full_peak = await startup(items, repeats)
    floor = statistics.median(empty)
    print(describe("start-up to ready, 0 pending (floor)", empty))
    print(describe(f"start-up to ready, {items} pending ({jobs} jobs)", full, floor))
    print(
        f"{'peak Python heap during start-up':<48} 0 pending {empty_peak / 2**20:6.1f} MiB; "
        f"{items} pending {full_peak / 2**20:6.1f} MiB"
    )
    floor_trips, spread, burst = await delays(spread=100, burst=200)
    trip = statistics.median(floor_trips)
    print(describe("channel.send round trip (floor)", floor_trips))
    print(describe("due -> in emulator, 100 due 20 ms apart", spread, trip))
    print(describe("due -> in emulator, 200 due at once", burst, trip))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.items, arguments.repeats))
