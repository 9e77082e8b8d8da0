"""Helpers the command and memory benchmarks share: climabot as its own process, timed interactions."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bot.settings import Settings
from sandbox.emulator import Emulator
from sandbox.guild import Guild
from sandbox.interactions import CB_DEFER, InteractionRecord, Response
from sandbox.state import Channel, Member
from tests.e2e.harness import start_bot_process


def peak_rss_mib(pid: int | str = "self") -> float:
    """A process's peak resident set size (VmHWM from /proc) in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM in /proc/{pid}/status")


async def drain(stream: asyncio.StreamReader | None) -> None:
    """Read a child's output so a full pipe never blocks it."""
    if stream is not None:
        while await stream.read(65536):
            pass


@contextlib.asynccontextmanager
async def bot_process(emu: Emulator, settings: Settings, commands: set[str]) -> AsyncIterator[int]:
    """Run `python -m bot run` against the emulator until its commands are synced; yield its pid."""
    identifies = emu.identify_count + 1
    proc = await start_bot_process(emu, settings)
    # Read its output from the start: with 10,000 pending jobs the bot logs a line per job before it
    # connects, and a full pipe would stop it before it ever identified.
    reader = asyncio.create_task(drain(proc.stdout))
    try:
        await emu.wait_for_gateway(identifies=identifies, timeout=120)
        for guild_id in settings.discord.command_guild_ids:
            await emu.wait_for_commands(guild_id, commands, timeout=120)
        yield proc.pid
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()
        reader.cancel()


class Stamps(list[Response]):
    """An interaction's response list that notes when its first response and first visible answer came."""

    def __init__(self) -> None:
        """Start empty, unstamped."""
        super().__init__()
        self.first_at: float | None = None
        self.answer_at: float | None = None

    def append(self, item: Response) -> None:
        """Stamp the first response and the first one a person sees, then keep it like a plain list."""
        now = asyncio.get_running_loop().time()
        if self.first_at is None:
            self.first_at = now
        if self.answer_at is None and not (item.kind == "callback" and item.type == CB_DEFER):
            self.answer_at = now
        super().append(item)


async def timed_command(
    emu: Emulator,
    guild: Guild,
    who: Member,
    command: str,
    channel: Channel,
    options: dict[str, Any] | None = None,
    timeout: float = 60.0,
) -> tuple[float, float, InteractionRecord]:
    """Run one slash command; return (ms to the first response, ms to the answer, the record)."""
    it = await emu.slash(guild, who, command, channel=channel, options=options or {})
    stamps = Stamps()
    # Nothing can have answered yet: the bot's HTTP calls are served by this loop, which we hold.
    assert not it.responses, it.responses
    it.responses = stamps
    await it.reply(timeout=timeout)
    assert stamps.first_at is not None and stamps.answer_at is not None
    return (
        (stamps.first_at - it.created_monotonic) * 1000,
        (stamps.answer_at - it.created_monotonic) * 1000,
        it,
    )
