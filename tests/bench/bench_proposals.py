"""Benchmark: 2,000 distinct members pressing Support on one citizen proposal.

Run with `python -m tests.bench.bench_proposals [--members 2000] [--rate 200] [--rounds 1] [--no-floor]`
(`--help` lists the options and their defaults).

Built on the poll benchmark's harness (tests/bench/bench_polls.py, imported, not copied): a fresh
emulator per bot, clicks sent at a fixed pace, the interaction callback stamped as it arrives, latency =
callback - dispatch on this process's monotonic clock (gateway queue, the bot's work and the HTTP round
trip). Two bots, each in its own process:
- the floor: bench_polls' minimal discord.py client, whose button answers each click with a fixed
  ephemeral text and no database (the same floor the poll benchmark compares against);
- climabot: `python -m bot run` on a fresh SQLite file with a proposals forum; a member submits a
  proposal through the form, then every member presses Support once. Each click is one write
  transaction (the support row, the count, the once-only threshold claim) and an ephemeral answer; the
  post is repainted by the shared Coalescer (at most one edit per 2 s, the last one with the final count).

Checked after the burst: every click was confirmed ("You support proposal #N"), the database holds one
support row per member and the same count on the proposal, and the post shows the final count. The
number of edits of the post is compared with what one edit per 2 s allows.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import sqlite3
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.i18n import ENGLISH  # noqa: E402
from sandbox.emulator import Emulator  # noqa: E402
from sandbox.state import Channel, Message  # noqa: E402
from storage.repositories import open_storage  # noqa: E402
from tests.bench.bench_polls import (  # noqa: E402
    ROWS,
    Phase,
    burst,
    drain,
    fresh_emulator,
    measure_floor,
    peak_rss_mib,
    pooled,
)
from tests.bench.table import Row  # noqa: E402
from tests.e2e.harness import Town, bot_settings, configure_town, subprocess_bot  # noqa: E402
from tests.e2e.test_proposals_journey import FORM, posts_in, submit  # noqa: E402

DEFAULT_MEMBERS = 2000
DEFAULT_RATE = 200.0
DEFAULT_ROUNDS = 1
# The floor bot's message gets two buttons (its poll needs two options); every click is answered alike.
FLOOR_BUTTONS = 2
# The Coalescer's cool-down (bot/coalescer.py EDIT_INTERVAL is 2 s) plus a margin.
COOL_DOWN = 2.5
# The poll benchmark's rows, worded for supports. Phase.counts holds [support rows, proposal's count].
SUPPORT_ROWS: list[tuple[str, Callable[[Phase], float], Callable[[float], str]]] = [
    ("supports per second" if name == "votes per second" else name, get, fmt) for name, get, fmt in ROWS
]


async def choose_forum(settings_path: Path, guild_id: int, forum_id: int) -> None:
    """Store the proposals forum, as `/setup channels proposals_forum:` would."""
    db, repos = await open_storage(settings_path, default_timezone="UTC")
    try:
        await repos.guild_settings.set_channels(guild_id, proposals_forum=forum_id)
    finally:
        await db.close()


async def propose(emu: Emulator, town: Town, forum: Channel, title: str) -> tuple[int, Message]:
    """A member submits a proposal through the form; return its number and the post's first message."""
    reply = await submit(emu, town, town.member, {**FORM, "title": title}, theme="energy")
    assert "is posted" in reply.content, reply.content
    number = int(reply.content.split("#", 1)[1].split(" ", 1)[0])
    [post] = [p for p in posts_in(town, forum) if p.name == title]
    return number, emu.messages_in(post)[0]


async def final_count(emu: Emulator, message: Message, supporters: int) -> None:
    """Wait until the post shows every support."""
    wanted = ENGLISH.ngettext("{n} supporter", "{n} supporters", supporters)
    await emu.world.wait_until(lambda: wanted in message.text or None, 60, "the final count")


def stored(database: Path, proposal_id: int) -> tuple[int, int]:
    """The support rows and the supports column of a proposal, read with plain sqlite3."""
    with contextlib.closing(sqlite3.connect(database)) as conn:
        rows = conn.execute(
            "SELECT count(*) FROM proposal_supports WHERE proposal_id = ?", (proposal_id,)
        ).fetchone()
        count = conn.execute("SELECT supports FROM proposals WHERE id = ?", (proposal_id,)).fetchone()
    return int(rows[0]), int(count[0])


async def measure_climabot(members: int, rate: float, folder: Path) -> Phase:
    """`python -m bot run` on a fresh SQLite file: warm-up proposal, then the measured one."""
    async with fresh_emulator(members) as (emu, town, people, warmers):
        forum = town.guild.add_forum_channel("proposals")
        settings = bot_settings(emu, folder, [town.guild.id])
        await configure_town(settings, town)
        await choose_forum(settings.storage.database_path, town.guild.id, forum.id)
        async with subprocess_bot(emu, settings, timeout=60) as proc:
            reader = asyncio.create_task(drain(proc.stdout))
            try:
                await emu.wait_for_commands(town.guild, {"proposal"}, timeout=30)
                warm_id, warm = await propose(emu, town, forum, "Warm-up")
                await burst(emu, town, warmers, warm, [f"proposals:support:{warm_id}"], pid=proc.pid)
                await final_count(emu, warm, len(warmers))
                # The warm-up post's repaints finish their cool-down before the measured burst.
                await asyncio.sleep(COOL_DOWN)
                proposal_id, message = await propose(emu, town, forum, "Trees on every school yard")
                edit_path = rf"^/channels/{message.channel_id}/messages/{message.id}$"
                ids = [f"proposals:support:{proposal_id}"]
                result = await burst(emu, town, people, message, ids, pid=proc.pid, rate=rate)
                await final_count(emu, message, members)
                until_final = asyncio.get_running_loop().time() - result.started
                # A last repaint may still be due after the final count shows: count it too.
                await asyncio.sleep(COOL_DOWN)
                edits = emu.count_requests("PATCH", edit_path)
                rss = peak_rss_mib(proc.pid)
            finally:
                proc.kill()
                await proc.wait()
                await reader
        counts = list(stored(settings.storage.database_path, proposal_id))
        return Phase("climabot", result, rss, edits, counts, until_final)


