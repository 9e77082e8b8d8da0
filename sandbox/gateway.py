"""The emulated gateway: HELLO, IDENTIFY/READY, GUILD_CREATE, heartbeats, dispatches, RESUME."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import zlib
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import WSMsgType, web

from .guild import Guild
from .payloads import Payloads
from .state import User

_log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41250
GUILDS, GUILD_MEMBERS, GUILD_MESSAGES, DIRECT_MESSAGES = 1 << 0, 1 << 1, 1 << 9, 1 << 12
MESSAGE_CONTENT, GUILD_SCHEDULED_EVENTS = 1 << 15, 1 << 16
PRIVILEGED = {"members": GUILD_MEMBERS, "presences": 1 << 8, "message_content": MESSAGE_CONTENT}
CLIENT_CLOSED = (1000, 1001)  # a client closing with these ends its session for good


class Connection:
    """One websocket: an ordered outgoing queue, optionally zlib-stream compressed."""

    def __init__(self, ws: web.WebSocketResponse, compress: str | None) -> None:
        """Wrap a prepared websocket and start its writer."""
        self.ws = ws
        self._zlib = zlib.compressobj() if compress == "zlib-stream" else None
        self._zstd: Any = None
        if compress == "zstd-stream":
            import zstandard

            self._zstd = zstandard.ZstdCompressor().compressobj()
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.session: Session | None = None
        self.identified = False
        self.dropped = False  # closed by the emulator, so the session stays resumable
        self.writer = asyncio.create_task(self._write())

    def send(self, frame: dict[str, Any]) -> None:
        """Queue a frame for sending, keeping order."""
        self.queue.put_nowait(frame)

    async def _write(self) -> None:
        """Send queued frames until the socket closes."""
        while (frame := await self.queue.get()) is not None:
            text = json.dumps(frame, separators=(",", ":"))
            try:
                if self._zlib is not None:
                    data = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
                elif self._zstd is not None:
                    import zstandard

                    data = self._zstd.compress(text.encode()) + self._zstd.flush(
                        zstandard.COMPRESSOBJ_FLUSH_BLOCK
                    )
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return

    async def close(self, code: int) -> None:
        """Stop writing and close the websocket with a code."""
        self.queue.put_nowait(None)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.ws.close(code=code, message=b"emulator"), 2.0)
        self.writer.cancel()


@dataclass(eq=False)
class Session:
    """A gateway session: its intents, sequence and every event sent (for RESUME replay)."""

    id: str
    intents: int
    large_threshold: int
    seq: int = 0
    sent: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    conn: Connection | None = None
    alive: bool = True

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Number an event, remember it, and send it if connected."""
        self.seq += 1
        frame = {"op": 0, "t": event, "s": self.seq, "d": data}
        self.sent.append((self.seq, frame))
        if self.conn is not None:
            self.conn.send(frame)


class GatewayWorld(Protocol):
    """What the gateway uses of the world (sandbox.world.World, which builds on this module)."""

    guilds: dict[int, Guild]
    bot_user: User
    application_id: int
    application_flags: int

    def notify(self) -> None:
        """Wake everybody waiting for a change."""


