"""A local Discord (gateway, HTTP API v10, CDN) and a web page to use climabot without a Discord account."""

from sandbox.emulator import Emulator

__all__ = ["Emulator"]
