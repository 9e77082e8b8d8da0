"""Work after a change: coalesced repaints of proposal posts, and DMs to the author and supporters.

Repaints go through the shared Coalescer (bot/coalescer.py), as poll tallies do: at most one edit per
proposal per EDIT_INTERVAL seconds, the last one always reading the final count.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.coalescer import EDIT_INTERVAL, Coalescer
from cogs.proposals.render import dm_text, post_content, post_embed
from cogs.proposals.views import stop_view, support_view
from storage.proposal_records import Change
from storage.proposals import ProposalsRepository

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

CLOSED_DMS = 50007


class ProposalJobs:
    """Repaints proposal posts and tells people of changes, in each reader's language."""

    def __init__(self, bot: ClimaBot, repo: ProposalsRepository) -> None:
        """Keep the bot and the repository; repaints are coalesced per proposal."""
        self.bot = bot
        self.repo = repo
        self.refresher: Coalescer[int] = Coalescer(self.repaint, interval=EDIT_INTERVAL)

    async def repaint(self, proposal_id: int) -> None:
        """Edit a proposal's post to show its current count, status and progress (server's language)."""
        proposal = await self.repo.by_id(proposal_id)
        if proposal is None or proposal.thread_id is None or proposal.message_id is None:
            return
        t = await self.bot.languages.for_guild(proposal.guild_id)
        events = await self.repo.timeline(proposal.id)
        reason = next((e.note for e in reversed(events) if e.kind == "status"), None)
        message = self.bot.get_partial_messageable(proposal.thread_id).get_partial_message(
            proposal.message_id
        )
        try:
            await message.edit(
                content=post_content(t, proposal),
                embed=post_embed(t, proposal, reason),
                view=support_view(proposal.id, t, is_open=proposal.is_open),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.NotFound:
            # A post deleted on Discord leaves the proposal readable in /proposal show and the export.
            log.info("proposal %s: its post is gone; nothing to repaint", proposal.id)

    async def tell(self, change: Change, guild_name: str) -> int:
        """DM the author and every supporter who did not opt out; return how many DMs went out."""
        sent = 0
        texts: dict[str, str] = {}
        for user_id in await self.repo.recipients(change.proposal):
            t = await self.bot.languages.for_member(change.proposal.guild_id, user_id)
            if t.code not in texts:
                texts[t.code] = dm_text(t, change, guild_name)
            try:
                channel = await self.bot.create_dm(discord.Object(user_id))
                await channel.send(
                    texts[t.code],
                    view=stop_view(change.proposal.guild_id, t),
                    allowed_mentions=discord.AllowedMentions.none(),
                )
                sent += 1
            except discord.Forbidden as problem:
                log.info("proposal %s: no DM to %s (%s)", change.proposal.id, user_id, problem.code)
            except discord.HTTPException as problem:
                log.warning("proposal %s: DM to %s failed: %s", change.proposal.id, user_id, problem.status)
        return sent
