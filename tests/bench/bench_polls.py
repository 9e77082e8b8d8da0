"""Benchmark: 2,000 distinct members voting on one poll, climabot against a bare discord.py client.

Run with `python -m tests.bench.bench_polls [--members 2000] [--options 5] [--rounds 3] [--rate N]
[--languages]`; `rows(quick)` gives `python -m tests.bench` its rows (paced at 100 clicks/s, and unpaced).

Two bots are measured in the same run, each in its own process (as `climabot run` is deployed) against
its own fresh emulator in this process, in the order floor, climabot, floor in every round (A B A: the
floor's figures pool both of its runs, so a drift during the round falls on both sides):
- the floor: tests/bench/floor_bot.py, a minimal discord.py client whose DynamicItem button answers each
  click with the same ephemeral confirmation text, without any database; same embed and buttons;
- climabot: `python -m bot run` with a real SQLite file; every click is one write transaction, the
  answer is the confirmation (sent once the vote is committed), and the poll message is edited by the
  coalesced tally refresher.
Ratios are the ratio of climabot's median to the floor's median (and of the two p99s, ...), printed
beside both absolute figures; the summary over rounds takes the median of each side, then their ratio.

How a click is timed is in tests/bench/clicks.py. By default the clicks are sent as fast as the
emulator can (latency is then mostly time queued behind earlier clicks, and the ratio moves from run
to run); `--rate N` sends them at N per second: the same arrivals for both bots, and below saturation
each click's own service time. Each bot first answers 100 warm-up clicks (not measured). Peak memory is
the bot process's peak resident set size (VmHWM from /proc). The emulator's own CPU time during the
burst is printed too: if it is close to the burst's duration, the emulator (not the bot) is the
bottleneck and both figures are upper bounds.

`--languages` (off by default) asks whether choosing and rendering a translated reply costs time on
the vote path. In each round, after the measured burst above (voters whose Discord client sends the
locale en-US), the same climabot process takes two more bursts of the same size and pace, each on a
new poll with new members: voters whose locale is `de` (German replies from the shipped catalog),
then en-US voters again. This A B A order puts the German burst between two English ones, so a drift
during the run (a growing database, warmer caches, a neighbour on a shared machine) does not pass
for a language cost. Every reply is compared with `confirmation_text` in the voter's language, so
the German burst is known to have been answered in German. Half of the warm-up voters use `de`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.i18n import ENGLISH, Catalogs  # noqa: E402
from cogs.polls.tally import confirmation_text  # noqa: E402
from sandbox.emulator import Emulator  # noqa: E402
from sandbox.state import Message  # noqa: E402
from storage.polls import ClickAction  # noqa: E402
from tests.bench.clicks import (  # noqa: E402
    Burst,
    burst,
    drain,
    fresh_emulator,
    peak_rss_mib,
    percentile,
    pooled,
)
from tests.bench.floor_bot import LABELS, QUESTION, floor_environment  # noqa: E402
from tests.bench.table import Row  # noqa: E402
from tests.e2e.harness import bot_settings, configure_town, subprocess_bot  # noqa: E402
from tests.e2e.test_polls_stage import create_poll, stored_counts  # noqa: E402

# What bench_proposals builds on (it imports them from here).
__all__ = ["ROWS", "Phase", "burst", "drain", "fresh_emulator", "measure_floor", "peak_rss_mib", "pooled"]

# --languages: the Discord locale of each burst's voters (A B A) and the language climabot should answer in.
LANGUAGE_ORDER = ("en-US", "de", "en-US")
LANGUAGE_OF = {"en-US": "en", "de": "de"}
# The pace and sizes (rows(quick=False)); quick: a few seconds of clicks.
RATE = 100.0
FULL_MEMBERS, FULL_ROUNDS = 2000, 3
QUICK_MEMBERS, QUICK_ROUNDS = 300, 1
# An interaction must be answered within this many seconds (Discord's limit).
ANSWER_LIMIT = 3.0


# --- the two bots ------------------------------------------------------------------------------


@dataclass
class LanguageBurst:
    """One burst of --languages: its voters' Discord locale, its poll, what it measured."""

    locale: str
    poll_id: int
    burst: Burst
    counts: list[int] = field(default_factory=list)


