"""Benchmark: the bot process's peak memory on a busy server, against the same bot with no data.

Run: python -m tests.bench.bench_memory [--quick]

Two fresh `python -m bot run` processes, one after the other, each against its own emulator:
- the floor: an empty database, a server with the standard handful of people;
- the busy one: a server of 10,000 members whose data is stored (profiles, cities, call subscriptions,
  ballots in 100 closed polls, testimonials, proposal supports: tests/bench/seed.py `seed_year`), 10,000
  pending scheduled jobs (announcements and call reminders, tests/bench/bench_calls.py `fill`), and 100
  polls opened through `/poll create`, each then voted on by ten members.
Peak memory is the process's peak resident set size (VmHWM from /proc), read once the bot has done all
of that (the floor: once its commands are synced). `--quick` uses a tenth of every size.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sandbox.emulator import Emulator
from storage.repositories import open_storage
from tests.bench.bench_calls import fill
from tests.bench.botproc import bot_process, peak_rss_mib
from tests.bench.seed import seed_year
from tests.bench.table import Row, render
from tests.e2e.harness import bot_settings, build_town, configure_town
from tests.e2e.test_polls_stage import create_poll, vote

COMMANDS = {"poll", "calls", "mydata"}


async def idle_peak() -> float:
    """Peak RSS of a bot on an empty database, once its commands are synced."""
    async with Emulator(interaction_deadline=None) as emu:
        town = build_town(emu)
        with tempfile.TemporaryDirectory() as tmp:
            settings = bot_settings(emu, Path(tmp), [town.guild.id])
            await configure_town(settings, town)
            async with bot_process(emu, settings, COMMANDS) as pid:
                await asyncio.sleep(1)
                return peak_rss_mib(pid)


async def busy_peak(members: int, jobs: int, polls: int) -> tuple[float, float]:
    """Peak RSS of a bot with the busy server: (right after start-up, after the polls and votes)."""
    async with Emulator(interaction_deadline=None) as emu:
        town = build_town(emu)
        people = town.guild.add_members(members, prefix="citizen")
        with tempfile.TemporaryDirectory() as tmp:
            settings = bot_settings(emu, Path(tmp), [town.guild.id])
            await configure_town(settings, town)
            began = time.perf_counter()
            db, _ = await open_storage(settings.storage.database_path, default_timezone="Europe/Brussels")
            try:
                await seed_year(
                    db, town.guild.id, [p.user.id for p in people], datetime.now(UTC), random.Random(3)
                )
            finally:
                await db.close()
            await fill(settings, town, jobs)
            print(f"memory: seeded in {time.perf_counter() - began:.1f} s", file=sys.stderr)
            async with bot_process(emu, settings, COMMANDS) as pid:
                started = peak_rss_mib(pid)
                for number in range(polls):
                    poll_id, message = await create_poll(emu, town, question=f"Poll {number}: which pilot?")
                    for voter in people[number * 10 : number * 10 + 10]:
                        await vote(emu, town, voter, message, poll_id, number % 3)
                await asyncio.sleep(1)
                return started, peak_rss_mib(pid)


async def rows(quick: bool) -> list[Row]:
    """The idle bot and the busy one (a tenth of the sizes in quick mode)."""
    members, jobs, polls = (1000, 1000, 10) if quick else (10_000, 10_000, 100)
    idle = await idle_peak()
    started, busy = await busy_peak(members, jobs, polls)
    return [
        Row("bot process, empty database (idle)", None, None, peak_mib=idle, extra="floor of the row below"),
        Row(
            f"bot process, {polls} open polls, {members:,} members' data, {jobs:,} pending jobs",
            None,
            None,
            peak_mib=busy,
            extra=f"{busy / idle:.2f}× the idle bot; {started:.0f} MiB right after start-up",
        ),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    command = " ".join(["python -m tests.bench.bench_memory", *sys.argv[1:]])
    print(render(asyncio.run(rows(args.quick)), quick=args.quick, command=command))
