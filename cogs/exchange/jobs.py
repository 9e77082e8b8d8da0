"""Scheduled work of twinning: the check-in prompt every four weeks, rescheduled from the database."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

import discord

from bot.scheduling import Misfire, utcnow
from bot.timestamps import discord_timestamp
from cogs.exchange.render import checkin_prompt
from cogs.exchange.rules import next_occurrence, plan_checkin, thread_link

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

JOB_PREFIX = "twin:"


def job_id(twin_id: int) -> str:
    """The scheduler job id of a twinning's next check-in."""
    return f"{JOB_PREFIX}{twin_id}"


class TwinCheckins:
    """Schedules and posts twin check-ins; the database says when, so a check-in never runs twice."""

    def __init__(self, bot: ClimaBot) -> None:
        """Use the bot's repositories, timeline and HTTP client."""
        self.bot = bot

    async def schedule_all(self) -> None:
        """Schedule every running twinning's next check-in, applying the misfire rule."""
        now = utcnow()
        for twin in await self.bot.repos.twins.pending():
            if twin.next_checkin_at is None:
                continue
            plan = plan_checkin(twin.next_checkin_at, now, self.bot.timeline.grace)
            due = twin.next_checkin_at
            if plan.decision is Misfire.MISSED and plan.skip_to is not None:
                if not await self.bot.repos.twins.skip_missed(twin.id, due, plan.skip_to, plan.missed):
                    continue
                log.warning("twin %s: %d check-in(s) missed while offline", twin.id, plan.missed)
                self.bot.timeline.run_at(
                    f"twin-missed:{twin.id}", now, self._tell_missed, twin.id, plan.missed
                )
                due = plan.skip_to
            self.bot.timeline.run_at(job_id(twin.id), plan.run_at, self.run_checkin, twin.id, due)

    def schedule(self, twin_id: int, due: datetime) -> None:
        """Schedule a twinning's check-in due at `due`."""
        self.bot.timeline.run_at(job_id(twin_id), due, self.run_checkin, twin_id, due)

    def cancel_all(self) -> None:
        """Drop every scheduled check-in (they point at this instance)."""
        self.bot.timeline.cancel_prefixed(JOB_PREFIX)

    async def run_checkin(self, twin_id: int, due: datetime) -> None:
        """Scheduler entry point: post the check-in due at `due`, never letting an error escape."""
        try:
            await self._checkin(twin_id, due)
        except Exception:
            log.exception("twin %s: check-in failed", twin_id)

    async def _checkin(self, twin_id: int, due: datetime) -> None:
        """Claim the check-in in the database, schedule the next one, then post the prompt."""
        twins = self.bot.repos.twins
        following, _ = next_occurrence(due, utcnow())
        if not await twins.claim_checkin(twin_id, due, following):
            return  # already done, moved, or the twinning ended
        self.schedule(twin_id, following)
        twin = await twins.get(twin_id)
        if twin is None:
            return
        a = await self.bot.repos.cities.get(twin.city_a_id)
        b = await self.bot.repos.cities.get(twin.city_b_id)
        # The thread is shared by both cities' members: the prompt speaks the server's language.
        t = await self.bot.languages.for_guild(twin.guild_id)
        try:
            await self.bot.get_partial_messageable(twin.thread_id, guild_id=twin.guild_id).send(
                checkin_prompt(t, a, b, following)
            )
        except discord.NotFound:
            log.warning("twin %s: thread %s is gone; ending the twinning", twin_id, twin.thread_id)
            await twins.end(twin_id)
            self.bot.timeline.cancel(job_id(twin_id))

    async def _tell_missed(self, twin_id: int, missed: int) -> None:
        """Tell the moderators that check-ins were missed while the bot was offline."""
        twin = await self.bot.repos.twins.get(twin_id)
        if twin is None:
            return
        # The moderation channel is read by every moderator: the server's language.
        t = await self.bot.languages.for_guild(twin.guild_id)
        thread = thread_link(twin.guild_id, twin.thread_id)
        if twin.next_checkin_at is None:
            text = t.ngettext(
                "While I was offline, {n} check-in of the twinning in {thread} was missed. No next one is "
                "planned.",
                "While I was offline, {n} check-ins of the twinning in {thread} were missed. No next one is "
                "planned.",
                missed,
                thread=thread,
            )
        else:
            text = t.ngettext(
                "While I was offline, {n} check-in of the twinning in {thread} was missed. The next one is "
                "{when}.",
                "While I was offline, {n} check-ins of the twinning in {thread} were missed. The next one is "
                "{when}.",
                missed,
                thread=thread,
                when=discord_timestamp(twin.next_checkin_at, "F"),
            )
        await self.bot.notify_moderators(twin.guild_id, text)
