"""Run the bot until Discord disconnects for good or the process is asked to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import aiohttp
import discord

from bot.client import ClimaBot
from bot.settings import Settings, require_token
from storage.database import DatabaseOpenError
from storage.migrate import MigrationError

log = logging.getLogger(__name__)


async def serve(settings: Settings) -> int:
    """Start the bot and stop it cleanly on SIGTERM or SIGINT; return the exit code."""
    token = require_token(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Not available on every platform; Ctrl-C still raises KeyboardInterrupt there.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with ClimaBot(settings) as bot:
        runner = asyncio.create_task(bot.start(token), name="climabot")
        waiter = asyncio.create_task(stop.wait(), name="stop-signal")
        done, _ = await asyncio.wait({runner, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if waiter in done:
            log.info("stop requested; shutting down")
            await bot.close()
        else:
            waiter.cancel()
        # Leaving the `async with` closes the bot (database included) if it was not closed yet.
        error = await _outcome(runner)
    return error


async def _outcome(task: asyncio.Task[None]) -> int:
    """Wait for the bot task and turn how it ended into an exit code."""
    try:
        await task
    except asyncio.CancelledError:
        return 0
    except discord.LoginFailure:
        log.error("Discord refused the token (discord.token); create a new one in the developer portal")
        return 2
    except discord.PrivilegedIntentsRequired:
        log.error("Discord refused the gateway intents; this bot needs no privileged intents")
        return 2
    except DatabaseOpenError as exc:
        log.error("%s; check storage.database_path", exc)
        return 2
    except MigrationError as exc:
        log.error("database migration failed: %s", exc)
        return 2
    except (OSError, aiohttp.ClientError) as exc:
        log.error("cannot reach Discord (discord.api_base_url, discord.gateway_url): %s", exc)
        return 1
    return 0


def run_bot(settings: Settings) -> int:
    """Run the bot in a fresh event loop and return the process exit code."""
    try:
        return asyncio.run(serve(settings))
    except KeyboardInterrupt:
        return 130
