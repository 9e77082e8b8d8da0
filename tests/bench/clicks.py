"""Timing clicks through the emulator: bursts of button clicks and when each was answered.

For every click the emulator records when it dispatched INTERACTION_CREATE (`created_monotonic`); the
record's response list here stamps the moment the interaction callback arrived (its first entry).
Latency = callback - dispatch, both on this process's monotonic clock, so it includes the gateway
queue, the bot's work and the HTTP round trip. A burst either yields to the event loop after each click
(as fast as the emulator sends: latency is then mostly time queued behind earlier clicks) or sends at a
fixed rate (the same arrivals for every bot; below saturation, each click's own service time).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from sandbox.emulator import Emulator
from sandbox.interactions import InteractionRecord, Response
from sandbox.state import Member, Message
from tests.e2e.harness import Town, build_town

# Clicks before the measured burst, so both bots (and the emulator) have warm connections and code paths.
WARM_UP = 100


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
    """A started emulator without the 3 s deadline, the standard town, voters and warm-up voters.

    The emulator runs in this process: its start-up objects (the town, thousands of members, the API
    description) are frozen out of the garbage collector's passes, whose full passes would otherwise
    stop it, and so whichever bot is being measured, for up to a few hundred milliseconds.
    """
    emu = Emulator(interaction_deadline=None)
    await emu.start()
    try:
        town = build_town(emu)
        voters = town.guild.add_members(members, prefix="citizen")
        warmers = town.guild.add_members(WARM_UP, prefix="warm")
        gc.collect()
        gc.freeze()
        yield emu, town, voters, warmers
    finally:
        gc.unfreeze()
        await emu.stop()