async def measure_floor_phase(members: int, rate: float) -> Phase:
    """bench_polls' floor bot with one button, at the same pace."""
    floor = await measure_floor(members, FLOOR_BUTTONS, rate)
    return Phase("floor", floor.burst, floor.peak_rss)


def report(floor: Phase | None, bot: Phase, members: int) -> bool:
    """Print one round (with climabot/floor ratios when the floor ran); return whether all counted."""
    if floor is None:
        print(f"{'':30} {'climabot':>12}")
    else:
        print(f"{'':30} {'floor':>12} {'climabot':>12} {'ratio':>7}")
    for name, get, fmt in SUPPORT_ROWS:
        b = get(bot)
        if floor is None:
            print(f"{name:30} {fmt(b):>12}")
        else:
            a = get(floor)
            print(f"{name:30} {fmt(a):>12} {fmt(b):>12} {b / a:6.2f}x")
    assert bot.edits is not None and bot.until_final is not None and bot.counts is not None
    allowed = math.ceil(bot.until_final / 2) + 1
    print(
        f"post edits: {bot.edits} in {bot.until_final:.2f} s from the first click to the exact final count"
        f" (at most one per 2 s allows {allowed})"
    )
    confirmed = sum("You support proposal #" in a for a in bot.burst.answers)
    rows, count = bot.counts
    every = rows == count == confirmed == members
    print(
        f"every support counted: {'yes' if every else 'NO'} (support rows {rows}, proposal count {count},"
        f" confirmations {confirmed})"
    )
    return every


def summary(rounds: list[tuple[Phase | None, Phase]]) -> None:
    """Print the median over rounds of each climabot figure (and the floor's, when it ran)."""
    print(f"=== median of {len(rounds)} rounds")
    for name, get, fmt in SUPPORT_ROWS:
        bot = statistics.median(get(b) for _, b in rounds)
        floors = [get(f) for f, _ in rounds if f is not None]
        floor = f"{fmt(statistics.median(floors)):>12}" if floors else ""
        print(f"{name:30} {floor} {fmt(bot):>12}")
    print(f"post edits per round: {[b.edits for _, b in rounds]}")


async def rows(quick: bool) -> list[Row]:
    """Support clicks at 100/s from 2,000 members (200 quick), floor, climabot, floor (A B A)."""
    members, rate = (200, 100.0) if quick else (2000, 100.0)
    with tempfile.TemporaryDirectory(prefix="bench-proposals-") as folder:
        before = await measure_floor_phase(members, rate)
        bot = await measure_climabot(members, rate, Path(folder))
        after = await measure_floor_phase(members, rate)
    floor = pooled(before.burst, after.burst)
    rows_, count = bot.counts or (0, 0)
    every = rows_ == count == members == sum("You support proposal #" in a for a in bot.burst.answers)
    return [
        Row.from_samples(
            f"proposal Support click → answer, {members:,} members at {rate:.0f}/s",
            [s * 1000 for s in bot.burst.latencies],
            [s * 1000 for s in floor.latencies],
            peak_mib=bot.peak_rss,
            extra=f"floor: bare discord.py bot, A B A; every support counted: {'yes' if every else 'NO'};"
            f" {bot.edits} post edits in {bot.until_final or 0:.1f} s",
        )
    ]


async def main(members: int, rate: float, rounds: int, with_floor: bool) -> None:
    """Measure climabot (and the floor) `rounds` times and print the figures."""
    python = sys.version.split()[0]
    print(f"proposals benchmark: {members} distinct members press Support once on one proposal,"
          f" paced at {rate:.0f} clicks/s; Python {python}, {os.cpu_count()} CPUs")  # fmt: skip
    results: list[tuple[Phase | None, Phase]] = []
    every = True
    for number in range(1, rounds + 1):
        with tempfile.TemporaryDirectory(prefix="bench-proposals-") as folder:
            floor = await measure_floor_phase(members, rate) if with_floor else None
            bot = await measure_climabot(members, rate, Path(folder))
        print(f"--- round {number}")
        every = report(floor, bot, members) and every
        results.append((floor, bot))
    if rounds > 1:
        summary(results)
    if not every:
        print("SOME SUPPORTS WERE NOT COUNTED")
        raise SystemExit(1)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Read --members, --rate, --rounds and --no-floor."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument(
        "--members",
        type=int,
        default=DEFAULT_MEMBERS,
        help="distinct members, each pressing Support once (default: %(default)s)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=DEFAULT_RATE,
        help="clicks per second sent to each bot, the same paced arrivals for the floor and climabot"
        " (default: %(default)s)",
    )
    parser.add_argument(
        "--rounds", type=int, default=DEFAULT_ROUNDS, help="measurements of each bot (default: %(default)s)"
    )
    parser.add_argument(
        "--no-floor",
        dest="floor",
        action="store_false",
        help="measure climabot only, without bench_polls' minimal floor bot (default: measure the floor too)",
    )
    args = parser.parse_args(argv)
    if args.members < 1 or args.rate <= 0 or args.rounds < 1:
        parser.error("--members and --rounds must be at least 1 and --rate above 0")
    return args


if __name__ == "__main__":
    options = parse_args(sys.argv[1:])
    asyncio.run(main(options.members, options.rate, options.rounds, options.floor))
