"""A local Discord (gateway, HTTP API v10, CDN) for end-to-end tests with the real discord.py client."""

from tests.emulator.emulator import Emulator

__all__ = ["Emulator"]
