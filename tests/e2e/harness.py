"""Run the real ClimaBot against the emulator: in-process, or as a `climabot run` subprocess."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from bot.client import ClimaBot, discover_extensions
from bot.settings import DiscordSettings, Settings, StorageSettings
from sandbox.emulator import Emulator
from sandbox.guild import Guild
from sandbox.state import Channel, Member, Role
from storage.repositories import open_storage

# Options a test gives discord.py: wait 50 ms, not 2 s, for guilds after READY.
FAST_START = {"guild_ready_timeout": 0.05}


@dataclass
class Town:
    """A prepared server: the channels, roles and people most tests need."""

    guild: Guild
    general: Channel
    announcements: Channel
    moderation: Channel
    showcase: Channel
    exchange: Channel
    moderators: Role
    admin: Member
    moderator: Member
    member: Member


def build_town(emu: Emulator) -> Town:
    """Create the standard test server in the emulator."""
    guild = emu.add_guild("Mission Cities Network")
    general = guild.add_text_channel("general")
    announcements = guild.add_text_channel("announcements")
    moderation = guild.add_text_channel("moderation")
    showcase = guild.add_text_channel("showcase")
    exchange = guild.add_forum_channel("exchange")
    moderators = guild.add_role("Moderators")
    return Town(
        guild=guild,
        general=general,
        announcements=announcements,
        moderation=moderation,
        showcase=showcase,
        exchange=exchange,
        moderators=moderators,
        admin=guild.add_member("ada", administrator=True),
        moderator=guild.add_member("maria", roles=[moderators]),
        member=guild.add_member("alice"),
    )


def bot_settings(emu: Emulator, data_dir: Path, guild_ids: list[int]) -> Settings:
    """Settings that point the bot at the emulator and keep its data in data_dir."""
    return Settings(
        discord=DiscordSettings(
            token=SecretStr(emu.token),
            api_base_url=emu.api_base_url,
            gateway_url=emu.gateway_url,
            command_guild_ids=guild_ids,
        ),
        storage=StorageSettings(database_path=data_dir / "climabot.sqlite3", media_dir=data_dir / "media"),
    )


async def configure_town(settings: Settings, town: Town) -> None:
    """Store the town's channels and moderator role, as an administrator would with /setup."""
    db, repos = await open_storage(
        settings.storage.database_path, default_timezone=settings.defaults.timezone
    )
    try:
        await repos.guild_settings.set_channels(
            town.guild.id,
            announcements=town.announcements.id,
            moderation=town.moderation.id,
            showcase=town.showcase.id,
            exchange_forum=town.exchange.id,
        )
        await repos.guild_settings.set_moderator_role(town.guild.id, town.moderators.id)
    finally:
        await db.close()


class BotHarness:
    """Starts, stops and restarts an in-process ClimaBot against one database."""

    def __init__(self, emu: Emulator, settings: Settings, *, extra_extensions: tuple[str, ...] = ()) -> None:
        """Remember where the bot connects, which database it uses and any test-only extensions."""
        self.emu = emu
        self.settings = settings
        self.extensions = [*discover_extensions(), *extra_extensions]
        self.bot: ClimaBot | None = None
        self._task: asyncio.Task[None] | None = None
        self.starts = 0

    async def start(self, timeout: float = 10.0) -> ClimaBot:
        """Start a fresh ClimaBot and wait until it is ready (commands synced, guilds loaded)."""
        bot = ClimaBot(self.settings, extensions=self.extensions, **FAST_START)
        task = asyncio.create_task(bot.start(self.emu.token), name="climabot-under-test")
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            # A failed or hung start still opened storage (aiosqlite threads) and maybe a connection:
            # close them, or the test process never exits.
            await bot.close()
            if task not in done:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 10)  # re-raises the error that stopped the start
            if task in done:
                raise AssertionError("the bot stopped before it was ready")
            raise AssertionError(f"the bot was not ready after {timeout}s")
        self.bot, self._task = bot, task
        self.starts += 1
        return bot

    async def stop(self) -> None:
        """Close the bot the way SIGTERM does and wait for it to finish."""
        bot, task = self.bot, self._task
        self.bot = self._task = None
        if bot is None or task is None:
            return
        await bot.close()
        await asyncio.wait_for(task, 10)

    async def restart(self) -> ClimaBot:
        """Stop the bot and start a new one on the same database."""
        await self.stop()
        return await self.start()


