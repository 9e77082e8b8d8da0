"""Benchmark: everyday commands on a big server, through the real bot process against the emulator.

Run: python -m tests.bench.bench_commands [--quick] [--runs N]

One climabot process (`python -m bot run`, as deployed) serves two servers of the same emulator: a big
one (5,000 open calls, 50,000 lessons, 10,000 proposals, a year of activity from 10,000 members, and one
member with 1,000 items of their own) and an empty one. Each command runs N times in each, alternately
(big, empty, big, ...), after two warm-up runs: the empty server is the floor, so the ratio is what the
data costs. For every run the emulator stamps when it dispatched the interaction and when the bot's
first response (answer or defer) and its answer (the message the person sees) arrived; a deferred
command gets two rows. `/mydata export`'s floor is a member without data on the big server. The peak
column is the bot process's peak resident set size (VmHWM) after that command's runs. `--quick` uses a
tenth of the sizes.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sandbox.emulator import Emulator
from sandbox.state import Member
from storage.repositories import open_storage
from tests.bench.bench_exchange import COMMON
from tests.bench.botproc import bot_process, peak_rss_mib, timed_command
from tests.bench.seed import seed_calls, seed_lessons, seed_member, seed_proposals, seed_year
from tests.bench.table import Row, render
from tests.e2e.harness import Town, bot_settings, build_town, configure_town

FULL = {"calls": 5000, "lessons": 50_000, "proposals": 10_000, "items": 1000, "members": 10_000}
COMMANDS = {"calls", "lessons", "proposal", "mydata", "insights"}
DEADLINE_MS = 3000.0


@dataclass
class World:
    """The two servers, the heavy member and the words to search for."""

    emu: Emulator
    big: Town
    empty: Town
    heavy: Member
    light: Member
    words: list[str]


async def seed(world: World, database: Path, sizes: dict[str, int], rng: random.Random) -> None:
    """Fill the big server's data straight into the database file, before the bot starts."""
    now = datetime.now(UTC)
    guild = world.big.guild.id
    members = [m.user.id for m in world.big.guild.add_members(sizes["members"], prefix="citizen")]
    db, _ = await open_storage(database, default_timezone="Europe/Brussels")
    try:
        await seed_calls(db, guild, sizes["calls"], now)
        vocab = await seed_lessons(db, guild, sizes["lessons"], now, rng)
        await seed_proposals(db, guild, sizes["proposals"], now, rng)
        await seed_year(db, guild, members, now, rng)
        await seed_member(db, guild, world.heavy.user.id, sizes["items"], now, rng)
    finally:
        await db.close()
    world.words = [rng.choice(COMMON) if rng.random() < 0.5 else rng.choice(vocab) for _ in range(400)]


async def measure(
    world: World, runs: int, name: str, command: str, big: Member, empty: Member, **options: Any
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Run a command alternately on the big and the empty side; return first and answer ms of each."""
    out: tuple[list[float], list[float], list[float], list[float]] = ([], [], [], [])
    for i in range(runs + 2):
        for side, who in ((0, big), (2, empty)):
            town = world.big if who.guild is world.big.guild else world.empty
            values = {k: (v(i) if callable(v) else v) for k, v in options.items()}
            first, answer, it = await timed_command(world.emu, town.guild, who, command, town.general, values)
            if "error" in (it.responses[-1].message.content if it.responses[-1].message else "").lower():
                raise AssertionError(f"{name}: the bot answered with an error: {it.responses}")
            if i >= 2:
                out[side].append(first)
                out[side + 1].append(answer)
    print(f"{name}: done", file=sys.stderr)
    return out


def late(values: list[float]) -> str:
    """A note when some runs took longer than Discord's 3 s to acknowledge."""
    over = sum(v > DEADLINE_MS for v in values)
    return f"; {over} over 3 s" if over else ""


async def run(quick: bool, runs: int) -> list[Row]:
    """Build the world, start the bot, time every command and return the rows."""
    sizes = {k: v // 10 for k, v in FULL.items()} if quick else dict(FULL)
    rng = random.Random(7)
    rows: list[Row] = []
    async with Emulator(interaction_deadline=None) as emu:
        big, empty = build_town(emu), build_town(emu)
        world = World(emu, big, empty, big.guild.add_member("heavy"), big.guild.add_member("light"), [])
        with tempfile.TemporaryDirectory() as tmp:
            settings = bot_settings(emu, Path(tmp), [big.guild.id, empty.guild.id])
            await configure_town(settings, big)
            await configure_town(settings, empty)
            began = time.perf_counter()
            await seed(world, settings.storage.database_path, sizes, rng)
            print(f"seeded in {time.perf_counter() - began:.1f} s", file=sys.stderr)
            async with bot_process(emu, settings, COMMANDS) as pid:
                cases: list[tuple[str, str, Member, Member, dict[str, Any], bool]] = [
                    (
                        f"/calls list, {sizes['calls']:,} calls",
                        "calls list",
                        big.member,
                        empty.member,
                        {},
                        False,
                    ),
                    (
                        f"/lessons search, {sizes['lessons']:,} lessons",
                        "lessons search",
                        big.member,
                        empty.member,
                        {"query": lambda i: world.words[i % len(world.words)]},
                        False,
                    ),
                    (
                        f"/proposal list, {sizes['proposals']:,} proposals",
                        "proposal list",
                        big.member,
                        empty.member,
                        {},
                        False,
                    ),
                    (
                        f"/mydata export, {sizes['items']:,} items",
                        "mydata export",
                        world.heavy,
                        world.light,
                        {},
                        True,
                    ),
                    (
                        f"/insights 365, {sizes['members']:,} members' year",
                        "insights",
                        big.moderator,
                        empty.moderator,
                        {"days": 365},
                        True,
                    ),
                ]
                for name, command, who_big, who_empty, options, deferred in cases:
                    first, answer, floor_first, floor_answer = await measure(
                        world, runs, name, command, who_big, who_empty, **options
                    )
                    peak = peak_rss_mib(pid)
                    note = (
                        f"n={runs}; floor: empty server"
                        if "mydata" not in command
                        else f"n={runs}; floor: member with no data"
                    )
                    if deferred:
                        rows.append(
                            Row.from_samples(
                                f"{name} → defer", first, floor_first, peak_mib=peak, extra=note + late(first)
                            )
                        )
                        rows.append(
                            Row.from_samples(
                                f"{name} → answer", answer, floor_answer, peak_mib=peak, extra=note
                            )
                        )
                    else:
                        rows.append(
                            Row.from_samples(
                                f"{name} → answer",
                                answer,
                                floor_answer,
                                peak_mib=peak,
                                extra=note + late(answer),
                            )
                        )
    return rows


async def rows(quick: bool) -> list[Row]:
    """The rows of this benchmark (4 runs per command in quick mode, 50 otherwise)."""
    return await run(quick, 4 if quick else 50)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args()
    runs = args.runs or (4 if args.quick else 50)
    print(
        render(
            asyncio.run(run(args.quick, runs)),
            quick=args.quick,
            command=" ".join(["python -m tests.bench.bench_commands", *sys.argv[1:]]),
        )
    )
