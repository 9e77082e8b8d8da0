"""The Emulator: a local Discord (gateway, HTTP API v10, CDN) that a real discord.py client connects to."""

from __future__ import annotations

import base64
import re
import secrets
from types import TracebackType
from typing import Any

from aiohttp import web

import sandbox.perms as perms
import sandbox.rest_app as rest_app
import sandbox.rest_channels as rest_channels
import sandbox.rest_guilds as rest_guilds
import sandbox.rest_interactions as rest_interactions

from .cdn import Cdn
from .events import EventSink
from .faults import Faults
from .gateway import Gateway
from .guild import Guild
from .http_base import Violation
from .interactions import InteractionRecord
from .messages import MessageOps, sniff_content_type
from .payloads import Payloads
from .people import People
from .routing import Router
from .server import Logged, build_app
from .state import User
from .validation import RequestValidator
from .world import World


def new_token(application_id: int) -> str:
    """Return a bot token shaped like Discord's: the application id in base64, a time part, a secret."""
    app_id = base64.b64encode(str(application_id).encode()).decode().rstrip("=")
    return f"{app_id}.{secrets.token_urlsafe(4)}.{secrets.token_urlsafe(27)}"


class Emulator(People):
    """A fake Discord on 127.0.0.1: start it, point discord.py at it, act as people, read the results."""

    def __init__(
        self,
        *,
        bot_name: str = "climabot",
        attachment_url_ttl: float = 86400.0,
        interaction_deadline: float | None = 3.0,
    ) -> None:
        """Create a stopped emulator with an application, its bot user and no guilds."""
        self.world = World(bot_name=bot_name)
        self.app_owner = self.world.add_user("developer")
        self.token = new_token(self.world.application_id)
        self.cdn = Cdn(self.world, attachment_url_ttl)
        self.payloads = Payloads(self.world, self.cdn)
        self.gateway = Gateway(self.world, self.payloads, self.token)
        self.world.events = EventSink(self.gateway, self.payloads)
        self.messages = MessageOps(self.world)
        self.faults = Faults()
        self.validator = RequestValidator()
        # Seconds the bot has for its first callback; None disables the check (e.g. for benchmarks).
        self.interaction_deadline = interaction_deadline
        self.requests: list[Logged] = []
        self.violations: list[Violation] = []
        self.unknown_routes: list[tuple[str, str]] = []
        self.violations_expected = False
        self.router = Router()
        for module in (rest_app, rest_channels, rest_guilds, rest_interactions):
            module.register(self.router)
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    # --- lifecycle -----------------------------------------------------------

    async def start(self) -> Emulator:
        """Listen on 127.0.0.1 on a free port; return self."""
        self._runner = web.AppRunner(build_app(self, self.router), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        self.cdn.base_url = self.base_url
        self.gateway.url = f"ws://127.0.0.1:{port}/"
        return self

    async def stop(self) -> None:
        """Close every websocket and stop listening."""
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        """Start the emulator."""
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop the emulator."""
        await self.stop()

    # --- addresses and identity -------------------------------------------

    def renew_token(self) -> str:
        """Give the bot a new token for the world's application (e.g. after loading a saved world)."""
        self.token = self.gateway.token = new_token(self.world.application_id)
        return self.token

    @property
    def api_base_url(self) -> str:
        """Return the value for discord.http.Route.BASE."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Return the value for DiscordWebSocket.DEFAULT_GATEWAY."""
        return self.gateway.url

    @property
    def application_id(self) -> int:
        """Return the application id (also the bot user's id)."""
        return self.world.application_id

    @property
    def bot_user(self) -> User:
        """Return the bot's user."""
        return self.world.bot_user

    @property
    def attachment_url_ttl(self) -> float:
        """Return how long attachment URLs stay valid, in seconds."""
        return self.cdn.ttl

    @attachment_url_ttl.setter
    def attachment_url_ttl(self, seconds: float) -> None:
        """Set how long newly signed attachment URLs stay valid."""
        self.cdn.ttl = seconds

    # --- building the world --------------------------------------------------

    def add_guild(
        self, name: str, *, bot_permissions: int = perms.DEFAULT_BOT, owner_name: str = "owner"
    ) -> Guild:
        """Create a guild with @everyone, an owner and the bot as members (GUILD_CREATE if connected)."""
        return self.world.add_guild(name, owner_name=owner_name, bot_permissions=bot_permissions)

    def add_user(self, name: str, **kwargs: Any) -> User:
        """Create a user who is in no guild (e.g. someone who only DMs the bot)."""
        return self.world.add_user(name, **kwargs)

    def upload(self, filename: str, data: bytes, content_type: str | None = None) -> dict[str, Any]:
        """Store a file a person uploads; return its attachment dict (with a working, signed url)."""
        f = self.world.add_file(filename, data, content_type or sniff_content_type(data, filename, None))
        return self.payloads.attachment(f)

    def advance_clock(self, seconds: float) -> None:
        """Move the emulated clock forward (attachment URL expiry, event times, webhook lifetimes)."""
        self.world.clock_offset += seconds

    @property
    def interactions(self) -> list[InteractionRecord]:
        """Return every interaction dispatched so far, oldest first."""
        return list(self.world.interactions.values())

    # --- gateway control -------------------------------------------------------

    @property
    def identify_count(self) -> int:
        """Return how many times a client IDENTIFYed."""
        return self.gateway.identify_count

    @property
    def resume_count(self) -> int:
        """Return how many times a client RESUMEd."""
        return self.gateway.resume_count

    async def drop_gateway(self, code: int = 4000) -> None:
        """Close the bot's websocket abruptly; its session stays resumable (discord.py will RESUME)."""
        await self.gateway.drop(code)

    def request_reconnect(self) -> None:
        """Send op 7 RECONNECT (discord.py reconnects and resumes)."""
        self.gateway.send_op(7, None)

    def invalidate_session(self, *, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION (non-resumable: discord.py identifies again)."""
        if not resumable:
            for session in self.gateway.sessions.values():
                session.alive = False
        self.gateway.send_op(9, resumable)

    async def wait_for_gateway(self, *, identifies: int = 1, resumes: int = 0, timeout: float = 5.0) -> None:
        """Wait until at least this many IDENTIFYs and RESUMEs happened and a connection is up."""

        def check() -> bool | None:
            """Return True once the counts are reached and a bot is connected."""
            done = self.identify_count >= identifies and self.resume_count >= resumes
            return True if done and self.gateway.connected() else None

        what = f"{identifies} identify(s) and {resumes} resume(s)"
        await self.world.wait_until(check, timeout, what)

    # --- checks ---------------------------------------------------------------

    def expect_violations(self) -> None:
        """Declare that this test provokes rejected requests on purpose (the fixture won't fail it)."""
        self.violations_expected = True

    def count_requests(self, method: str, path_regex: str, status: int | None = None) -> int:
        """Return how many requests matched (path after /api/v10, regex search)."""
        pattern = re.compile(path_regex)
        return sum(
            1
            for r in self.requests
            if r.method == method and pattern.search(r.path) and (status is None or r.status == status)
        )
