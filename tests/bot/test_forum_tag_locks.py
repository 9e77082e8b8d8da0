"""The per-forum lock of bot/forums.add_tags: one per forum id while in use, none kept afterwards."""

from __future__ import annotations

import asyncio
import gc

from bot import forums


async def test_one_lock_per_forum_while_in_use_and_none_kept_after() -> None:
    """Callers of one forum share its lock, other forums have their own, and an unused lock is dropped."""
    first = forums.tag_lock(101)
    assert forums.tag_lock(101) is first
    assert forums.tag_lock(102) is not first
    async with first:
        waiting = asyncio.create_task(forums.tag_lock(101).acquire())
        await asyncio.sleep(0)
        assert not waiting.done(), "a second caller on the same forum waits for the first"
    await waiting
    forums.tag_lock(101).release()
    del first, waiting
    gc.collect()
    assert 101 not in forums._TAG_LOCKS and 102 not in forums._TAG_LOCKS
