"""Keeping the private threads of twinned cities in step with who belongs to those cities."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

THREAD_ARCHIVED = 50083


class TwinThreads:
    """Adds members to and removes them from twin threads, by id, tolerating members who left."""

    def __init__(self, bot: ClimaBot) -> None:
        """Use the bot's HTTP client and repositories."""
        self.bot = bot

    async def add_users(self, thread_id: int, user_ids: Iterable[int]) -> int:
        """Add members to a thread (un-archiving it if needed); return how many were added."""
        added = 0
        for user_id in dict.fromkeys(user_ids):
            if await self._add(thread_id, user_id):
                added += 1
        return added

    async def _add(self, thread_id: int, user_id: int) -> bool:
        """Add one member to a thread; False if they are no longer on the server or the thread is gone."""
        http = self.bot.http
        for attempt in range(2):
            try:
                await http.add_user_to_thread(thread_id, user_id)
                return True
            except discord.NotFound:
                log.info("thread %s: member %s or the thread is gone; not added", thread_id, user_id)
                return False
            except discord.HTTPException as exc:
                # Archived threads take no new members; waking the thread is what a moderator would do.
                if exc.code == THREAD_ARCHIVED and attempt == 0:
                    await http.edit_channel(
                        thread_id, archived=False, reason="climabot: add a twin city member"
                    )
                    continue
                log.warning("thread %s: cannot add member %s: %s", thread_id, user_id, exc)
                return False
        return False

    async def add_member(self, guild: discord.Guild, city_id: int, user_id: int) -> None:
        """Add a member who just joined a city to the threads of that city's twinnings."""
        for twin in await self.bot.repos.twins.of_city(city_id):
            if twin.guild_id == guild.id:
                await self._add(twin.thread_id, user_id)

    async def remove_member(self, guild: discord.Guild, city_id: int, user_id: int) -> None:
        """Remove a member who left a city from its twin threads, unless they belong to the other city."""
        cities = self.bot.repos.cities
        for twin in await self.bot.repos.twins.of_city(city_id):
            other = twin.city_b_id if twin.city_a_id == city_id else twin.city_a_id
            if twin.guild_id != guild.id or await cities.is_member(other, user_id):
                continue
            try:
                await self.bot.http.remove_user_from_thread(twin.thread_id, user_id)
            except discord.HTTPException as exc:
                log.info("thread %s: cannot remove member %s: %s", twin.thread_id, user_id, exc)
