"""What the polls capability keeps about a member, for /mydata: export it, erase it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import discord

from bot.member_data import Erasure
from storage.polls import PollsRepository

# After profiles, cities, calls and testimonials; before exchanges and events.
ERASE_ORDER = 50


class PollsMemberData:
    """Ballots of non-anonymous polls and the polls a moderator created; erasure withdraws or unlinks.

    Erasure withdraws the member's ballots from open polls (anonymous ones too: while a poll is open
    the bot can still find a ballot by its keyed hash), puts those of closed non-anonymous polls under
    a pseudonym with only the day kept, and repaints the tallies of the open polls it changed. Who
    created a poll is kept: it is a record of the server's work, listed under moderator_actions.
    """

    erase_order = ERASE_ORDER

    def __init__(self, repo: PollsRepository, repaint: Callable[[int], None]) -> None:
        """Use the polls repository, and `repaint(poll_id)` to ask for a poll message's tally refresh."""
        self.repo = repo
        self.repaint = repaint

    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """poll_ballots, and moderator_actions.polls_created."""
        return await self.repo.member_data(guild_id, user_id)

    async def erase_member_data(self, member: discord.Member) -> Erasure:
        """Withdraw open-poll ballots, unlink closed-poll ones, and refresh the tallies that changed."""
        erased = await self.repo.forget_member(member.guild.id, member.id)
        for poll_id in erased.open_poll_ids:
            self.repaint(poll_id)
        return Erasure(erased.counts())
