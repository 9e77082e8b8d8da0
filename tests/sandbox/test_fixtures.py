"""The fixtures' own verdicts: rejected requests and discord.py warnings fail a test unless expected."""

from __future__ import annotations

import logging

import pytest

from sandbox.emulator import Emulator
from sandbox.server import Violation
from tests.sandbox.fixtures import DiscordLogWatch, fail_on_rejected_requests


def test_a_recorded_violation_fails_the_test_unless_expected() -> None:
    """A body Discord would reject fails the test with its route and problem, unless the test expected it."""
    emu = Emulator()
    fail_on_rejected_requests(emu)
    emu.violations.append(
        Violation("POST", "/channels/1/messages", ["content: 2001 characters, limit 2000"], {})
    )
    with pytest.raises(pytest.fail.Exception, match=r"POST /channels/1/messages: content: 2001 characters"):
        fail_on_rejected_requests(emu)
    emu.expect_violations()
    fail_on_rejected_requests(emu)


def test_an_unknown_route_fails_the_test() -> None:
    """A request to a route the emulator does not know fails the test, naming the route."""
    emu = Emulator()
    emu.unknown_routes.append(("GET", "/guilds/1/bans"))
    with pytest.raises(pytest.fail.Exception, match="unknown route GET /guilds/1/bans"):
        fail_on_rejected_requests(emu)


def test_discord_warnings_are_unexpected_unless_allowed() -> None:
    """A discord.py warning counts against the test until a pattern allows it; voice notices never do."""
    watch = DiscordLogWatch()
    logger = logging.getLogger("discord.test_fixtures")
    logger.addHandler(watch)
    try:
        logger.warning("PyNaCl is not installed, voice will NOT be supported")
        logger.warning("We are being rate limited. Retrying in 0.30 seconds.")
        try:
            raise KeyError("id")
        except KeyError:
            logger.exception("Failed to parse GUILD_CREATE")
    finally:
        logger.removeHandler(watch)
    assert watch.unexpected() == [
        "discord.test_fixtures: We are being rate limited. Retrying in 0.30 seconds.",
        "discord.test_fixtures: Failed to parse GUILD_CREATE [KeyError: 'id']",
    ]
    watch.allow("rate limited")
    assert watch.unexpected() == ["discord.test_fixtures: Failed to parse GUILD_CREATE [KeyError: 'id']"]