async def start_bot_process(
    emu: Emulator, settings: Settings, *, env: Mapping[str, str] | None = None
) -> asyncio.subprocess.Process:
    """Start `python -m bot run` pointed at the emulator, with stdout and stderr on one pipe.

    `env` adds variables (e.g. CLIMABOT_LOGGING__LEVEL); the caller must read the pipe from the start.
    """
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("CLIMABOT_")}
    child_env.update(
        CLIMABOT_DISCORD__TOKEN=emu.token,
        CLIMABOT_DISCORD__API_BASE_URL=emu.api_base_url,
        CLIMABOT_DISCORD__GATEWAY_URL=emu.gateway_url,
        CLIMABOT_DISCORD__COMMAND_GUILD_IDS=str(settings.discord.command_guild_ids),
        CLIMABOT_STORAGE__DATABASE_PATH=str(settings.storage.database_path),
        CLIMABOT_STORAGE__MEDIA_DIR=str(settings.storage.media_dir),
    )
    child_env.update(env or {})
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=child_env,
        cwd=settings.storage.database_path.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


class BotProcess:
    """A bot child process whose output is read from its first byte, so a full pipe never stalls it.

    A bot that logs more than a pipe holds (64 KiB) before it connects would otherwise block in its
    first write and never connect. Every line is kept in `lines`; `stdout` replays the same bytes as a
    stream, for a caller that reads it (all of it, even after the process has exited).
    """

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        """Start reading the process's output."""
        self.process = process
        self.lines: list[str] = []
        self.stdout = asyncio.StreamReader()
        self._partial = b""
        self._reader = asyncio.create_task(self._read(), name=f"bot-output-{process.pid}")

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        """The exit code, or None while it runs."""
        return self.process.returncode

    def send_signal(self, sig: int) -> None:
        """Send a signal to the child."""
        self.process.send_signal(sig)

    def kill(self) -> None:
        """SIGKILL the child."""
        self.process.kill()

    async def wait(self) -> int:
        """Wait for the child to exit; its exit code."""
        return await self.process.wait()

    def text(self) -> str:
        """Every complete line read so far, as one text."""
        return "".join(line + "\n" for line in self.lines)

    async def _read(self) -> None:
        """Copy the pipe into `stdout` and `lines` until the child closes it."""
        source = self.process.stdout
        try:
            while source is not None and (chunk := await source.read(65536)):
                self.stdout.feed_data(chunk)
                *complete, self._partial = (self._partial + chunk).split(b"\n")
                self.lines += [line.decode(errors="replace") for line in complete]
        finally:
            if self._partial:
                self.lines.append(self._partial.decode(errors="replace"))
                self._partial = b""
            self.stdout.feed_eof()

    async def finish(self, timeout: float = 10.0) -> None:
        """Wait until the output has been read to its end (the child has exited), else stop reading."""
        try:
            await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        except TimeoutError:
            self._reader.cancel()


@contextlib.asynccontextmanager
async def subprocess_bot(
    emu: Emulator, settings: Settings, *, timeout: float = 20.0, env: Mapping[str, str] | None = None
) -> AsyncIterator[BotProcess]:
    """Run `python -m bot run` against the emulator; yield the process once it has identified."""
    identifies = emu.identify_count + 1
    proc = BotProcess(await start_bot_process(emu, settings, env=env))
    try:
        try:
            await emu.wait_for_gateway(identifies=identifies, timeout=timeout)
        except Exception as exc:
            tail = "\n".join(proc.lines[-20:])
            raise AssertionError(f"the bot process did not connect: {exc}; its last output:\n{tail}") from exc
        yield proc
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
        await proc.wait()
        await proc.finish()
