"""Benchmark: 2,000 distinct members voting on one poll as fast as the emulator can send the clicks.

Run with `python -m tests.bench.bench_polls [--members 2000] [--options 5] [--rounds 3] [--rate N]
[--languages]`.

Two bots are measured in the same run, each in its own process (as `climabot run` is deployed) against
its own fresh emulator in this process, in the order floor, climabot, floor in every round (A B A: the
floor's figures pool both of its runs, so a drift during the round falls on both sides):
- the floor: a minimal discord.py client whose DynamicItem button answers each click with the same
  ephemeral confirmation text, without any database; its message has the same embed and buttons;
- climabot: `python -m bot run` with a real SQLite file; every click is one write transaction, the
  answer is the confirmation, and the poll message is edited by the coalesced tally refresher.

For every click the emulator records when it dispatched INTERACTION_CREATE (`created_monotonic`);
this script stamps the moment the interaction callback arrived (the first entry appended to the
record's `responses`). Latency = callback - dispatch, both on this process's monotonic clock, so it
includes the gateway queue, the bot's work and the HTTP round trip. By default the clicks are sent in
a loop that yields to the event loop after each one (so the emulator keeps serving the bot while
sending): latency is then mostly time spent queued behind earlier clicks, and how fast the emulator
sends depends on how busy the bot keeps it, so the ratio moves from run to run. `--rate N` sends the
clicks at a fixed N per second instead: the same arrivals for both bots, and below saturation the
latency is each click's own service time. Each bot first answers 100 warm-up clicks (not measured).
Peak memory is the bot process's peak resident set size (VmHWM from /proc). The emulator's own CPU
time during the burst is printed too: if it is close to the burst's duration, the emulator (not the
bot) is the bottleneck and both figures are upper bounds.

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
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.i18n import ENGLISH, Catalogs  # noqa: E402
from cogs.polls.tally import confirmation_text  # noqa: E402
from sandbox.emulator import Emulator  # noqa: E402
from sandbox.interactions import InteractionRecord, Response  # noqa: E402
from sandbox.state import Member, Message  # noqa: E402
from storage.polls import ClickAction  # noqa: E402
from tests.e2e.harness import Town, bot_settings, build_town, configure_town, subprocess_bot  # noqa: E402
from tests.e2e.test_polls_stage import create_poll, stored_counts  # noqa: E402

QUESTION = "Which pilot should the mission fund first?"
LABELS = ("Energy communities", "Low-emission zones", "Green roofs", "Heat pumps", "Cycle lanes")
FLOOR_FLAG = "--floor-bot"
# Clicks before the measured burst, so both bots (and the emulator) have warm connections and code paths.
WARM_UP = 100
# --languages: the Discord locale of each burst's voters (A B A) and the language climabot should answer in.
LANGUAGE_ORDER = ("en-US", "de", "en-US")
LANGUAGE_OF = {"en-US": "en", "de": "de"}


# --- timing what the emulator records ----------------------------------------------------------


class Tracker:
    """Counts answered clicks and wakes the benchmark when all are answered."""

    def __init__(self, expected: int) -> None:
        """Expect this many callbacks."""
        self.expected = expected
        self.answered = 0
        self.all_answered = asyncio.Event()


class StampedResponses(list[Response]):
    """An interaction's response list that notes when the first response (the callback) arrived."""

    def __init__(self, tracker: Tracker) -> None:
        """Start empty, unstamped."""
        super().__init__()
        self.tracker = tracker
        self.first_at: float | None = None

    def append(self, item: Response) -> None:
        """Record the arrival time of the first response, then keep it like a plain list."""
        if self.first_at is None:
            self.first_at = asyncio.get_running_loop().time()
            self.tracker.answered += 1
            if self.tracker.answered == self.tracker.expected:
                self.tracker.all_answered.set()
        super().append(item)