@dataclass
class Phase:
    """One bot's figures."""

    name: str
    burst: Burst
    peak_rss: float
    edits: int | None = None
    counts: list[int] | None = None
    until_final: float | None = None  # first dispatch until the poll message showed every vote
    languages: list[LanguageBurst] = field(default_factory=list)  # --languages: the A B A bursts


async def measure_floor(members: int, options: int, rate: float | None) -> Phase:
    """The minimal discord.py bot in its own process: same message, same answer, no database."""
    async with fresh_emulator(members) as (emu, town, people, warmers):
        env = {
            **os.environ,
            **floor_environment(emu.token, emu.api_base_url, emu.gateway_url, town.general.id, options),
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.bench.floor_bot",
            env=env,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        reader = asyncio.create_task(drain(proc.stdout))
        try:
            message = await emu.wait_for_message(town.general, lambda m: bool(m.buttons()), timeout=30)
            ids = [b["custom_id"] for b in message.buttons()]
            await burst(emu, town, warmers, message, ids, pid=proc.pid)
            result = await burst(emu, town, people, message, ids, pid=proc.pid, rate=rate)
            rss = peak_rss_mib(proc.pid)
        finally:
            proc.kill()
            await proc.wait()
            await reader
        return Phase("floor", result, rss)


async def measure_climabot(
    members: int, options: int, rate: float | None, folder: Path, languages: bool = False
) -> Phase:
    """`python -m bot run` on a fresh SQLite file: a moderator creates the poll, then everyone votes.

    With `languages`, two more bursts follow on new polls (de voters, then en-US voters again).
    """
    async with fresh_emulator(members) as (emu, town, people, warmers):
        settings = bot_settings(emu, folder, [town.guild.id])
        await configure_town(settings, town)
        async with subprocess_bot(emu, settings, timeout=60) as proc:
            reader = asyncio.create_task(drain(proc.stdout))
            try:
                await emu.wait_for_commands(town.guild, {"poll"}, timeout=30)
                choices = "; ".join(LABELS[:options])
                if languages:
                    # Both languages' code paths are warm before anything is measured.
                    for warmer in warmers[1::2]:
                        warmer.user.locale = "de"
                _, warm = await create_poll(emu, town, question="Warm-up", options=choices)
                warm_ids = [b["custom_id"] for b in warm.buttons()]
                await burst(emu, town, warmers, warm, warm_ids, pid=proc.pid)
                await final_tally(emu, warm, len(warmers))
                # Let the warm-up poll's refresher finish its cool-down so it does not edit during the burst.
                await asyncio.sleep(2.5)
                poll_id, message = await create_poll(emu, town, question=QUESTION, options=choices)
                ids = [b["custom_id"] for b in message.buttons()]
                edit_path = rf"^/channels/{message.channel_id}/messages/{message.id}$"
                result = await burst(emu, town, people, message, ids, pid=proc.pid, rate=rate)
                await final_tally(emu, message, members)
                until_final = asyncio.get_running_loop().time() - result.started
                edits = emu.count_requests("PATCH", edit_path)
                rss = peak_rss_mib(proc.pid)
                runs = [LanguageBurst("en-US", poll_id, result)] if languages else []
                for number, locale in enumerate(LANGUAGE_ORDER[1:] if languages else (), start=2):
                    # The previous poll's refresher finishes its cool-down before the next burst.
                    await asyncio.sleep(2.5)
                    voters = town.guild.add_members(members, prefix=f"voter{number}-")
                    for voter in voters:
                        voter.user.locale = locale
                    question = f"{QUESTION} ({number})"
                    other_id, other = await create_poll(emu, town, question=question, options=choices)
                    other_ids = [b["custom_id"] for b in other.buttons()]
                    measured = await burst(emu, town, voters, other, other_ids, pid=proc.pid, rate=rate)
                    await final_tally(emu, other, members)
                    runs.append(LanguageBurst(locale, other_id, measured))
            finally:
                proc.kill()
                await proc.wait()
                await reader
        counts = stored_counts(settings.storage.database_path, poll_id)
        for run in runs:
            run.counts = stored_counts(settings.storage.database_path, run.poll_id)
        return Phase("climabot", result, rss, edits, counts, until_final, runs)


async def final_tally(emu: Emulator, message: Message, voters: int) -> None:
    """Wait until the poll message shows every voter."""
    wanted = f"{voters} members voted"
    await emu.world.wait_until(lambda: wanted in message.text or None, 30, "the final tally")


# --- report ------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    """Seconds as milliseconds."""
    return f"{seconds * 1000:8.1f} ms"


ROWS: list[tuple[str, Callable[[Phase], float], Callable[[float], str]]] = [
    ("median dispatch -> callback", lambda p: statistics.median(p.burst.latencies), ms),
    ("p99 dispatch -> callback", lambda p: percentile(p.burst.latencies, 0.99), ms),
    ("max dispatch -> callback", lambda p: max(p.burst.latencies), ms),
    ("votes per second", lambda p: p.burst.per_second, lambda v: f"{v:8.0f} /s  "),
    ("first click to last answer", lambda p: p.burst.duration, lambda v: f"{v:8.2f} s   "),
    ("clicks sent in", lambda p: p.burst.sending, lambda v: f"{v:8.2f} s   "),
    ("emulator CPU during burst", lambda p: p.burst.emulator_cpu, lambda v: f"{v:8.2f} s   "),
    ("bot CPU during burst", lambda p: p.burst.bot_cpu, lambda v: f"{v:8.2f} s   "),
    ("peak RSS of the bot process", lambda p: p.peak_rss, lambda v: f"{v:8.1f} MiB "),
]


def report(floor: Phase, bot: Phase, members: int) -> bool:
    """Print one round side by side with climabot/floor ratios; return whether every vote counted."""
    print(f"{'':30} {'floor':>12} {'climabot':>12} {'ratio':>7}")
    for name, get, fmt in ROWS:
        a, b = get(floor), get(bot)
        print(f"{name:30} {fmt(a):>12} {fmt(b):>12} {b / a:6.2f}x")
    assert bot.counts is not None and bot.edits is not None and bot.until_final is not None
    bound = math.ceil(bot.until_final / 2) + 1
    print(
        f"poll-message edits: {bot.edits} in {bot.until_final:.2f} s from the first click to the exact"
        f" final tally (at most one per 2 s allows {bound})"
    )
    counted = sum(bot.counts)
    confirmed = sum("is counted" in a for a in bot.burst.answers)
    every = counted == members == confirmed
    print(f"every vote counted: {'yes' if every else 'NO'} (database {counted}, confirmations {confirmed},"
          f" per option {bot.counts})")  # fmt: skip
    return every


LANGUAGE_ROWS: list[tuple[str, Callable[[list[Burst]], float], Callable[[float], str]]] = [
    ("median dispatch -> callback", lambda bs: statistics.median(x for b in bs for x in b.latencies), ms),
    ("p99 dispatch -> callback", lambda bs: percentile([x for b in bs for x in b.latencies], 0.99), ms),
    ("bot CPU per click", lambda bs: sum(b.bot_cpu for b in bs) / sum(len(b.latencies) for b in bs), ms),
]
LANGUAGE_HEADER = f"{'climabot, by Discord locale':30} {'en-US':>12} {'de':>12} {'en-US':>12} {'de/en':>7}"


def language_ratio(bot: Phase, get: Callable[[list[Burst]], float]) -> float:
    """A figure of the de burst over the same figure of both en-US bursts taken together."""
    return get([r.burst for r in bot.languages if r.locale == "de"]) / get(
        [r.burst for r in bot.languages if r.locale == "en-US"]
    )


def report_languages(bot: Phase, members: int, options: int) -> bool:
    """Print the A B A bursts side by side; return whether every reply was right and every vote counted.

    Raises AssertionError if the German voters were not answered with the German confirmation.
    """
    print(LANGUAGE_HEADER)
    for name, get, fmt in LANGUAGE_ROWS:
        cells = " ".join(f"{fmt(get([run.burst])):>12}" for run in bot.languages)
        print(f"{name:30} {cells} {language_ratio(bot, get):6.2f}x")
    catalogs, labels = Catalogs(), LABELS[:options]
    every = True
    for run in bot.languages:
        t = catalogs.lang(LANGUAGE_OF[run.locale])
        right = sum(
            answer == confirmation_text(t, ClickAction.VOTED, labels, {n % options})
            for n, answer in enumerate(run.burst.answers)
        )
        every = every and right == members == sum(run.counts)
        print(f"{run.locale} voters (poll {run.poll_id}): {right}/{members} replies in {t.code!r},"
              f" database counts {sum(run.counts)}")  # fmt: skip
    german = next(run for run in bot.languages if run.locale == "de").burst.answers[0]
    wanted = confirmation_text(catalogs.lang("de"), ClickAction.VOTED, labels, {0})
    if german != wanted or german == confirmation_text(ENGLISH, ClickAction.VOTED, labels, {0}):
        raise AssertionError(f"the first de voter was not answered in German: {german!r}")
    print(f"first de reply (checked German): {german!r}")
    return every


def summary_languages(rounds: list[tuple[Phase, Phase]]) -> None:
    """Print the median over rounds of each burst's figures and of each round's de/en ratio."""
    print(f"=== languages, median of {len(rounds)} rounds")
    print(LANGUAGE_HEADER)
    for name, get, fmt in LANGUAGE_ROWS:
        columns = zip(*([get([run.burst]) for run in bot.languages] for _, bot in rounds), strict=True)
        cells = " ".join(f"{fmt(statistics.median(column)):>12}" for column in columns)
        ratio = statistics.median(language_ratio(bot, get) for _, bot in rounds)
        print(f"{name:30} {cells} {ratio:6.2f}x")


def summary(rounds: list[tuple[Phase, Phase]]) -> None:
    """Print the median over rounds of each figure, and the ratio of those two medians."""
    print(f"=== median of {len(rounds)} rounds (ratio: of the two medians shown)")
    print(f"{'':30} {'floor':>12} {'climabot':>12} {'ratio':>7}")
    for name, get, fmt in ROWS:
        a = statistics.median(get(floor) for floor, _ in rounds)
        b = statistics.median(get(bot) for _, bot in rounds)
        print(f"{name:30} {fmt(a):>12} {fmt(b):>12} {b / a:6.2f}x")
    edits = [bot.edits for _, bot in rounds if bot.edits is not None]
    print(f"poll-message edits per round: {edits}")


@dataclass
class Round:
    """One A B A round: the floor's two runs pooled, climabot's run, and whether every vote counted."""

    floor: Phase
    bot: Phase
    every_vote: bool


async def measure_rounds(
    members: int, options: int, rounds: int, rate: float | None, languages: bool = False
) -> list[Round]:
    """Measure floor, climabot, floor (A B A) `rounds` times, printing each round as it ends."""
    results: list[Round] = []
    for number in range(1, rounds + 1):
        with tempfile.TemporaryDirectory(prefix="bench-polls-") as folder:
            # A B A: the floor before and after climabot, pooled, so drift falls on both sides.
            before = await measure_floor(members, options, rate)
            bot = await measure_climabot(members, options, rate, Path(folder), languages)
            after = await measure_floor(members, options, rate)
            floor = Phase("floor", pooled(before.burst, after.burst), max(before.peak_rss, after.peak_rss))
        print(f"--- round {number}")
        every = report(floor, bot, members)
        if languages:
            every = report_languages(bot, members, options) and every
        results.append(Round(floor, bot, every))
    return results


async def main(members: int, options: int, rounds: int, rate: float | None, languages: bool = False) -> None:
    """Measure floor, climabot, floor (A B A) `rounds` times and print the figures."""
    python = sys.version.split()[0]
    pace = "as fast as the emulator sends" if rate is None else f"paced at {rate:.0f} clicks/s"
    print(f"polls benchmark: {members} distinct members, {options} options, one click each, {pace};"
          f" Python {python}, {os.cpu_count()} CPUs")  # fmt: skip
    results = await measure_rounds(members, options, rounds, rate, languages)
    pairs = [(result.floor, result.bot) for result in results]
    if rounds > 1:
        summary(pairs)
        if languages:
            summary_languages(pairs)
    if not all(result.every_vote for result in results):
        print("SOME VOTES WERE NOT COUNTED")


def edits_within_bound(bot: Phase) -> bool:
    """Whether the poll message was edited at most once per 2 s (plus the first) until the exact tally."""
    assert bot.edits is not None and bot.until_final is not None
    return bot.edits <= math.ceil(bot.until_final / 2) + 1


def vote_row(name: str, results: list[Round]) -> Row:
    """One table row from every round's latencies (ms), pooled per side, with what was checked."""
    bots, floors = [r.bot for r in results], [r.floor for r in results]
    ours = [x * 1000 for bot in bots for x in bot.burst.latencies]
    floor = [x * 1000 for phase in floors for x in phase.burst.latencies]
    clicks = len(ours)
    cpu = sum(bot.burst.bot_cpu for bot in bots) / clicks * 1000
    floor_cpu = sum(p.burst.bot_cpu * p.burst.runs for p in floors) / len(floor) * 1000
    counted = all(r.every_vote for r in results)
    edits = all(edits_within_bound(bot) for bot in bots)
    extra = (
        f"{len(results)} round(s) A B A; every vote counted and confirmed: {'yes' if counted else 'NO'};"
        f" at most one poll edit per 2 s: {'yes' if edits else 'NO'} ({[bot.edits for bot in bots]} edits);"
        f" slowest answer {max(ours):.0f} ms (limit {ANSWER_LIMIT:.0f} s); bot CPU per click"
        f" {cpu:.2f} ms, floor {floor_cpu:.2f} ms"
    )
    return Row.from_samples(name, ours, floor, peak_mib=max(bot.peak_rss for bot in bots), extra=extra)


async def rows(quick: bool) -> list[Row]:
    """The vote path against the bare discord.py floor: paced at 100 clicks/s, then unpaced.

    Full: 2,000 members, three rounds paced and one unpaced; quick: 300 members, one round of each.
    Progress goes to stderr (stdout belongs to the table).
    """
    members, rounds = (QUICK_MEMBERS, QUICK_ROUNDS) if quick else (FULL_MEMBERS, FULL_ROUNDS)
    with contextlib.redirect_stdout(sys.stderr):
        paced = await measure_rounds(members, 5, rounds, RATE)
        unpaced = await measure_rounds(members, 5, 1, None)
    return [
        vote_row(f"poll vote click, {RATE:.0f}/s from {members:,} members", paced),
        vote_row(f"poll vote click, {members:,} members unpaced", unpaced),
    ]


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Read --members, --options, --rounds, --rate and --languages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--options", type=int, default=5, choices=range(2, len(LABELS) + 1))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--rate", type=float, default=None, help="clicks per second (default: as fast as possible)"
    )
    parser.add_argument(
        "--languages",
        action="store_true",
        help="also measure climabot's vote path per voters' Discord locale: after the en-US burst, the"
        " same bot takes a burst of voters with locale de (German replies, checked) and another en-US"
        " burst (A B A); prints median, p99 and CPU per click with de/en ratios (default: off)",
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = parse_args(sys.argv[1:])
    asyncio.run(main(args.members, args.options, args.rounds, args.rate, args.languages))
