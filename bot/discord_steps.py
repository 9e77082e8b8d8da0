"""Create something on Discord, record it, undo the Discord side if recording fails; Discord refusals."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import discord

from bot.errors import ValidationError

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


@contextmanager
def refused_as(text: str, /, *, log_as: str | None = None, **params: Any) -> Iterator[None]:
    """Turn Discord refusing the block's request into a ValidationError of `text` ({error}: its reason).

    `text` is a msgid marked with N_; `log_as`, when given, also logs the refusal as a warning.
    """
    try:
        yield
    except discord.HTTPException as exc:
        if log_as is not None:
            log.warning("%s: %s", log_as, exc)
        raise ValidationError(text, **params, error=exc.text or exc.status) from None
