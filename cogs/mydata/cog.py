"""The /mydata commands: a member downloads everything climabot links to them here, or erases it."""

from __future__ import annotations

import asyncio
import io
import logging
from collections import defaultdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

import discord
from discord import app_commands

from bot import __version__
from bot.cog_base import ClimaCog
from bot.errors import ValidationError
from bot.replies import clip, send_ephemeral
from cogs.mydata.render import erasure_text, export_text, forget_prompt
from cogs.mydata.views import COG_NAME, ForgetCancel, ForgetConfirm, forget_view
from storage.cities import City
from storage.member_data import build_document, collect, encode, export_filename, item_counts, package

if TYPE_CHECKING:
    from bot.client import ClimaBot
    from cogs.exchange.cities_cog import CitiesCog
    from cogs.polls.cog import PollsCog
    from cogs.testimonials.cog import TestimonialsCog

log = logging.getLogger(__name__)


class MyDataCog(ClimaCog, name=COG_NAME):
    """Self-service export and erasure of a member's own data in a server."""

    mydata = app_commands.Group(
        name="mydata", description="Your own data in climabot: download it or erase it", guild_only=True
    )

    dynamic_items = (ForgetConfirm, ForgetCancel)

    def __init__(self, bot: ClimaBot) -> None:
        """Keep the bot (repositories, settings, the other capabilities' cogs)."""
        self.bot = bot
        # One erasure at a time per member and server, so a double click erases once and reports once.
        self._erasing: defaultdict[tuple[int, int], asyncio.Lock] = defaultdict(asyncio.Lock)

    async def _sections(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Everything linked to the member in the server, section by section."""
        return await collect(self.bot.repos, guild_id, user_id, media_dir=self.bot.settings.storage.media_dir)

    @mydata.command(name="export", description="Download everything climabot stores about you in this server")
    async def export(self, interaction: discord.Interaction[Any]) -> None:
        """Send the member a JSON file of their data here (zipped if over the upload limit)."""
        assert interaction.guild is not None
        guild_id, user_id = interaction.guild.id, interaction.user.id
        await interaction.response.defer(ephemeral=True, thinking=True)
        sections = await self._sections(guild_id, user_id)
        document = build_document(
            sections, guild_id=guild_id, user_id=user_id, generated_at=datetime.now(UTC), version=__version__
        )
        data = encode(document)
        upload = package(data, export_filename(guild_id, user_id), interaction.filesize_limit)
        if upload is None:
            log.warning(
                "guild %s: data export of %s too large to upload (%d bytes)", guild_id, user_id, len(data)
            )
            raise ValidationError(
                "Your data is larger than this server's upload limit, even zipped. "
                "Please ask the server's administrators for a copy."
            )
        filename, payload = upload
        text = export_text(item_counts(sections), interaction.guild.name, zipped=filename.endswith(".zip"))
        await interaction.followup.send(
            clip(text), file=discord.File(io.BytesIO(payload), filename=filename), ephemeral=True
        )
        log.info("guild %s: member %s exported their data (%d bytes)", guild_id, user_id, len(data))

    @mydata.command(name="forget", description="Erase what climabot stores about you in this server")
    async def forget(self, interaction: discord.Interaction[Any]) -> None:
        """Explain what will be erased and what stays, with Erase and Cancel buttons."""
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        counts = item_counts(await self._sections(interaction.guild.id, interaction.user.id))
        await interaction.followup.send(
            clip(forget_prompt(counts, interaction.guild.name)),
            view=forget_view(interaction.user.id),
            ephemeral=True,
        )

    async def confirm_forget(self, interaction: discord.Interaction[Any]) -> None:
        """The Erase button (its owner's click only): erase their data here, then show a summary."""
        member = interaction.user
        if not isinstance(member, discord.Member):
            raise ValidationError("Run `/mydata forget` in the server whose data you want to erase.")
        testimonials = self._testimonials()
        lock = self._erasing[(member.guild.id, member.id)]
        if lock.locked():
            # A double click: leave the prompt to the first click, which will show the summary there.
            await send_ephemeral(interaction, "Your erasure is already running; its summary appears above.")
            return
        async with lock:
            # At once, so a second click finds no button and the member sees something is happening.
            await interaction.response.edit_message(content="Erasing your data…", view=None)
            try:
                counts, notes = await self.erase(member, testimonials)
                # Erased text must not stay in the WAL's older frames (secure_delete clears the file).
                await self.bot.database.checkpoint_truncate()
            except Exception:
                await interaction.edit_original_response(
                    content="The erasure did not finish. Run `/mydata forget` again to complete it."
                )
                raise
            finally:
                # Nobody waits on it (a second click is turned away), so it can go.
                self._erasing.pop((member.guild.id, member.id), None)
        await interaction.edit_original_response(content=clip(erasure_text(counts, notes)))

    async def cancel_forget(self, interaction: discord.Interaction[Any]) -> None:
        """The Cancel button (its owner's click only): close the prompt, erasing nothing."""
        await interaction.response.edit_message(content="Cancelled: nothing was erased.", view=None)

    def _testimonials(self) -> TestimonialsCog:
        """The testimonials cog, which alone can remove a testimonial's photo and Discord posts."""
        cog = self.bot.get_cog("Testimonials")
        if cog is None:
            # Erase nothing rather than half of it.
            raise ValidationError("Erasure is not available right now; nothing was erased. Please try later.")
        return cast("TestimonialsCog", cog)

    async def erase(
        self, member: discord.Member, testimonials: TestimonialsCog
    ) -> tuple[dict[str, int], list[str]]:
        """Erase, in order, everything linked to the member in their server; return counts and notes.

        Every step is idempotent, so an erasure cut short (a restart) is finished by running it again.
        """
        guild_id, user_id, repos = member.guild.id, member.id, self.bot.repos
        cities, stale = await self._cities_to_leave(member)
        counts: dict[str, int] = {}
        counts.update(await repos.profiles.forget_member(guild_id, user_id))
        notes = await self._leave_cities(member, cities + stale)
        if stale:
            names = ", ".join(f"**{discord.utils.escape_markdown(city.name)}**" for city in stale)
            notes.append(
                f"I also took back the city roles of {names}, which you held without being a member "
                "(an earlier erasure had not finished, or a moderator gave them by hand)."
            )
        counts.update(await repos.calls.forget_member(guild_id, user_id))
        counts["testimonials"] = await testimonials.erase_member(user_id, guild_id=guild_id)
        ballots = await repos.polls.forget_member(guild_id, user_id)
        counts.update(ballots.counts())
        self._refresh_tallies(ballots.open_poll_ids)
        counts.update(await repos.exchanges.forget_member(guild_id, user_id))
        log.info(
            "guild %s: member %s erased their data: %s",
            guild_id,
            user_id,
            ", ".join(f"{key}={value}" for key, value in counts.items()),
        )
        return counts, notes

    async def _cities_to_leave(self, member: discord.Member) -> tuple[list[City], list[City]]:
        """The member's cities here, and the cities whose role they hold without being a member.

        The roles go after the rows, so an erasure cut short in between leaves roles with no rows;
        running it again finds them by role.
        """
        cities = self.bot.repos.cities
        joined = await cities.cities_of(member.guild.id, member.id)
        held = {role.id for role in member.roles}
        known = {city.id for city in joined}
        stale = [c for c in await cities.all(member.guild.id) if c.role_id in held and c.id not in known]
        return joined, stale

    async def _leave_cities(self, member: discord.Member, cities: list[City]) -> list[str]:
        """Take the city roles back and leave the twin threads of cities the member no longer belongs to."""
        cog = cast("CitiesCog | None", self.bot.get_cog("Cities"))
        if not cities:
            return []
        if cog is None:
            return ["Your city roles could not be removed right now; a moderator can remove them."]
        notes = []
        for city in cities:
            note = await cog.roles.take(member, city)
            if note:
                notes.append(note)
            await cog.twin_threads.remove_member(member.guild, city.id, member.id)
        return notes

    def _refresh_tallies(self, poll_ids: tuple[int, ...]) -> None:
        """Ask the polls capability to repaint the live tallies the withdrawn votes changed."""
        polls = cast("PollsCog | None", self.bot.get_cog("Polls"))
        if polls is None:
            return
        for poll_id in poll_ids:
            polls.refresher.request(poll_id)
