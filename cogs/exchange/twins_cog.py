"""The /twin commands: twinned cities, their private thread and a check-in prompt every four weeks."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import ValidationError
from bot.guards import moderator_only
from bot.replies import fit_lines
from bot.scheduling import Misfire, utcnow
from bot.timestamps import discord_timestamp
from cogs.exchange.checkins import CHECKIN_PERIOD, next_occurrence, plan_checkin
from cogs.exchange.forum import MAX_ARCHIVE_MINUTES, THREAD_NAME_LIMIT, delete_thread_quietly
from cogs.exchange.lookup import city_autocomplete, guild_id_of, resolve_city
from cogs.exchange.render import COLOUR, EMBED_DESCRIPTION_LIMIT
from cogs.exchange.snippets import escape_markdown, thread_link
from cogs.exchange.twin_threads import TwinThreads
from storage.twins import DuplicateTwinError, Twin

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

JOB_PREFIX = "twin:"


def job_id(twin_id: int) -> str:
    """The scheduler job id of a twinning's next check-in."""
    return f"{JOB_PREFIX}{twin_id}"


class TwinsCog(commands.Cog, name="Twins"):
    """Pairs of cities that learn from each other in a private thread, prompted every four weeks."""

    twin = app_commands.Group(name="twin", description="Twinned cities", guild_only=True)

    def __init__(self, bot: ClimaBot, twin_threads: TwinThreads) -> None:
        """Keep the bot for its repositories, scheduler and HTTP client."""
        self.bot = bot
        self.twin_threads = twin_threads

    async def cog_load(self) -> None:
        """Schedule every running twinning's next check-in from the database, applying the misfire rule."""
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

    async def cog_unload(self) -> None:
        """Drop this cog's scheduled jobs (they point at this instance)."""
        for pending in self.bot.timeline.pending(JOB_PREFIX):
            self.bot.timeline.cancel(pending)

    # --- commands ----------------------------------------------------------------

    @twin.command(name="create", description="Twin two cities: a private thread and check-ins every 4 weeks")
    @app_commands.describe(
        city_a="First city",
        city_b="Second city",
        channel="Text channel for the private thread (default: the announcements channel)",
    )
    @app_commands.autocomplete(city_a=city_autocomplete, city_b=city_autocomplete)
    @moderator_only()
    async def create(
        self,
        interaction: discord.Interaction[Any],
        city_a: str,
        city_b: str,
        channel: discord.TextChannel | None = None,
    ) -> None:
        """Open the pair's private thread, add both cities' members, schedule the first check-in."""
        guild_id = guild_id_of(interaction)
        guild = interaction.guild
        assert guild is not None
        cities = self.bot.repos.cities
        first = await resolve_city(cities, guild_id, city_a)
        second = await resolve_city(cities, guild_id, city_b)
        if first.id == second.id:
            raise ValidationError("Choose two different cities to twin.")
        existing = await self.bot.repos.twins.find_active(first.id, second.id)
        if existing is not None:
            raise ValidationError(
                f"{escape_markdown(first.name)} and {escape_markdown(second.name)} are already twinned: "
                f"{thread_link(guild_id, existing.thread_id)}"
            )
        parent = await self._parent_channel(guild, interaction, channel)
        await interaction.response.defer(ephemeral=True, thinking=True)
        name = f"Twinning: {first.name} ↔ {second.name}"[:THREAD_NAME_LIMIT]
        try:
            thread = await parent.create_thread(
                name=name,
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=MAX_ARCHIVE_MINUTES,
                reason=f"climabot: twinning by {interaction.user.id}",
            )
        except discord.HTTPException as exc:
            raise ValidationError(
                f"I could not open a private thread in {parent.mention} ({exc.text or exc.status}); "
                "I need the Create Private Threads and Send Messages in Threads permissions there. "
                "Nothing was created."
            ) from None
        first_checkin = utcnow() + CHECKIN_PERIOD
        try:
            twin = await self.bot.repos.twins.create(
                guild_id=guild_id,
                city_x=first.id,
                city_y=second.id,
                channel_id=parent.id,
                thread_id=thread.id,
                created_by=interaction.user.id,
                first_checkin_at=first_checkin,
            )
        except BaseException as exc:
            await delete_thread_quietly(thread, "the twinning could not be recorded")
            if isinstance(exc, DuplicateTwinError):
                raise ValidationError("These cities were twinned a moment ago by someone else.") from None
            raise
        assert twin.next_checkin_at is not None
        self.bot.timeline.run_at(
            job_id(twin.id), twin.next_checkin_at, self.run_checkin, twin.id, twin.next_checkin_at
        )
        # Members first: a thread nobody can see is the half-created state to avoid.
        members = [*await cities.members(first.id), *await cities.members(second.id), interaction.user.id]
        added = await self.twin_threads.add_users(thread.id, members)
        log.info("guild %s: twin %s created (%s members added)", guild_id, twin.id, added)
        note = ""
        try:
            await thread.send(
                f"🤝 **{escape_markdown(first.name)}** and **{escape_markdown(second.name)}** are twinned. "
                "Use this thread to share what you are trying and to ask each other questions. "
                "I will ask for a check-in every 4 weeks; the first is "
                f"{discord_timestamp(first_checkin, 'F')}."
            )
        except discord.HTTPException as exc:
            log.warning("twin %s: cannot post the welcome in thread %s: %s", twin.id, thread.id, exc)
            note = " I could not post the welcome there: I need Send Messages in Threads."
        await interaction.followup.send(
            f"Twinned **{escape_markdown(first.name)}** and **{escape_markdown(second.name)}**: "
            f"{thread.mention} with {added} member(s) added. "
            f"First check-in {discord_timestamp(first_checkin, 'R')}.{note}",
            ephemeral=True,
        )

    async def _parent_channel(
        self, guild: discord.Guild, interaction: discord.Interaction[Any], chosen: discord.TextChannel | None
    ) -> discord.TextChannel:
        """Pick the text channel for a twin thread: the chosen one, the announcements one, or this one."""
        if chosen is not None:
            return chosen
        settings = await self.bot.repos.guild_settings.get(guild.id)
        if settings.announcements_channel_id is not None:
            found = guild.get_channel(settings.announcements_channel_id)
            if isinstance(found, discord.TextChannel):
                return found
        if isinstance(interaction.channel, discord.TextChannel):
            return interaction.channel
        raise ValidationError(
            "Choose a text channel for the private thread with the `channel` option (members of both cities "
            "must be able to see that channel), or run this in one."
        )

    @twin.command(name="list", description="List the twinned cities")
    async def list_twins(self, interaction: discord.Interaction[Any]) -> None:
        """Show every running twinning with its next check-in."""
        guild_id = guild_id_of(interaction)
        twins = await self.bot.repos.twins.of_guild(guild_id)
        lines = [await self._line(t) for t in twins]
        embed = discord.Embed(title="Twinned cities", colour=COLOUR)
        embed.description = (
            fit_lines(lines, EMBED_DESCRIPTION_LIMIT) if lines else "No cities are twinned yet."
        )
        embed.set_footer(text="Moderators twin cities with /twin create.")
        await interaction.response.send_message(embed=embed, ephemeral=True)

    async def _line(self, twin: Twin) -> str:
        """One line of the twin list."""
        a = await self.bot.repos.cities.get(twin.city_a_id)
        b = await self.bot.repos.cities.get(twin.city_b_id)
        names = " ↔ ".join(escape_markdown(c.name) if c else "?" for c in (a, b))
        nxt = (
            f" · next check-in {discord_timestamp(twin.next_checkin_at, 'R')}" if twin.next_checkin_at else ""
        )
        return f"**{names}** · [thread]({thread_link(twin.guild_id, twin.thread_id)}){nxt}"

    # --- check-ins -----------------------------------------------------------------

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
        self.bot.timeline.run_at(job_id(twin_id), following, self.run_checkin, twin_id, following)
        twin = await twins.get(twin_id)
        if twin is None:
            return
        a = await self.bot.repos.cities.get(twin.city_a_id)
        b = await self.bot.repos.cities.get(twin.city_b_id)
        names = " and ".join(f"**{escape_markdown(c.name)}**" if c else "?" for c in (a, b))
        text = (
            f"📅 Check-in for the twinning of {names}: what has each city tried since the last check-in, "
            "what worked, and what would you like to ask the other? Share it here. "
            f"Next check-in {discord_timestamp(following, 'F')}."
        )
        try:
            await self.bot.get_partial_messageable(twin.thread_id, guild_id=twin.guild_id).send(text)
        except discord.NotFound:
            log.warning("twin %s: thread %s is gone; ending the twinning", twin_id, twin.thread_id)
            await twins.end(twin_id)
            self.bot.timeline.cancel(job_id(twin_id))

    async def _tell_missed(self, twin_id: int, missed: int) -> None:
        """Tell the moderators that check-ins were missed while the bot was offline."""
        twin = await self.bot.repos.twins.get(twin_id)
        if twin is None:
            return
        nxt = discord_timestamp(twin.next_checkin_at, "F") if twin.next_checkin_at else "none"
        await self.bot.notify_moderators(
            twin.guild_id,
            f"While I was offline, {missed} check-in(s) of the twinning in "
            f"{thread_link(twin.guild_id, twin.thread_id)} were missed. The next one is {nxt}.",
        )
