"""Coalesced message refreshes (poll tallies, proposal supports): at most one edit per interval per key.

The Coalescer knows nothing about Discord: it calls an injected `action(key)` (for polls: read the
fresh counts from the database and edit the poll message) and takes an injected clock and sleep so
the timing rules can be tested without waiting.

Rules, per key:
- a request when no edit ran in the last `interval` seconds starts an edit at once;
- requests during an edit or during the `interval` after an edit started mark the key dirty, and
  one more edit runs when the interval is over (however many requests came);
- each edit reads the state when it runs, so the last edit shows every request before it started;
- an edit that raises is logged and does not stop later edits;
- `exclusive(key)` waits for a running edit and holds further edits back (used to close a poll, so
  no tally edit can land after the final results).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bot.scheduling import drain

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)

EDIT_INTERVAL = 2.0
FLUSH_TIMEOUT = 5.0


@dataclass
class _KeyState:
    """What the coalescer knows about one key while edits are pending, running or cooling down."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    hurry: asyncio.Event = field(default_factory=asyncio.Event)
    dirty: bool = False
    task: asyncio.Task[None] | None = None
    holders: int = 0


class Coalescer(Generic[K]):
    """Runs `action(key)` for requested keys, at most once per `interval` seconds per key."""

    def __init__(
        self,
        action: Callable[[K], Awaitable[None]],
        *,
        interval: float = EDIT_INTERVAL,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Use `action` to refresh a key; clock and sleep default to the event loop's time."""
        self.action = action
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._states: dict[K, _KeyState] = {}
        self._closing = False  # aclose() started: pending refreshes are flushed, no new ones start
        self._closed = False
        self.runs = 0

    def _now(self) -> float:
        """The current time on the injected clock, or the running loop's monotonic clock."""
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    def active_keys(self) -> list[K]:
        """Keys with an edit pending, running or cooling down (for tests and diagnostics)."""
        return list(self._states)

    def request(self, key: K) -> None:
        """Ask for one more refresh of key; coalesced with every other request in the same window."""
        if self._closed:
            return
        state = self._states.get(key)
        if state is None:
            if self._closing:
                return
            state = self._states[key] = _KeyState()
        state.dirty = True
        if self._closing:
            # Only a refresh already running picks this up (at once); none starts during shutdown.
            state.hurry.set()
            return
        if state.task is None:
            state.task = asyncio.create_task(self._run(key, state), name=f"coalesced-refresh:{key}")

    async def _run(self, key: K, state: _KeyState) -> None:
        """Refresh while requests keep coming, never starting two refreshes within one interval."""
        try:
            while state.dirty and not self._closed:
                async with state.lock:
                    if not state.dirty:
                        # An exclusive holder (a close) already did what this refresh would show.
                        break
                    state.dirty = False
                    started = self._now()
                    await self._run_action(key)
                remaining = started + self.interval - self._now()
                if remaining > 0 and not state.hurry.is_set():
                    await self._cool_down(remaining, state)
        finally:
            state.task = None
            self._forget_if_idle(key, state)

    async def _run_action(self, key: K) -> None:
        """Call the action once; an exception is logged, never propagated (the next request retries)."""
        self.runs += 1
        try:
            await self.action(key)
        except Exception:
            log.exception("refreshing %r failed", key)

    async def _cool_down(self, seconds: float, state: _KeyState) -> None:
        """Wait out the rest of the interval, or less if a shutdown asks to hurry."""
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        hurry = asyncio.ensure_future(state.hurry.wait())
        try:
            await asyncio.wait({sleeper, hurry}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in (sleeper, hurry):
                waiter.cancel()
            await asyncio.gather(sleeper, hurry, return_exceptions=True)

    def _forget_if_idle(self, key: K, state: _KeyState) -> None:
        """Drop a key's state once nothing runs, waits or holds it, so memory follows active polls."""
        if state.task is None and state.holders == 0 and self._states.get(key) is state:
            del self._states[key]

    @contextlib.asynccontextmanager
    async def exclusive(self, key: K) -> AsyncIterator[None]:
        """Wait for a running refresh of key to finish and hold back new ones while inside.

        Pending requests are dropped: the holder (closing a poll) writes the final state itself.
        """
        state = self._states.get(key)
        if state is None:
            state = self._states[key] = _KeyState()
        state.holders += 1
        try:
            async with state.lock:
                state.dirty = False
                yield
        finally:
            state.holders -= 1
            self._forget_if_idle(key, state)

    async def aclose(self, timeout: float = FLUSH_TIMEOUT) -> None:
        """Run the refreshes still pending at once (skipping the cool-down), then accept no more."""
        self._closing = True
        states = list(self._states.values())
        for state in states:
            state.hurry.set()
        await drain([state.task for state in states if state.task is not None], timeout, "tally refreshes")
        self._closed = True
