"""Fixtures shared by every test: the Discord emulator and a watch on discord.py's log."""

from tests.sandbox.fixtures import discord_log, emulator, pytest_report_header  # noqa: F401
