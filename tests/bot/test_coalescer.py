"""The tally coalescer's timing rules, on a fake clock with an injected editor (no real waiting)."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coalescer import Coalescer

INTERVAL = 2.0


class FakeClock:
    """A manual clock: sleepers wake only when the test advances time."""

    def __init__(self) -> None:
        """Start at time 0 with nobody asleep."""
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        """The current fake time."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Sleep until the test advances the clock past now + seconds."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), future))
        await future

    async def advance(self, seconds: float) -> None:
        """Move time forward, waking sleepers in order and letting woken tasks run."""
        target = self.now + seconds
        await settle()
        while self._sleepers and self._sleepers[0][0] <= target:
            wake, _, future = heapq.heappop(self._sleepers)
            self.now = wake
            if not future.done():
                future.set_result(None)
            await settle()
        self.now = target
        await settle()


async def settle() -> None:
    """Let every ready task run until the loop is idle (no time passes)."""
    for _ in range(50):
        await asyncio.sleep(0)


class Editor:
    """An injected action that records when it ran and what 'database' value it saw."""

    def __init__(self, clock: FakeClock) -> None:
        """Edit instantly unless a test holds the gate."""
        self.clock = clock
        self.value = 0
        self.runs: list[tuple[float, int]] = []
        self.gate: asyncio.Event | None = None
        self.fail_next = 0

    async def __call__(self, key: int) -> None:
        """Read the current value (as an edit reads fresh counts) and 'edit' the message."""
        seen, started = self.value, self.clock.now
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_next:
            self.fail_next -= 1
            raise RuntimeError("HTTP 500 while editing")
        self.runs.append((started, seen))


def make(interval: float = INTERVAL) -> tuple[FakeClock, Editor, Coalescer[int]]:
    """A fake clock, an editor and a coalescer wired together."""
    clock = FakeClock()
    editor = Editor(clock)
    return clock, editor, Coalescer(editor, interval=interval, clock=clock, sleep=clock.sleep)


async def test_first_request_edits_at_once_and_state_is_dropped_after_the_cool_down() -> None:
    """A lone request edits at once; the key is forgotten once its cool-down ends."""
    clock, editor, coalescer = make()
    editor.value = 1
    coalescer.request(7)
    await settle()
    assert editor.runs == [(0.0, 1)]
    assert coalescer.active_keys() == [7]
    await clock.advance(INTERVAL)
    assert coalescer.active_keys() == []
    assert editor.runs == [(0.0, 1)]


async def test_a_burst_in_one_window_gives_exactly_one_more_edit_with_the_final_value() -> None:
    """100 requests inside one window give one more edit, 2 s later, showing the last value."""
    clock, editor, coalescer = make()
    coalescer.request(1)
    await settle()
    for value in range(1, 101):
        editor.value = value
        coalescer.request(1)
        await clock.advance(0.01)
    await clock.advance(10)
    assert editor.runs == [(0.0, 0), (2.0, 100)]


async def test_a_request_during_an_edit_schedules_one_more_edit() -> None:
    """A request while an edit is in flight leads to exactly one more edit with the newer value."""
    clock, editor, coalescer = make()
    editor.gate = asyncio.Event()
    coalescer.request(1)
    await settle()
    editor.value = 5  # a vote lands while the edit is in flight, after it read the counts
    coalescer.request(1)
    await clock.advance(3.0)
    editor.gate.set()
    await settle()
    await clock.advance(10)
    assert editor.runs == [(0.0, 0), (3.0, 5)], "the second edit starts once the first is done"


@settings(max_examples=60, deadline=None)
@given(gaps=st.lists(st.floats(min_value=0.0, max_value=3.0), min_size=1, max_size=60))
def test_any_request_pattern_keeps_spacing_bound_and_ends_exact(gaps: list[float]) -> None:
    """Edits are >= 2 s apart, number at most ceil(span/2)+1, and the last one shows the last value."""

    async def scenario() -> None:
        """Replay the gaps as requests on a fake clock and check the edits."""
        clock, editor, coalescer = make()
        for value, gap in enumerate(gaps, start=1):
            await clock.advance(gap)
            editor.value = value
            coalescer.request(1)
        last_request = clock.now
        await clock.advance(10)
        times = [when for when, _ in editor.runs]
        # 1e-9: the fake clock adds float seconds, so 2 s can come out a few ulps short.
        assert all(later - earlier >= INTERVAL - 1e-9 for earlier, later in itertools.pairwise(times))
        assert editor.runs[-1][1] == len(gaps), "the final edit shows the final state"
        assert editor.runs[-1][0] >= last_request
        first = times[0]
        assert len(times) <= math.ceil((times[-1] - first) / INTERVAL - 1e-9) + 1
        assert coalescer.active_keys() == []

    asyncio.run(scenario())


