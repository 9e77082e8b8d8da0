"""Fixtures for end-to-end tests: a prepared server and a real ClimaBot connected to the emulator."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.settings import Settings
from sandbox.emulator import Emulator
from tests.e2e.harness import BotHarness, Town, bot_settings, build_town, configure_town

OUR_LOGGERS = ("bot", "cogs", "storage")


class AppLogWatch(logging.Handler):
    """Collects ERROR records from climabot's own loggers: an unexpected error fails the test."""

    def __init__(self) -> None:
        """Create an empty watch."""
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self._allowed: list[re.Pattern[str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record."""
        self.records.append(record)

    def allow(self, pattern: str) -> None:
        """Accept error records whose message matches this regex."""
        self._allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        """Return the messages of records that were not allowed."""
        return [
            f"{r.name}: {r.getMessage()}"
            for r in self.records
            if not any(p.search(r.getMessage()) for p in self._allowed)
        ]


@pytest.fixture
def app_log() -> Iterator[AppLogWatch]:
    """Fail the test if climabot logged an error it was not told to expect."""
    watch = AppLogWatch()
    loggers = [logging.getLogger(name) for name in OUR_LOGGERS]
    for logger in loggers:
        logger.addHandler(watch)
    try:
        yield watch
    finally:
        for logger in loggers:
            logger.removeHandler(watch)
    problems = watch.unexpected()
    if problems:
        pytest.fail("climabot logged errors:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def town(emulator: Emulator) -> Town:
    """The standard test server: channels, a Moderators role, an admin, a moderator and a member."""
    return build_town(emulator)


@pytest.fixture
async def settings(emulator: Emulator, town: Town, tmp_path: Path) -> Settings:
    """Settings for a bot under test, with the town already configured in its database."""
    settings = bot_settings(emulator, tmp_path, [town.guild.id])
    await configure_town(settings, town)
    return settings


@pytest.fixture
async def harness(emulator: Emulator, settings: Settings, discord_log, app_log) -> AsyncIterator[BotHarness]:  # type: ignore[no-untyped-def]
    """A started ClimaBot connected to the emulator; restart with `await harness.restart()`."""
    harness = BotHarness(emulator, settings)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
