"""Run the bot: check storage, wait for Discord, then serve until stopped; every failure is one line.

Start-up order: the database is opened and migrated first (a bad path or a failed migration stops the
bot before any contact with Discord), then the token is checked against Discord's REST API with
retries while Discord cannot be reached (capped exponential backoff, one log line per attempt), and
only then does discord.py log in and open the gateway, which reconnects on its own afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Iterator

import aiohttp
import discord

from bot import __version__
from bot.client import ClimaBot
from bot.metrics import MetricsServer, http_trace, instrument, live_values
from bot.settings import Settings, require_token
from storage.database import DatabaseOpenError
from storage.migrate import MigrationError
from storage.repositories import open_storage

log = logging.getLogger(__name__)

EXIT_UNREACHABLE = 1
# A bug stopped the bot (its trace is logged); a restart policy may try again.
EXIT_FAILURE = 1
EXIT_CONFIG = 2
# Waits between attempts to reach Discord at start: 1 s, 2 s, 4 s ... then every minute.
FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 60.0
# One attempt to reach Discord may take this long before it counts as failed.
ATTEMPT_TIMEOUT_SECONDS = 15.0


class RunFailure(Exception):
    """`climabot run` cannot go on; the message is one line and `code` the documented exit code."""

    def __init__(self, message: str, code: int) -> None:
        """Keep the one-line message and the exit code."""
        super().__init__(message)
        self.code = code


class _Transient(Exception):
    """Discord could not be reached this time; worth trying again."""


def backoff_delays(first: float = FIRST_RETRY_SECONDS, cap: float = MAX_RETRY_SECONDS) -> Iterator[float]:
    """Yield the waits between attempts: doubling from `first`, never longer than `cap`."""
    delay = first
    while True:
        yield min(delay, cap)
        delay = min(delay * 2, cap)


async def check_storage(settings: Settings) -> None:
    """Open and migrate the database, then close it again, or raise RunFailure naming the setting."""
    try:
        db, _ = await open_storage(
            settings.storage.database_path, default_timezone=settings.defaults.timezone
        )
    except DatabaseOpenError as problem:
        raise RunFailure(f"{problem}; check storage.database_path", EXIT_CONFIG) from problem
    except MigrationError as problem:
        raise RunFailure(f"database migration failed: {problem}", EXIT_CONFIG) from problem
    await db.close()


async def _try_token(session: aiohttp.ClientSession, settings: Settings, token: str) -> None:
    """Ask Discord who this token belongs to: return if accepted, raise RunFailure or _Transient."""
    url = settings.discord.api_base_url.rstrip("/") + "/users/@me"
    headers = {"Authorization": f"Bot {token}", "User-Agent": f"climabot/{__version__}"}
    try:
        async with session.get(url, headers=headers) as response:
            status = response.status
    except (aiohttp.ClientError, OSError, TimeoutError) as problem:
        reason = " ".join(str(problem).split()) or type(problem).__name__
        raise _Transient(reason) from problem
    if status == 200:
        return
    if status == 401:
        raise RunFailure(
            "Discord refused the token (discord.token); copy it again from the developer portal's Bot page",
            EXIT_CONFIG,
        )
    if status == 429 or status >= 500:
        raise _Transient(f"Discord answered {status}")
    raise RunFailure(
        f"{url} answered {status}; check discord.api_base_url (e.g. https://discord.com/api/v10)", EXIT_CONFIG
    )


async def wait_for_discord(settings: Settings, token: str, stop: asyncio.Event) -> bool:
    """Retry until Discord accepts the token (True) or a stop is requested (False); RunFailure if refused."""
    delays = backoff_delays()
    timeout = aiohttp.ClientTimeout(total=ATTEMPT_TIMEOUT_SECONDS)
    attempt = 0
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while not stop.is_set():
            attempt += 1
            try:
                await _try_token(session, settings, token)
                return True
            except _Transient as problem:
                delay = next(delays)
                log.warning(
                    "cannot reach Discord at %s (attempt %d): %s; trying again in %g s",
                    settings.discord.api_base_url,
                    attempt,
                    problem,
                    delay,
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
    return False


async def serve(settings: Settings) -> int:
    """Check storage and Discord, run the bot, stop cleanly on SIGTERM or SIGINT; return the exit code."""
    token = require_token(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Not available on every platform; Ctrl-C still raises KeyboardInterrupt there.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await check_storage(settings)
    _check_metrics_port(settings)
    if not await wait_for_discord(settings, token, stop):
        log.info("stop requested before Discord could be reached")
        return 0
    # Metrics off: no listener, trace or hook at all, so an interaction pays nothing for them.
    measured = bool(settings.metrics.port)
    async with ClimaBot(settings, http_trace=http_trace() if measured else None) as bot:
        if measured:
            instrument(bot)
        metrics = await _start_metrics(settings, bot)
        try:
            runner = asyncio.create_task(bot.start(token), name="climabot")
            waiter = asyncio.create_task(stop.wait(), name="stop-signal")
            done, _ = await asyncio.wait({runner, waiter}, return_when=asyncio.FIRST_COMPLETED)
            if waiter in done:
                log.info("stop requested; shutting down")
                await bot.close()
            else:
                waiter.cancel()
            # Leaving the `async with` closes the bot (database included) if it was not closed yet.
            await _outcome(runner)
        finally:
            if metrics is not None:
                await metrics.stop()
    return 0


def _check_metrics_port(settings: Settings) -> None:
    """Fail before contacting Discord if metrics.port is set but taken."""
    port = settings.metrics.port
    if not port:
        return
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as problem:
            raise _metrics_failure(port, problem) from problem


def _metrics_failure(port: int, problem: OSError) -> RunFailure:
    """The one-line failure for a metrics port that cannot be served."""
    reason = problem.strerror or " ".join(str(problem).split())
    fix = "choose a free port, or 0 for off"
    return RunFailure(
        f"cannot serve metrics on 127.0.0.1:{port} (metrics.port): {reason}; {fix}", EXIT_CONFIG
    )


async def _start_metrics(settings: Settings, bot: ClimaBot) -> MetricsServer | None:
    """Serve /metrics on 127.0.0.1 when metrics.port is set; a port that is taken is a RunFailure."""
    port = settings.metrics.port
    if not port:
        return None
    server = MetricsServer(port)
    try:
        await server.start(live_values(bot))
    except OSError as problem:
        await server.stop()
        raise _metrics_failure(port, problem) from problem
    return server


async def _outcome(task: asyncio.Task[None]) -> None:
    """Wait for the bot task; turn a failure into RunFailure with its exit code."""
    try:
        await task
    except asyncio.CancelledError:
        return
    except discord.LoginFailure as problem:
        raise RunFailure(
            "Discord refused the token (discord.token); copy it again from the developer portal's Bot page",
            EXIT_CONFIG,
        ) from problem
    except discord.PrivilegedIntentsRequired as problem:
        raise RunFailure(
            "Discord refused the gateway intents; this bot needs no privileged intents", EXIT_CONFIG
        ) from problem
    except DatabaseOpenError as problem:
        raise RunFailure(f"{problem}; check storage.database_path", EXIT_CONFIG) from problem
    except MigrationError as problem:
        raise RunFailure(f"database migration failed: {problem}", EXIT_CONFIG) from problem
    except (OSError, aiohttp.ClientError) as problem:
        reason = " ".join(str(problem).split()) or type(problem).__name__
        raise RunFailure(
            f"cannot reach Discord (discord.api_base_url, discord.gateway_url): {reason}", EXIT_UNREACHABLE
        ) from problem
    except Exception as problem:
        # A bug: its trace goes to the log for a report; the operator still gets one line.
        log.error("the bot stopped on an unexpected error", exc_info=True)
        reason = " ".join(str(problem).split()) or type(problem).__name__
        what = f"{type(problem).__name__}: {reason}"
        raise RunFailure(
            f"the bot stopped on an unexpected error ({what}); its trace is in the log", EXIT_FAILURE
        ) from problem


def run_bot(settings: Settings) -> int:
    """Run the bot in a fresh event loop and return the process exit code; RunFailure says why it failed."""
    try:
        return asyncio.run(serve(settings))
    except KeyboardInterrupt:
        return 130
