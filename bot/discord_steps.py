"""Create something on Discord, record it in the database, and undo the Discord side if recording fails."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

log = logging.getLogger(__name__)

Made = TypeVar("Made")
Recorded = TypeVar("Recorded")


async def create_then_record(
    create: Callable[[], Awaitable[Made]],
    record: Callable[[Made], Awaitable[Recorded]],
    undo: Callable[[Made], Awaitable[object]],
    *,
    what: str,
) -> Recorded:
    """Run create, then record with its result; if record fails, undo the creation and re-raise.

    The database is the source of truth: a thread, event or message it does not know about would be
    an orphan nobody can manage, so it is removed again (and a failed removal is logged).
    """
    made = await create()
    try:
        return await record(made)
    except BaseException:
        try:
            await undo(made)
        except Exception:
            log.warning("could not undo %s after its record failed", what, exc_info=True)
        raise
