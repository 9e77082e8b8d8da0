"""The /twin commands: twinned cities, their private thread and a check-in prompt every four weeks."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.cog_base import ClimaCog
from bot.discord_steps import create_then_record, refused_as
from bot.errors import ValidationError
from bot.forums import MAX_ARCHIVE_MINUTES
from bot.guards import moderator_only, require_guild
from bot.i18n import N_, Lang
from bot.member_data import MemberDataHolder
from bot.scheduling import utcnow
from bot.timestamps import discord_timestamp
from cogs.exchange.jobs import TwinCheckins
from cogs.exchange.lookup import city_autocomplete, resolve_city
from cogs.exchange.member_data import TwinData
from cogs.exchange.render import bold_name, twin_line, twin_list_embed, twin_welcome
from cogs.exchange.rules import CHECKIN_PERIOD, THREAD_NAME_LIMIT, thread_link
from cogs.exchange.twin_threads import TwinThreads
from storage.cities import City
from storage.twins import DuplicateTwinError, Twin

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)


class TwinCog(ClimaCog, name="Twins"):
    """Pairs of cities that learn from each other in a private thread, prompted every four weeks."""

    twin = app_commands.Group(name="twin", description=N_("Twinned cities"), guild_only=True)

    def __init__(self, bot: ClimaBot, twin_threads: TwinThreads, checkins: TwinCheckins) -> None:
        """Keep the bot, the twin-thread helper (shared with the cities) and the check-in scheduler."""
        super().__init__(bot)
        self.twin_threads = twin_threads
        self.checkins = checkins

    def member_data(self) -> MemberDataHolder:
        """The twin threads a member is in through their cities."""
        return TwinData(self.bot.repos.twins)

    async def start(self) -> None:
        """Schedule every running twinning's next check-in from the database."""
        await self.checkins.schedule_all()

    async def stop(self) -> None:
        """Drop this cog's scheduled check-ins."""
        self.checkins.cancel_all()

    @twin.command(
        name="create", description=N_("Twin two cities: a private thread and check-ins every 4 weeks")
    )
    @app_commands.describe(
        city_a=N_("First city"),
        city_b=N_("Second city"),
        channel=N_("Text channel for the private thread (default: the announcements channel)"),
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
        """Open the pair's private thread, record it, add both cities' members, schedule check-ins."""
        member = require_guild(interaction)
        guild, cities = member.guild, self.bot.repos.cities
        first = await resolve_city(cities, guild.id, city_a)
        second = await resolve_city(cities, guild.id, city_b)
        if first.id == second.id:
            raise ValidationError("Choose two different cities to twin.")
        existing = await self.bot.repos.twins.find_active(first.id, second.id)
        if existing is not None:
            raise ValidationError(
                "{first} and {second} are already twinned: {thread}",
                first=bold_name(first),
                second=bold_name(second),
                thread=thread_link(guild.id, existing.thread_id),
            )
        parent = await self._parent_channel(guild, interaction, channel)
        await interaction.response.defer(ephemeral=True, thinking=True)
        # The thread is shared by both cities: its name and welcome speak the server's language.
        public = await self.bot.languages.for_guild(guild.id)
        first_checkin = utcnow() + CHECKIN_PERIOD
        try:
            twin, thread = await create_then_record(
                lambda: self._open_thread(public, parent, first, second, member.id),
                lambda made: self._record(made, first, second, member.id, first_checkin),
                lambda made: made.delete(reason="climabot: the twinning could not be recorded"),
                what="a twin thread",
            )
        except DuplicateTwinError:
            raise ValidationError("These cities were twinned a moment ago by someone else.") from None
        # The stored time (to the second) is the one the check-in is claimed by.
        self.checkins.schedule(twin.id, twin.next_checkin_at or first_checkin)
        # Members first: a thread nobody can see is the half-created state to avoid.
        members = [*await cities.members(first.id), *await cities.members(second.id), member.id]
        added = await self.twin_threads.add_users(thread.id, members)
        log.info("guild %s: twin %s created (%s members added)", guild.id, twin.id, added)
        t = await self.bot.languages.for_interaction(interaction)
        text = [
            t.ngettext(
                "Twinned {first} and {second}: {thread} with {n} member added. First check-in {when}.",
                "Twinned {first} and {second}: {thread} with {n} members added. First check-in {when}.",
                added,
                first=bold_name(first),
                second=bold_name(second),
                thread=thread.mention,
                when=discord_timestamp(first_checkin, "R"),
            )
        ]
        try:
            await thread.send(twin_welcome(public, first, second, first_checkin))
        except discord.HTTPException as exc:
            log.warning("twin %s: cannot post the welcome in thread %s: %s", twin.id, thread.id, exc)
            text.append(t._("I could not post the welcome there: I need Send Messages in Threads."))
        await interaction.followup.send(" ".join(text), ephemeral=True)

    async def _open_thread(
        self, public: Lang, parent: discord.TextChannel, first: City, second: City, by: int
    ) -> discord.Thread:
        """Open the pair's private thread, explaining which permissions are missing if Discord refuses."""
        refusal = N_(
            "I could not open a private thread in {channel} ({error}); I need the Create Private Threads "
            "and Send Messages in Threads permissions there. Nothing was created."
        )
        with refused_as(refusal, channel=parent.mention):
            return await parent.create_thread(
                name=public._("Twinning: {first} ↔ {second}", first=first.name, second=second.name)[
                    :THREAD_NAME_LIMIT
                ],
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=MAX_ARCHIVE_MINUTES,
                reason=f"climabot: twinning by {by}",
            )

    async def _record(
        self, thread: discord.Thread, first: City, second: City, by: int, first_checkin: datetime
    ) -> tuple[Twin, discord.Thread]:
        """Record the twinning of a thread that exists; DuplicateTwinError if the pair was just twinned."""
        assert thread.parent_id is not None
        twin = await self.bot.repos.twins.create(
            guild_id=thread.guild.id,
            city_x=first.id,
            city_y=second.id,
            channel_id=thread.parent_id,
            thread_id=thread.id,
            created_by=by,
            first_checkin_at=first_checkin,
        )
        return twin, thread

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

    @twin.command(name="list", description=N_("List the twinned cities"))
    async def list_twins(self, interaction: discord.Interaction[Any]) -> None:
        """Show every running twinning with its next check-in."""
        guild_id = require_guild(interaction).guild.id
        t = await self.bot.languages.for_interaction(interaction)
        lines = []
        for twin in await self.bot.repos.twins.of_guild(guild_id):
            a = await self.bot.repos.cities.get(twin.city_a_id)
            b = await self.bot.repos.cities.get(twin.city_b_id)
            lines.append(twin_line(t, twin, a, b))
        await interaction.response.send_message(embed=twin_list_embed(t, lines), ephemeral=True)