class Gateway:
    """Accepts discord.py's websocket and keeps its sessions."""

    def __init__(self, world: GatewayWorld, payloads: Payloads, token: str) -> None:
        """Create the gateway for a world, accepting `token` in IDENTIFY."""
        self.world = world
        self.p = payloads
        self.token = token
        self.url = ""
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.identify_count = 0
        self.resume_count = 0
        self.identifies: list[dict[str, Any]] = []
        self.enabled_privileged = set(PRIVILEGED)

    # --- dispatching -----------------------------------------------------

    def dispatch(
        self, event: str, data: dict[str, Any], *, intent: int | None = GUILDS, message_content: bool = False
    ) -> None:
        """Send an event to every live session whose intents ask for it."""
        for session in self.sessions.values():
            if not session.alive or (intent is not None and not session.intents & intent):
                continue
            payload = data
            if message_content and not session.intents & MESSAGE_CONTENT:
                payload = self._without_content(data)
            session.dispatch(event, payload)

    def _without_content(self, data: dict[str, Any]) -> dict[str, Any]:
        """Blank what the MESSAGE_CONTENT intent guards, unless Discord would show it anyway."""
        bot_id = str(self.world.bot_user.id)
        if "guild_id" not in data or data.get("author", {}).get("id") == bot_id:
            return data
        if any(u.get("id") == bot_id for u in data.get("mentions", [])):
            return data
        stripped = dict(data)
        stripped.update(content="", embeds=[], attachments=[], components=[])
        stripped.pop("poll", None)
        return stripped

    @property
    def live_sessions(self) -> list[Session]:
        """Return the sessions a bot could still receive events on."""
        return [s for s in self.sessions.values() if s.alive]

    def connected(self) -> bool:
        """Return whether some session has a websocket attached."""
        return any(s.conn is not None for s in self.live_sessions)

    # --- the websocket ---------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Serve one gateway websocket connection."""
        if request.query.get("encoding", "json") != "json":
            raise web.HTTPBadRequest(text="only encoding=json is emulated")
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = Connection(ws, request.query.get("compress"))
        self.connections.add(conn)
        conn.send({"op": 10, "s": None, "t": None, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}})
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                code = self._receive(conn, json.loads(msg.data))
                if code is not None:
                    await conn.close(code)
                    break
        finally:
            self._detach(conn, ws.close_code)
        return ws

    def _detach(self, conn: Connection, close_code: int | None) -> None:
        """Forget a closed connection; a clean client close also ends its session."""
        self.connections.discard(conn)
        conn.queue.put_nowait(None)
        session = conn.session
        if session is not None and session.conn is conn:
            session.conn = None
            if close_code in CLIENT_CLOSED and not conn.dropped:
                session.alive = False
        self.world.notify()

    def _receive(self, conn: Connection, frame: dict[str, Any]) -> int | None:
        """Handle one client frame; return a close code to end the connection."""
        op, data = frame.get("op"), frame.get("d")
        if op == 1:
            conn.send({"op": 11, "s": None, "t": None, "d": None})
        elif op == 2:
            return self._identify(conn, data or {})
        elif op == 6:
            return self._resume(conn, data or {})
        elif op == 8:
            self._request_members(conn, data or {})
        elif op in (3, 4):
            pass  # presence and voice state updates change nothing the emulator models
        else:
            return 4001  # Unknown opcode
        return None

    def _identify(self, conn: Connection, data: dict[str, Any]) -> int | None:
        """Start a session: READY, then one GUILD_CREATE per guild."""
        if conn.identified:
            return 4005  # Already authenticated
        if data.get("token") != self.token:
            return 4004  # Authentication failed
        intents = data.get("intents")
        if not isinstance(intents, int):
            return 4013  # Invalid intent(s)
        if any(intents & bit and name not in self.enabled_privileged for name, bit in PRIVILEGED.items()):
            return 4014  # Disallowed intent(s)
        self.identify_count += 1
        self.identifies.append(data)
        session = Session(secrets.token_hex(16), intents, int(data.get("large_threshold", 50)))
        self.sessions[session.id] = session
        conn.identified = True
        self._attach(conn, session)
        ready = {
            "v": 10,
            "user": self.p.me(),
            "user_settings": {},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in self.world.guilds.values()],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.url,
            "application": {"id": str(self.world.application_id), "flags": self.world.application_flags},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["emulator"],
            "auth": {},
            "_trace": ['["emulator-gateway",{"micros":0}]'],
        }
        if "shard" in data:
            ready["shard"] = data["shard"]
        session.dispatch("READY", ready)
        for guild in self.world.guilds.values():
            session.dispatch("GUILD_CREATE", self.guild_create(guild, session))
        self.world.notify()
        return None

    def guild_create(self, guild: Guild, session: Session) -> dict[str, Any]:
        """Return GUILD_CREATE for a session: all members only for small guilds with the members intent."""
        small = len(guild.members) < session.large_threshold
        members = list(guild.members.values()) if session.intents & GUILD_MEMBERS and small else [guild.me]
        return self.p.guild_create(guild, members)

    def _resume(self, conn: Connection, data: dict[str, Any]) -> int | None:
        """Resume a session: replay what the client missed, then RESUMED."""
        if data.get("token") != self.token:
            return 4004
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or not session.alive:
            conn.send({"op": 9, "s": None, "t": None, "d": False})
            return None
        self.resume_count += 1
        conn.identified = True
        self._attach(conn, session)
        last = data.get("seq") or 0
        for seq, frame in session.sent:
            if seq > last:
                conn.send(frame)
        session.dispatch("RESUMED", {"_trace": ['["emulator-gateway",{"micros":0}]']})
        self.world.notify()
        return None

    def _attach(self, conn: Connection, session: Session) -> None:
        """Bind a connection to a session, replacing any older connection of it."""
        old = session.conn
        if old is not None and old is not conn:
            old.session = None
        session.conn = conn
        conn.session = session

    def _request_members(self, conn: Connection, data: dict[str, Any]) -> None:
        """Answer REQUEST_GUILD_MEMBERS with GUILD_MEMBERS_CHUNK events of up to 1000 members."""
        session = conn.session
        guild = self.world.guilds.get(int(data.get("guild_id", 0)))
        if session is None or guild is None:
            return
        wanted_ids = [int(u) for u in data.get("user_ids") or []]
        if wanted_ids:
            members = [guild.members[u] for u in wanted_ids if u in guild.members]
            not_found = [str(u) for u in wanted_ids if u not in guild.members]
        else:
            query = (data.get("query") or "").lower()
            members = [m for m in guild.members.values() if m.user.username.lower().startswith(query)]
            not_found = []
        limit = int(data.get("limit") or 0)
        if limit:
            members = members[:limit]
        chunks = [members[i : i + 1000] for i in range(0, len(members), 1000)] or [[]]
        for index, chunk in enumerate(chunks):
            payload: dict[str, Any] = {
                "guild_id": str(guild.id),
                "members": [self.p.member(m) for m in chunk],
                "chunk_index": index,
                "chunk_count": len(chunks),
                "not_found": not_found if index == 0 else [],
            }
            if data.get("nonce"):
                payload["nonce"] = data["nonce"]
            session.dispatch("GUILD_MEMBERS_CHUNK", payload)

    # --- faults and shutdown -------------------------------------------

    async def drop(self, code: int = 4000) -> None:
        """Close every bot websocket abruptly (the sessions stay resumable)."""
        for conn in list(self.connections):
            conn.dropped = True
            await conn.close(code)

    def send_op(self, op: int, data: Any) -> None:
        """Send a raw opcode (e.g. 7 RECONNECT, 9 INVALID_SESSION) to every connection."""
        for conn in list(self.connections):
            conn.send({"op": op, "s": None, "t": None, "d": data})

    async def close_all(self) -> None:
        """Close every connection (server shutdown)."""
        for conn in list(self.connections):
            conn.dropped = True
            await conn.close(1001)
