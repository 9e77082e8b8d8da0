"""Helpers for the poll journeys: create a poll as a moderator, click as members, read the poll message.

Holds no tests itself; test_polls*.py import it.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from bot.client import ClimaBot
from cogs.polls.rules import vote_custom_id
from sandbox.emulator import Emulator
from sandbox.interactions import InteractionRecord
from sandbox.state import Member, Message
from tests.e2e.harness import BotHarness, Town

if TYPE_CHECKING:
    from cogs.polls.cog import PollsCog

EDIT_PATH = r"^/channels/\d+/messages/\d+$"
POLL_ID = re.compile(r"Poll #(\d+) is posted")


def polls_cog(bot: ClimaBot | None) -> PollsCog:
    """The running bot's polls cog."""
    assert bot is not None
    cog = bot.get_cog("Polls")
    # Reloading the extension re-imports cogs.polls, so compare by name, not by class identity.
    assert cog is not None and type(cog).__name__ == "PollsCog"
    return cast("PollsCog", cog)


def fast_edits(harness: BotHarness, interval: float = 0.2) -> None:
    """Shorten the tally-edit interval of the running bot so a test need not wait 2 s per refresh."""
    polls_cog(harness.bot).refresher.interval = interval


async def create_poll(
    emu: Emulator, town: Town, *, who: Member | None = None, **options: Any
) -> tuple[int, Message]:
    """Run /poll create in #general (as the moderator by default); return the poll id and its message."""
    options.setdefault("question", "Which pilot do we fund first?")
    options.setdefault("options", "Energy; Mobility; Buildings")
    # `options` is also the name of slash()'s own keyword, so every value goes in the options dict.
    it = await emu.slash(
        town.guild, who or town.moderator, "poll create", channel=town.general, options=options
    )
    reply = await it.reply()
    assert reply.ephemeral, reply.content
    match = POLL_ID.search(reply.content)
    assert match, reply.content
    poll_id = int(match.group(1))
    message = await emu.wait_for_message(
        town.general, lambda m: any(e.get("title") == f"Poll #{poll_id}" for e in m.embeds)
    )
    return poll_id, message


async def create_reply(emu: Emulator, town: Town, who: Member | None = None, **options: Any) -> Message:
    """Run /poll create in #general (as the moderator by default) and return the bot's answer."""
    it = await emu.slash(
        town.guild, who or town.moderator, "poll create", channel=town.general, options=options
    )
    return await it.reply()


async def vote(emu: Emulator, town: Town, member: Member, message: Message, poll_id: int, option: int) -> str:
    """Click an option as a member and return the bot's private answer."""
    it = await emu.click(town.guild, member, message, vote_custom_id(poll_id, option))
    reply = await it.reply()
    assert reply.ephemeral, f"a vote confirmation must be private: {reply.content}"
    return reply.content


async def click(
    emu: Emulator, town: Town, member: Member, message: Message, poll_id: int, option: int
) -> InteractionRecord:
    """Click an option as a member without waiting for the answer."""
    return await emu.click(town.guild, member, message, vote_custom_id(poll_id, option))


def description(message: Message) -> str:
    """The poll embed's description (question and tally, or final results)."""
    return str(message.embeds[0].get("description", "")) if message.embeds else ""


async def wait_for_tally(emu: Emulator, message: Message, *needles: str, timeout: float = 5.0) -> Message:
    """Wait until the poll message's text shows every needle (e.g. '2 members voted')."""

    def shown() -> Message | None:
        """Return the message once it shows every needle."""
        text = message.text
        return message if all(needle in text for needle in needles) else None

    return await emu.world.wait_until(shown, timeout, f"the poll message to show {needles}")


async def wait_closed(emu: Emulator, message: Message, timeout: float = 10.0) -> Message:
    """Wait until the poll message shows final results (no buttons, the chart attached)."""

    def closed() -> Message | None:
        """Return the message once it is the closed version."""
        title = message.embeds[0].get("title", "") if message.embeds else ""
        return message if "(closed)" in title and not message.buttons() else None

    return await emu.world.wait_until(closed, timeout, "the poll message to show final results")


def stored_counts(database: Path, poll_id: int) -> list[int]:
    """Votes per option as the database file says, read with plain sqlite3."""
    with contextlib.closing(sqlite3.connect(database)) as conn:
        rows = conn.execute(
            "SELECT votes FROM poll_options WHERE poll_id = ? ORDER BY idx", (poll_id,)
        ).fetchall()
    return [int(row[0]) for row in rows]


def results_posted_at(database: Path, poll_id: int) -> str | None:
    """When the database says the poll's message was edited to its final results (None: not yet)."""
    with contextlib.closing(sqlite3.connect(database)) as conn:
        row = conn.execute("SELECT results_posted_at FROM polls WHERE id = ?", (poll_id,)).fetchone()
    return None if row[0] is None else str(row[0])


def poll_rows(database: Path) -> int:
    """How many polls the database file holds."""
    with contextlib.closing(sqlite3.connect(database)) as conn:
        return int(conn.execute("SELECT count(*) FROM polls").fetchone()[0])