@dataclass
class Burst:
    """What one burst measured."""

    latencies: list[float]
    duration: float  # first dispatch to last callback
    sending: float  # first dispatch to last dispatch
    emulator_cpu: float
    bot_cpu: float
    answers: list[str]
    started: float  # loop time of the first dispatch
    runs: int = 1  # bursts pooled into this one (the floor's two runs of a round): times are their means

    @property
    def per_second(self) -> float:
        """Answered clicks per second over the whole burst."""
        return len(self.latencies) / self.runs / self.duration


def pooled(first: Burst, second: Burst) -> Burst:
    """Two bursts as one: every latency of both, mean durations and CPU times."""
    runs = first.runs + second.runs

    def mean(a: float, b: float) -> float:
        """The mean over both bursts' runs."""
        return (a * first.runs + b * second.runs) / runs

    return Burst(
        first.latencies + second.latencies,
        mean(first.duration, second.duration),
        mean(first.sending, second.sending),
        mean(first.emulator_cpu, second.emulator_cpu),
        mean(first.bot_cpu, second.bot_cpu),
        first.answers + second.answers,
        first.started,
        runs,
    )


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def burst(
    emu: Emulator,
    town: Town,
    members: list[Member],
    message: Message,
    ids: list[str],
    *,
    pid: int,
    rate: float | None = None,
) -> Burst:
    """Click as every member (option n mod len(ids)), as fast as possible or at `rate` per second."""
    loop = asyncio.get_running_loop()
    tracker = Tracker(len(members))
    records: list[InteractionRecord] = []
    cpu, bot_cpu = time.process_time(), cpu_seconds(pid)
    first = loop.time()
    for n, member in enumerate(members):
        record = await emu.click(town.guild, member, message, ids[n % len(ids)])
        # Nothing has run since the dispatch (it is synchronous), so no response can be missed.
        assert not record.responses
        record.responses = StampedResponses(tracker)
        records.append(record)
        wait = 0.0 if rate is None else first + (n + 1) / rate - loop.time()
        await asyncio.sleep(max(0.0, wait))
    sent = loop.time()
    await asyncio.wait_for(tracker.all_answered.wait(), 300)
    cpu, bot_cpu = time.process_time() - cpu, cpu_seconds(pid) - bot_cpu
    stamps = [r.responses.first_at for r in records if isinstance(r.responses, StampedResponses)]
    latencies = [at - r.created_monotonic for at, r in zip(stamps, records, strict=True) if at is not None]
    answers = [r.original.content if r.original is not None else "" for r in records]
    done = max(at for at in stamps if at is not None)
    return Burst(latencies, done - first, sent - first, cpu, bot_cpu, answers, first)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def peak_rss_mib(pid: int) -> float:
    """A process's peak resident set size (VmHWM) in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def drain(stream: asyncio.StreamReader | None) -> None:
    """Read a child's output so a full pipe never blocks it."""
    if stream is not None:
        while await stream.read(65536):
            pass


@contextlib.asynccontextmanager
async def fresh_emulator(
    members: int,
) -> AsyncIterator[tuple[Emulator, Town, list[Member], list[Member]]]:
    """A started emulator without the 3 s deadline, the standard town, voters and warm-up voters."""
    emu = Emulator(interaction_deadline=None)
    await emu.start()
    try:
        town = build_town(emu)
        voters = town.guild.add_members(members, prefix="citizen")
        yield emu, town, voters, town.guild.add_members(WARM_UP, prefix="warm")
    finally:
        await emu.stop()


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
            "FLOOR_TOKEN": emu.token,
            "FLOOR_API": emu.api_base_url,
            "FLOOR_GATEWAY": emu.gateway_url,
            "FLOOR_CHANNEL": str(town.general.id),
            "FLOOR_OPTIONS": str(options),
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.bench.bench_polls",
            FLOOR_FLAG,
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


