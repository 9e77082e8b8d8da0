"""`climabot sandbox`: climabot against the built-in local Discord, with a web page to use it.

One process, one event loop: the emulator (restored from the data folder, or a new demo server), the
real ClimaBot connected to it with its database in the same folder, and the page on 127.0.0.1:PORT.
On a first start the demo server is configured through climabot's own slash commands, run as its
administrator, moderator and members would (`/setup`, `/city add`, `/profile set`). Ctrl-C or SIGTERM
closes the bot, saves the emulator's state and exits 0; the next start finds everything as it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from aiohttp import web
from pydantic import SecretStr

from bot.client import ClimaBot
from bot.logs import setup_logging
from bot.settings import DiscordSettings, Settings, StorageSettings
from bot.themes import RESOLVED_TAG, THEMES
from sandbox import persist
from sandbox.demo import PEOPLE, Demo, build_demo, find_demo
from sandbox.emulator import Emulator
from sandbox.web import page_app

log = logging.getLogger(__name__)

DEFAULT_PORT = 8765
DEFAULT_DATA = Path("data/sandbox")
EXIT_ERROR = 2
EXIT_FAILURE = 1
# Discord allows 3 s; a demo on a busy laptop (or CI with a browser beside it) gets more room, so a slow
# moment is not a failed click. A later answer is still refused and logged, as a violation.
INTERACTION_DEADLINE = 10.0
# How long the bot may take to connect, and each first-start command to be answered.
READY_TIMEOUT = 60.0
REPLY_TIMEOUT = 15.0
# How often new rejected requests are looked for and logged.
WATCH_INTERVAL = 0.5


class SandboxFailure(Exception):
    """The sandbox cannot start or go on; the message is one line and `code` the exit code."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        """Keep the one-line message and the exit code."""
        super().__init__(message)
        self.code = code


def sandbox_settings(emu: Emulator, data_dir: Path, guild_id: int) -> Settings:
    """Settings built here alone: no config file or CLIMABOT_* variable (no real token) gets in."""
    return Settings(
        discord=DiscordSettings(
            token=SecretStr(emu.token),
            api_base_url=emu.api_base_url,
            gateway_url=emu.gateway_url,
            command_guild_ids=[guild_id],
        ),
        storage=StorageSettings(database_path=data_dir / "climabot.sqlite3", media_dir=data_dir / "media"),
    )


class _LocalLatencyNoise(logging.Filter):
    """Drops discord.py's "Can't keep up" warning, which a server answering in microseconds provokes.

    discord.py measures a heartbeat's latency from the time its keep-alive thread records the send; the
    local Discord acknowledges before that, so the latency seems a whole interval (41 s). A really
    blocked loop is still reported ("Heartbeat blocked for more than ...").
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep every record but that one."""
        return not record.getMessage().startswith("Can't keep up")


def run(port: int = DEFAULT_PORT, data_dir: Path = DEFAULT_DATA, out: IO[str] | None = None) -> int:
    """Run the sandbox until Ctrl-C or SIGTERM; return the exit code, SandboxFailure if it cannot run."""
    setup_logging("WARNING")
    logging.getLogger("discord.gateway").addFilter(_LocalLatencyNoise())
    # The port first: a start refused for it must leave no empty data folder behind.
    _check_port(port)
    data_dir.mkdir(parents=True, exist_ok=True)
    with _only_sandbox_on(data_dir):
        return asyncio.run(serve(port, data_dir, out or sys.stdout))


async def serve(port: int, data_dir: Path, out: IO[str]) -> int:
    """Start everything, print the URL, wait for a stop signal, then stop everything in reverse order."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    emu = Emulator(interaction_deadline=INTERACTION_DEADLINE)
    demo = _open_world(emu, data_dir)
    await emu.start()
    try:
        page = await _serve_page(emu, demo.guild.id, data_dir, port)
        saver = persist.Autosaver(emu, data_dir)
        saver.start()
        watch = asyncio.create_task(log_rejections(emu), name="sandbox-watch")
        try:
            url = f"http://127.0.0.1:{port}/"
            return await _run_bot(emu, demo, data_dir, stop, f"climabot sandbox: {url}", out)
        finally:
            watch.cancel()
            await page.cleanup()
            await saver.stop()
    finally:
        await emu.stop()


def _open_world(emu: Emulator, data_dir: Path) -> Demo:
    """Load the saved world, or build the demo server if there is none; return the demo server."""
    try:
        restored = persist.load(emu, data_dir)
    except persist.PersistError as problem:
        raise SandboxFailure(str(problem)) from problem
    if not restored:
        exchange_tags = [*(t.tag for t in THEMES), RESOLVED_TAG]
        return build_demo(emu, exchange_tags=exchange_tags, proposal_tags=[t.tag for t in THEMES])
    try:
        return find_demo(emu)
    except KeyError as problem:
        raise SandboxFailure(
            f"the sandbox saved in {data_dir} has no demo server ({problem.args[0]}); "
            "move the folder away to start afresh"
        ) from problem


