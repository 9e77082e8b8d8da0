"""The /api/live websocket: tell every open page, debounced, that the emulated world changed."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from ..world import World

DEBOUNCE_SECONDS = 0.05


class LiveHub:
    """Counts changes of the world and pushes {"type": "changed", "version": n} to open websockets."""

    def __init__(self, world: World, debounce: float = DEBOUNCE_SECONDS) -> None:
        """Create a stopped hub for a world."""
        self.world = world
        self.debounce = debounce
        self.version = 0
        self.sockets: set[web.WebSocketResponse] = set()
        self._dirty = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Start watching the world and pushing changes."""
        self._tasks = [asyncio.create_task(self._watch()), asyncio.create_task(self._push())]

    async def stop(self) -> None:
        """Stop the tasks and close every open websocket."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for ws in list(self.sockets):
            await ws.close()
        self.sockets.clear()

    async def _watch(self) -> None:
        """Mark the hub dirty at every change of the world."""
        while True:
            # wait_until calls check() once at once, then after every notify(); the second call is a change.
            # Between one return and the next wait there is no await, so no notify() is missed.
            calls = 0

            def check() -> bool | None:
                """Return True from the second call on: a change happened."""
                nonlocal calls
                calls += 1
                return True if calls > 1 else None

            try:
                await self.world.wait_until(check, 3600.0, "a change")
            except AssertionError:
                continue
            self._dirty.set()

    async def _push(self) -> None:
        """Send one "changed" per burst of changes, at most every `debounce` seconds."""
        while True:
            await self._dirty.wait()
            await asyncio.sleep(self.debounce)
            self._dirty.clear()
            self.version += 1
            message = {"type": "changed", "version": self.version}
            for ws in list(self.sockets):
                try:
                    await ws.send_json(message)
                except (ConnectionError, RuntimeError):
                    self.sockets.discard(ws)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one page's websocket until it closes."""
        ws = web.WebSocketResponse(heartbeat=30.0)
        await ws.prepare(request)
        self.sockets.add(ws)
        try:
            await ws.send_json({"type": "hello", "version": self.version})
            async for msg in ws:
                if msg.type == WSMsgType.ERROR:
                    break  # the page only listens; anything it sends is ignored
        finally:
            self.sockets.discard(ws)
        return ws
