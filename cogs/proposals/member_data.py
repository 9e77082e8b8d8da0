"""What the proposals capability keeps about a member, for /mydata: export it, erase it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import discord

from bot.member_data import Erasure
from storage.proposals import ProposalsRepository

# After polls, before exchanges and events.
ERASE_ORDER = 55


class ProposalsMemberData:
    """A member's proposals, supports and "stop these messages" choice, and the answers they gave.

    Erasure deletes their supports (the posts' counts are repainted) and their opt-out, and unlinks
    their proposals: a proposal is a public contribution others supported and moderators answered,
    so it stays, shown as by "a former member", with no link to the member in the database. Answers a
    moderator gave are kept as the server's record (moderator_actions).
    """

    erase_order = ERASE_ORDER

    def __init__(self, repo: ProposalsRepository, repaint: Callable[[int], None]) -> None:
        """Use the repository and the coalesced repaint of proposal posts."""
        self.repo = repo
        self.repaint = repaint

    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """proposals, proposal_supports, proposal_messages, and moderator_actions.proposal_answers."""
        return await self.repo.member_data(guild_id, user_id)

    async def erase_member_data(self, member: discord.Member) -> Erasure:
        """Delete supports and opt-out, unlink proposals, repaint those posts (so the mention goes)."""
        counts, touched = await self.repo.erase_member(member.guild.id, member.id)
        for proposal_id in touched:
            self.repaint(proposal_id)
        return Erasure(counts)
