"""pytest fixtures and helpers for tests that run discord.py against the emulator.

Wire into tests/conftest.py with:
    from tests.sandbox.fixtures import discord_log, emulator, pytest_report_header  # noqa: F401
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import discord
import pytest
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from sandbox.emulator import Emulator
from sandbox.validation import RequestValidator


@contextlib.contextmanager
def discord_routed_at(emu: Emulator) -> Iterator[Emulator]:
    """Point discord.py's REST base and gateway at the emulator; restore the old values afterwards."""
    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = emu.api_base_url
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emu.gateway_url)
    try:
        yield emu
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway


@contextlib.asynccontextmanager
async def running(
    client: discord.Client, emu: Emulator, *, timeout: float = 5.0
) -> AsyncIterator[discord.Client]:
    """Run a discord.py client against the emulator until it is ready; close it on exit."""
    with discord_routed_at(emu):
        task = asyncio.create_task(client.start(emu.token))
        ready = asyncio.create_task(client.wait_until_ready())
        try:
            done, _ = await asyncio.wait({task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if task in done:
                task.result()  # raises the client's startup error
                raise AssertionError("the client stopped before it was ready")
            if ready not in done:
                raise AssertionError(f"the client was not ready after {timeout}s")
            yield client
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise AssertionError("the client crashed while the test ran") from task.exception()
        finally:
            ready.cancel()
            await client.close()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, 5.0)


def fail_on_rejected_requests(emu: Emulator) -> None:
    """Fail the test, listing them, if the emulator recorded rejected requests it was not told to expect."""
    if not (emu.violations or emu.unknown_routes) or emu.violations_expected:
        return
    lines = [f"{v.method} {v.path}: {'; '.join(v.problems)}" for v in emu.violations]
    lines += [f"unknown route {m} {p}" for m, p in emu.unknown_routes]
    pytest.fail("requests Discord would reject:\n" + "\n".join(lines), pytrace=False)


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """Yield a started emulator; fail the test if the bot sent requests Discord would reject."""
    emu = Emulator()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
    fail_on_rejected_requests(emu)


class DiscordLogWatch(logging.Handler):
    """Collects WARNING and ERROR records of the discord.* loggers (e.g. payloads it failed to parse)."""

    def __init__(self) -> None:
        """Create an empty watch."""
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []
        # Start-up notices that say nothing about the emulator: optional voice libraries, prefix commands.
        self._allowed: list[re.Pattern[str]] = [
            re.compile(r"(PyNaCl|davey) is not installed"),
            re.compile(r"Privileged message content intent is missing"),
        ]

    def emit(self, record: logging.LogRecord) -> None:
        """Keep a record."""
        self.records.append(record)

    def allow(self, pattern: str) -> None:
        """Accept records whose message matches this regex (e.g. the warning a provoked 429 causes)."""
        self._allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        """Return the messages (with exception text) of records not allowed."""
        out = []
        for record in self.records:
            text = record.getMessage()
            if any(p.search(text) for p in self._allowed):
                continue
            if record.exc_info and record.exc_info[1] is not None:
                text += f" [{record.exc_info[0].__name__}: {record.exc_info[1]}]"
            out.append(f"{record.name}: {text}")
        return out


@pytest.fixture
def discord_log() -> Iterator[DiscordLogWatch]:
    """Fail the test if discord.py logged a warning or error it was not told to expect."""
    watch = DiscordLogWatch()
    logger = logging.getLogger("discord")
    logger.addHandler(watch)
    old_level = logger.level
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)
    try:
        yield watch
    finally:
        logger.removeHandler(watch)
        logger.setLevel(old_level)
    problems = watch.unexpected()
    if problems:
        pytest.fail("discord.py logged problems:\n" + "\n".join(problems), pytrace=False)


def pytest_report_header(config: Any) -> str:
    """Say once per run whether request bodies are checked against Discord's OpenAPI description."""
    validator = RequestValidator()
    if validator.spec_found:
        return f"discord emulator: validating request bodies against {validator.spec_path}"
    return "discord emulator: OpenAPI spec NOT found; only Discord's documented limits are checked"
