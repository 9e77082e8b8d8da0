"""The /mydata commands: a member downloads everything climabot links to them here, or erases it.

Each capability answers for its own data through the bot's member-data registry (export and erase,
database and Discord side); this cog only asks every registered capability, in order.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections import defaultdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot import __version__
from bot.cog_base import ClimaCog
from bot.errors import ValidationError
from bot.guards import require_guild
from bot.i18n import N_, Lang, language_of_locale
from bot.member_data import Erasure
from bot.replies import clip, send_ephemeral
from cogs.mydata.render import erasure_text, export_text, forget_prompt
from cogs.mydata.views import COG_NAME, ForgetCancel, ForgetConfirm, forget_view
from storage.member_data import build_document, encode, export_filename, item_counts, merge_sections, package

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)


class MyDataCog(ClimaCog, name=COG_NAME):
    """Self-service export and erasure of a member's own data in a server."""

    mydata = app_commands.Group(
        name="mydata", description=N_("Your own data in climabot: download it or erase it"), guild_only=True
    )

    dynamic_items = (ForgetConfirm, ForgetCancel)

    def __init__(self, bot: ClimaBot) -> None:
        """Keep the bot (its member-data registry and database)."""
        super().__init__(bot)
        # One erasure at a time per member and server, so a double click erases once and reports once.
        self._erasing: defaultdict[tuple[int, int], asyncio.Lock] = defaultdict(asyncio.Lock)

    async def _lang(self, interaction: discord.Interaction[Any]) -> Lang:
        """The member's language (their choice, their app's, the server's) without noting their app's.

        `for_interaction` would store the locale it sees; /mydata must not record anew, in the very
        reply that says so, the language setting an erasure has just removed.
        """
        languages = self.bot.languages
        guild_id = interaction.guild_id
        chosen = await languages.chosen(guild_id, interaction.user.id) if guild_id is not None else None
        code = chosen or language_of_locale(interaction.locale) or await languages.guild_code(guild_id)
        return languages.catalogs.lang(code)

    async def _sections(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Everything linked to the member in the server, section by section."""
        return merge_sections(await self.bot.member_data.export(guild_id, user_id))

    @mydata.command(
        name="export", description=N_("Download everything climabot stores about you in this server")
    )
    async def export(self, interaction: discord.Interaction[Any]) -> None:
        """Send the member a JSON file of their data here (zipped if over the upload limit)."""
        guild = require_guild(interaction).guild
        guild_id, user_id = guild.id, interaction.user.id
        await interaction.response.defer(ephemeral=True, thinking=True)
        t = await self._lang(interaction)
        sections = await self._sections(guild_id, user_id)
        document = build_document(
            sections,
            guild_id=guild_id,
            user_id=user_id,
            generated_at=datetime.now(UTC),
            version=__version__,
            translate=t._,
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
        text = export_text(t, counts_of(sections), guild.name, zipped=filename.endswith(".zip"))
        await interaction.followup.send(
            clip(text), file=discord.File(io.BytesIO(payload), filename=filename), ephemeral=True
        )
        log.info("guild %s: member %s exported their data (%d bytes)", guild_id, user_id, len(data))

    @mydata.command(name="forget", description=N_("Erase what climabot stores about you in this server"))
    async def forget(self, interaction: discord.Interaction[Any]) -> None:
        """Explain what will be erased and what stays, with Erase and Cancel buttons."""
        guild = require_guild(interaction).guild
        await interaction.response.defer(ephemeral=True, thinking=True)
        t = await self._lang(interaction)
        counts = counts_of(await self._sections(guild.id, interaction.user.id))
        await interaction.followup.send(
            clip(forget_prompt(t, counts, guild.name)),
            view=forget_view(t, interaction.user.id),
            ephemeral=True,
        )

    async def confirm_forget(self, interaction: discord.Interaction[Any]) -> None:
        """The Erase button (its owner's click only): erase their data here, then show a summary."""
        member = interaction.user
        if not isinstance(member, discord.Member):
            raise ValidationError("Run `/mydata forget` in the server whose data you want to erase.")
        lock = self._erasing[(member.guild.id, member.id)]
        # Resolved before erasing: the member's language setting is among what goes.
        t = await self._lang(interaction)
        if lock.locked():
            # A double click: leave the prompt to the first click, which will show the summary there.
            await send_ephemeral(
                interaction, t._("Your erasure is already running; its summary appears above.")
            )
            return
        async with lock:
            # At once, so a second click finds no button and the member sees something is happening.
            await interaction.response.edit_message(content=t._("Erasing your data…"), view=None)
            try:
                erased = await self.erase(member)
            except Exception:
                await interaction.edit_original_response(
                    content=t._("The erasure did not finish. Run `/mydata forget` again to complete it.")
                )
                raise
            finally:
                # Nobody waits on it (a second click is turned away), so it can go.
                self._erasing.pop((member.guild.id, member.id), None)
        await interaction.edit_original_response(content=clip(erasure_text(t, erased.counts, erased.notes)))

    async def cancel_forget(self, interaction: discord.Interaction[Any]) -> None:
        """The Cancel button (its owner's click only): close the prompt, erasing nothing."""
        t = await self._lang(interaction)
        await interaction.response.edit_message(content=t._("Cancelled: nothing was erased."), view=None)

    async def erase(self, member: discord.Member) -> Erasure:
        """Erase everything linked to the member in their server, capability by capability, in order.

        Every capability's erasure is idempotent, so an erasure cut short (a restart) is finished by
        running it again. Afterwards the WAL is emptied: with secure_delete on, the database file holds
        zeros where erased rows were, but older WAL frames would still hold them.
        """
        erased = await self.bot.member_data.erase(member)
        await self.bot.database.checkpoint_truncate()
        log.info(
            "guild %s: member %s erased their data (%s): %s",
            member.guild.id,
            member.id,
            ", ".join(self.bot.member_data.names()),
            ", ".join(f"{key}={value}" for key, value in sorted(erased.counts.items())),
        )
        return erased


def counts_of(sections: dict[str, Any]) -> dict[str, int]:
    """The item counts of an export, plus whether it holds a language setting."""
    return {**item_counts(sections), "language": int(sections.get("language") is not None)}