@contextlib.contextmanager
def _only_sandbox_on(data_dir: Path) -> Iterator[None]:
    """Hold a lock on the data folder, so two sandboxes never write the same state."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock, as before
        yield
        return
    with (data_dir / ".lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SandboxFailure(
                f"another climabot sandbox is using {data_dir}; stop it, or choose another folder with --data"
            ) from None
        yield


def _check_port(port: int) -> None:
    """Fail in one line if 127.0.0.1:port cannot be bound now (as aiohttp binds it: address reuse on)."""
    with socket.socket() as probe:
        if hasattr(socket, "SO_REUSEADDR"):
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as problem:
            raise _port_failure(port, problem) from problem


def _port_failure(port: int, problem: OSError) -> SandboxFailure:
    """The one-line failure for a port the page cannot be served on."""
    reason = "the port is already in use" if problem.errno == errno.EADDRINUSE else problem.strerror
    return SandboxFailure(
        f"cannot serve the page on 127.0.0.1:{port}: {reason or problem}; choose another with --port"
    )


async def _serve_page(emu: Emulator, guild_id: int, data_dir: Path, port: int) -> web.AppRunner:
    """Serve the page on 127.0.0.1:port, or fail in one line if the port is taken."""
    app = page_app(emu, guild_id, data_dir=data_dir)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", port).start()
    except OSError as problem:
        await runner.cleanup()
        # Taken between _check_port and here.
        raise _port_failure(port, problem) from problem
    return runner


async def _run_bot(
    emu: Emulator, demo: Demo, data_dir: Path, stop: asyncio.Event, line: str, out: IO[str]
) -> int:
    """Run ClimaBot until stop is set (0) or it fails (SandboxFailure); configure a new demo server first."""
    settings = sandbox_settings(emu, data_dir, demo.guild.id)
    # One guild on a local server: no need to wait discord.py's default 2 s for more after READY.
    async with ClimaBot(settings, guild_ready_timeout=0.1) as bot:
        task = asyncio.create_task(bot.start(emu.token), name="climabot")
        try:
            if not await _first_of(bot.wait_until_ready(), task, stop, READY_TIMEOUT, "the bot to connect"):
                return 0
            settings_row = await bot.repos.guild_settings.get(demo.guild.id)
            if settings_row.announcements_channel_id is None:
                await _first_of(configure_demo(emu, demo), task, stop, READY_TIMEOUT, "the demo set-up")
            if not stop.is_set():
                print(f"{line} (data in {data_dir}; Ctrl-C stops)", file=out, flush=True)
                await _first_of(stop.wait(), task, stop, None, "a stop")
        finally:
            await bot.close()
            await _outcome(task)
    return 0


async def _first_of(
    work: Any, task: asyncio.Task[None], stop: asyncio.Event, timeout: float | None, what: str
) -> bool:
    """Wait for `work`; False if a stop came first; SandboxFailure if the bot ended or time ran out."""
    job = asyncio.ensure_future(work)
    stopped = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait(
            {job, task, stopped}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        stopped.cancel()
        if not job.done():
            job.cancel()
    if job in done:
        job.result()
        return True
    if task in done:
        await _outcome(task)
        raise SandboxFailure("the bot stopped before the sandbox was ready", EXIT_FAILURE)
    if stopped in done:
        return False
    raise SandboxFailure(f"gave up waiting for {what} after {timeout:g} s", EXIT_FAILURE)


async def _outcome(task: asyncio.Task[None]) -> None:
    """Wait for the bot's task; a crash is logged with its trace and becomes a one-line failure."""
    try:
        await task
    except asyncio.CancelledError:
        return
    except Exception as problem:
        log.error("the bot stopped on an unexpected error", exc_info=True)
        reason = " ".join(str(problem).split()) or type(problem).__name__
        raise SandboxFailure(f"the bot stopped on an unexpected error ({reason})", EXIT_FAILURE) from problem


async def configure_demo(emu: Emulator, demo: Demo) -> None:
    """Tell climabot about the demo server as its people would: channels, moderator role, cities, profiles."""
    guild, admin, moderator = demo.guild, demo.admin, demo.moderator
    await _answer(
        emu,
        admin,
        "setup channels",
        announcements=demo.announcements,
        moderation=demo.moderation,
        showcase=demo.showcase,
        exchange_forum=demo.exchange,
        proposals_forum=demo.proposals,
    )
    await _answer(emu, admin, "setup moderator-role", role=demo.moderator_role)
    cities = {person.city: person.country for person in PEOPLE}
    # Different people at the same moment, as on a real server (and a faster first start).
    await asyncio.gather(
        *(
            _answer(emu, moderator, "city add", name=city, country=country, mission_city=True)
            for city, country in cities.items()
        )
    )
    await asyncio.gather(
        *(
            _answer(emu, guild.member(demo.people[p.username]), "profile set", group=p.group, city=p.city)
            for p in PEOPLE
        )
    )


async def _answer(emu: Emulator, member: Any, command: str, **options: Any) -> None:
    """Run one slash command in the demo server as a member and wait for climabot's answer."""
    guild = member.guild
    try:
        interaction = await emu.slash(guild, member, command, channel=guild.text_channels[0], options=options)
        await interaction.reply(timeout=REPLY_TIMEOUT)
    except AssertionError as problem:  # the emulator's NotPossible and its timeouts
        reason = " ".join(str(problem).split())
        raise SandboxFailure(
            f"setting up the demo server failed at /{command}: {reason}", EXIT_FAILURE
        ) from None


async def log_rejections(emu: Emulator) -> None:
    """Log every request the emulator rejected (as Discord would have) as one warning line."""
    violations = unknown = 0
    while True:
        await asyncio.sleep(WATCH_INTERVAL)
        for v in emu.violations[violations:]:
            log.warning("Discord would reject %s %s: %s", v.method, v.path, "; ".join(v.problems)[:300])
        for method, path in emu.unknown_routes[unknown:]:
            log.warning("the sandbox's Discord does not know %s %s", method, path)
        violations, unknown = len(emu.violations), len(emu.unknown_routes)