def floor_bot_main() -> None:
    """The floor bot's process: post the poll message, then answer every click without a database."""
    import discord
    from pydantic import SecretStr

    from bot.client import point_discord_at
    from bot.i18n import ENGLISH
    from bot.settings import DiscordSettings
    from cogs.polls.render import poll_embed
    from cogs.polls.rules import VOTE_ID_PATTERN, parse_vote_custom_id, vote_custom_id
    from cogs.polls.tally import confirmation_text
    from storage.polls import ClickAction, Poll, PollResults

    token = os.environ["FLOOR_TOKEN"]
    point_discord_at(
        DiscordSettings(
            token=SecretStr(token),
            api_base_url=os.environ["FLOOR_API"],
            gateway_url=os.environ["FLOOR_GATEWAY"],
        )
    )
    labels = LABELS[: int(os.environ["FLOOR_OPTIONS"])]
    now = datetime.now(UTC)
    poll = Poll(1, 0, 0, None, QUESTION, labels, False, False, False, 0, now, None, None)

    class FloorVote(discord.ui.DynamicItem[discord.ui.Button[Any]], template=VOTE_ID_PATTERN):
        """The same custom_id as climabot's vote button; the callback only answers."""

        def __init__(self, poll_id: int, option: int, label: str = "Vote") -> None:
            """Build the button."""
            self.option = option
            button = discord.ui.Button[Any](label=label, custom_id=vote_custom_id(poll_id, option))
            super().__init__(button, row=option // 5)

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: Any, /
        ) -> FloorVote:
            """Rebuild from the custom_id."""
            poll_id, option = parse_vote_custom_id(str(getattr(item, "custom_id", "")))
            return cls(poll_id, option)

        async def callback(self, interaction: discord.Interaction[Any]) -> None:
            """Answer privately with the text climabot would send for a first vote."""
            text = confirmation_text(ENGLISH, ClickAction.VOTED, labels, {self.option})
            await interaction.response.send_message(text, ephemeral=True)

    class FloorBot(discord.Client):
        """A minimal bot: guilds intent, one dynamic button class."""

        async def setup_hook(self) -> None:
            """Take clicks on the vote buttons."""
            self.add_dynamic_items(FloorVote)

        async def on_ready(self) -> None:
            """Post the poll message (same embed and buttons as climabot's)."""
            view = discord.ui.View(timeout=None)
            for index, label in enumerate(labels):
                view.add_item(FloorVote(1, index, label))
            channel = self.get_partial_messageable(int(os.environ["FLOOR_CHANNEL"]))
            empty = PollResults(poll, (0,) * len(labels), 0)
            await channel.send(embed=poll_embed(ENGLISH, empty), view=view)

    intents = discord.Intents.none()
    intents.guilds = True
    client = FloorBot(
        intents=intents, guild_ready_timeout=0.05, allowed_mentions=discord.AllowedMentions.none()
    )
    asyncio.run(client.start(token))


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


async def main(members: int, options: int, rounds: int, rate: float | None, languages: bool = False) -> None:
    """Measure floor, climabot, floor (A B A) `rounds` times and print the figures."""
    python = sys.version.split()[0]
    pace = "as fast as the emulator sends" if rate is None else f"paced at {rate:.0f} clicks/s"
    print(f"polls benchmark: {members} distinct members, {options} options, one click each, {pace};"
          f" Python {python}, {os.cpu_count()} CPUs")  # fmt: skip
    results: list[tuple[Phase, Phase]] = []
    every = True
    for number in range(1, rounds + 1):
        with tempfile.TemporaryDirectory(prefix="bench-polls-") as folder:
            # A B A: the floor before and after climabot, pooled, so drift falls on both sides.
            before = await measure_floor(members, options, rate)
            bot = await measure_climabot(members, options, rate, Path(folder), languages)
            after = await measure_floor(members, options, rate)
            floor = Phase("floor", pooled(before.burst, after.burst), max(before.peak_rss, after.peak_rss))
        print(f"--- round {number}")
        every = report(floor, bot, members) and every
        if languages:
            every = report_languages(bot, members, options) and every
        results.append((floor, bot))
    if rounds > 1:
        summary(results)
        if languages:
            summary_languages(results)
    if not every:
        print("SOME VOTES WERE NOT COUNTED")


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
    if FLOOR_FLAG in sys.argv[1:]:
        floor_bot_main()
    else:
        args = parse_args(sys.argv[1:])
        asyncio.run(main(args.members, args.options, args.rounds, args.rate, args.languages))