async def test_keys_are_independent() -> None:
    """Each poll has its own window: edits of one key never delay another."""
    clock, _editor, coalescer = make()
    keys_seen: list[int] = []

    async def action(key: int) -> None:
        """Record which key was refreshed."""
        keys_seen.append(key)

    coalescer.action = action
    for key in (1, 2, 3, 1, 2, 3):
        coalescer.request(key)
    await settle()
    assert sorted(keys_seen) == [1, 2, 3], "requests before an edit starts are one edit"
    for key in (1, 2, 3):
        coalescer.request(key)
    await settle()
    assert sorted(keys_seen) == [1, 2, 3], "each key waits for its own cool-down"
    await clock.advance(INTERVAL)
    assert sorted(keys_seen) == [1, 1, 2, 2, 3, 3]


async def test_a_failing_edit_is_logged_and_the_next_request_edits_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An edit that raises is logged, and the next request still edits."""
    clock, editor, coalescer = make()
    editor.fail_next = 1
    with caplog.at_level(logging.ERROR, logger="bot.coalescer"):
        coalescer.request(1)
        await settle()
    assert editor.runs == [] and "refreshing 1 failed" in caplog.text
    editor.value = 2
    coalescer.request(1)
    await clock.advance(INTERVAL)
    assert editor.runs == [(2.0, 2)]


async def test_exclusive_waits_for_a_running_edit_and_drops_pending_ones() -> None:
    """exclusive() waits for the edit in flight and cancels the pending one."""
    clock, editor, coalescer = make()
    editor.gate = asyncio.Event()
    coalescer.request(1)
    await settle()
    coalescer.request(1)  # pending behind the running edit
    order: list[str] = []

    async def close() -> None:
        """Stand in for closing a poll: hold the key exclusively."""
        async with coalescer.exclusive(1):
            order.append(f"close at {clock.now} after {len(editor.runs)} edits")

    closing = asyncio.create_task(close())
    await settle()
    assert order == [], "the close waits for the edit in flight"
    editor.gate.set()
    await settle()
    await closing
    await clock.advance(10)
    assert order == ["close at 0.0 after 1 edits"]
    assert len(editor.runs) == 1, "the pending refresh is dropped: the close shows the final state"
    assert coalescer.active_keys() == []


async def test_requests_while_exclusive_run_after_it() -> None:
    """A request made inside exclusive() runs once the holder leaves."""
    clock, editor, coalescer = make()
    async with coalescer.exclusive(1):
        coalescer.request(1)
        await settle()
        assert editor.runs == []
    await settle()
    assert editor.runs == [(0.0, 0)]
    await clock.advance(INTERVAL)
    assert coalescer.active_keys() == []


async def test_aclose_flushes_pending_refreshes_then_ignores_requests() -> None:
    """aclose() runs the pending refresh without waiting out the cool-down, then ignores requests."""
    _clock, editor, coalescer = make()
    coalescer.request(1)
    await settle()
    editor.value = 9
    coalescer.request(1)  # would normally wait for the 2 s cool-down
    await coalescer.aclose()
    assert editor.runs == [(0.0, 0), (0.0, 9)], "pending state is written before shutdown"
    coalescer.request(1)
    await settle()
    assert len(editor.runs) == 2 and coalescer.active_keys() == []


async def test_a_request_during_aclose_is_flushed_by_the_running_refresh() -> None:
    """A request arriving during shutdown is picked up by the refresh already running."""
    _clock, editor, coalescer = make()
    editor.gate = asyncio.Event()
    coalescer.request(1)
    await settle()
    closing = asyncio.create_task(coalescer.aclose())
    await settle()
    editor.value = 3
    coalescer.request(1)  # a vote confirmed while the bot shuts down
    coalescer.request(2)  # nothing was pending for this key: no new refresh starts
    editor.gate.set()
    await closing
    assert editor.runs == [(0.0, 0), (0.0, 3)]
    assert coalescer.active_keys() == []
