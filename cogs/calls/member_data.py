"""What the calls capability keeps about a member, for /mydata: export it, erase it."""

from __future__ import annotations

from typing import Any

import discord

from bot.member_data import Erasure
from storage.repositories import Repositories

MODERATOR_ACTIONS = "moderator_actions"

# After profiles and cities (which take Discord roles back), before testimonials and polls.
ERASE_ORDER = 30


class CallsMemberData:
    """Subscriptions and reminder DMs (erased), and the calls and announcements a moderator made (kept).

    What a moderator registered or scheduled is a record of the server's work, not the member's own
    data: /mydata export lists it under moderator_actions, /mydata forget leaves it. Nothing of this
    capability lives on Discord per member, so erasure is database-only.
    """

    erase_order = ERASE_ORDER

    def __init__(self, repos: Repositories) -> None:
        """Use the calls and announcements repositories."""
        self.repos = repos

    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """call_subscriptions, call_reminder_dms, and moderator_actions (calls registered, announcements)."""
        calls = await self.repos.calls.member_data(guild_id, user_id)
        announcements = await self.repos.announcements.member_data(guild_id, user_id)
        actions = {**calls.get(MODERATOR_ACTIONS, {}), **announcements.get(MODERATOR_ACTIONS, {})}
        return {**calls, MODERATOR_ACTIONS: actions}

    async def erase_member_data(self, member: discord.Member) -> Erasure:
        """Delete the member's subscriptions and the records of reminder DMs sent to them."""
        return Erasure(await self.repos.calls.forget_member(member.guild.id, member.id))
