"""The /campaign commands: moderators start, close and export campaigns; everyone lists them."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import discord
from discord import app_commands

from bot.cog_base import ClimaCog
from bot.consent import DEFAULT_LICENCE, LICENCES
from bot.errors import NotFoundError, ValidationError
from bot.guards import moderator_only
from bot.i18n import N_
from bot.replies import clip, fit_lines, quote_input
from bot.testimonial_export import EXTENSIONS, FORMATS, ExportError, export_campaign, slug
from bot.timeparse import parse_when
from bot.timestamps import full_and_relative
from cogs.testimonials.media import DEFAULT_MAX_BYTES, MediaStore, megabytes
from cogs.testimonials.render import EMBED_DESCRIPTION, campaign_lines, inert
from cogs.testimonials.rules import check_campaign_name, check_prompt
from storage.testimonials import (
    CampaignClosedError,
    CampaignExistsError,
    TestimonialsRepository,
    UnknownCampaignError,
)

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

MAX_PHOTO_MB = 25
CLI_HINT = "climabot export testimonials --campaign {name} --guild {guild} --format {fmt} --out PATH"
NO_CAMPAIGN = N_("There is no campaign named {name}; see `/campaign list`.")


def utcnow() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


class CampaignsCog(ClimaCog, name="Campaigns"):
    """Campaigns asking members for testimonials: start, list, close, export."""

    campaign = app_commands.Group(name="campaign", description=N_("Testimonial campaigns"), guild_only=True)

    def __init__(self, bot: ClimaBot, repo: TestimonialsRepository, store: MediaStore) -> None:
        """Keep the repository and the media folder (exports copy photos from it)."""
        super().__init__(bot)
        self.repo = repo
        self.store = store

    @campaign.command(name="create", description=N_("Start a campaign that asks members for testimonials"))
    @app_commands.describe(
        name=N_("Short name members pick when they submit (1-50 characters)"),
        prompt=N_("The question members answer, shown in the form"),
        closes=N_("When submissions stop: 2026-12-01 18:00, 2026-12-01, in 3d (optional)"),
        licence=N_("Licence contributors grant (default CC BY 4.0)"),
        max_photo_mb=N_("Largest photo accepted, in MB (default 8)"),
    )
    # Licence names are proper names (the licences' own titles): the same in every language.
    @app_commands.choices(
        licence=[
            app_commands.Choice(name=f"{lic.short} ({lic.title})"[:100], value=key)
            for key, lic in LICENCES.items()
        ]
    )
    @moderator_only()
    async def campaign_create(
        self,
        interaction: discord.Interaction[Any],
        name: app_commands.Range[str, 1, 50],
        prompt: app_commands.Range[str, 1, 1000],
        closes: str | None = None,
        licence: str = DEFAULT_LICENCE,
        max_photo_mb: app_commands.Range[int, 1, MAX_PHOTO_MB] | None = None,
    ) -> None:
        """Create the campaign and announce it where the command was used."""
        assert interaction.guild_id is not None
        clean_name, clean_prompt = check_campaign_name(name), check_prompt(prompt)
        now = utcnow()
        closes_at = None
        if closes is not None:
            settings = await self.bot.repos.guild_settings.get(interaction.guild_id)
            closes_at = parse_when(closes, ZoneInfo(settings.timezone), now=now)
            if closes_at <= now:
                raise ValidationError(
                    "{closes} is in the past; give a closing time to come.", closes=quote_input(closes)
                )
        max_bytes = DEFAULT_MAX_BYTES if max_photo_mb is None else max_photo_mb * 1024 * 1024
        try:
            created = await self.repo.create_campaign(
                guild_id=interaction.guild_id, name=clean_name, prompt=clean_prompt, licence=licence,
                max_photo_bytes=max_bytes, created_by=interaction.user.id, now=now, closes_at=closes_at,
            )  # fmt: skip
        except CampaignExistsError:
            raise ValidationError(
                "A campaign named {name} already exists; pick another name.", name=quote_input(clean_name)
            ) from None
        # A public announcement in the channel: the server's language.
        t = await self.bot.languages.for_guild(interaction.guild_id)
        embed = discord.Embed(
            title=clip(t._("New campaign: {campaign}", campaign=created.name), 256),
            description=inert(created.prompt),
        )
        embed.add_field(
            name=t._("How to take part"),
            value=t._("`/testimonial submit` and pick **{campaign}**", campaign=inert(created.name)),
        )
        embed.add_field(name=t._("Licence"), value=LICENCES[created.licence].short)
        if created.closes_at is not None:
            embed.add_field(name=t._("Closes"), value=full_and_relative(created.closes_at), inline=False)
        log.info("guild %s: campaign %s created by %s", interaction.guild_id, created.id, interaction.user.id)
        await interaction.response.send_message(embed=embed)

    @campaign.command(name="list", description=N_("Show this server's testimonial campaigns"))
    async def campaign_list(self, interaction: discord.Interaction[Any]) -> None:
        """List campaigns, newest first."""
        assert interaction.guild_id is not None
        summaries = await self.repo.list_campaigns(interaction.guild_id)
        t = await self.bot.languages.for_interaction(interaction)
        if not summaries:
            await interaction.response.send_message(t._("There are no campaigns yet."), ephemeral=True)
            return
        more = t._("…and {n} older ones.")
        text = fit_lines(campaign_lines(t, summaries, utcnow()), EMBED_DESCRIPTION, more=more)
        embed = discord.Embed(title=t._("Testimonial campaigns"), description=text)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @campaign.command(name="close", description=N_("Stop a campaign from taking submissions"))
    @app_commands.describe(name=N_("The campaign to close"))
    @moderator_only()
    async def campaign_close(self, interaction: discord.Interaction[Any], name: str) -> None:
        """Close the campaign now."""
        assert interaction.guild_id is not None
        try:
            closed = await self.repo.close_campaign(
                interaction.guild_id, name, closed_by=interaction.user.id, now=utcnow()
            )
        except UnknownCampaignError:
            raise NotFoundError(NO_CAMPAIGN, name=quote_input(name)) from None
        except CampaignClosedError:
            raise ValidationError("Campaign {name} is already closed.", name=quote_input(name)) from None
        t = await self.bot.languages.for_interaction(interaction)
        await interaction.response.send_message(
            t._(
                "Campaign **{campaign}** is closed; it takes no more submissions.",
                campaign=inert(closed.name),
            ),
            ephemeral=True,
        )

    @campaign.command(name="export", description=N_("Export a campaign's approved testimonials as open data"))
    @app_commands.describe(
        name=N_("The campaign"), format=N_("csv, jsonl (JSON Lines) or datapackage (zip with photos)")
    )
    @app_commands.choices(format=[app_commands.Choice(name=f, value=f) for f in FORMATS])
    @moderator_only()
    async def campaign_export(
        self, interaction: discord.Interaction[Any], name: str, format: str = "csv"
    ) -> None:
        """Build the export in a worker thread and reply with the file, or say how to get a large one."""
        assert interaction.guild_id is not None
        campaign = await self.repo.get_campaign(interaction.guild_id, name)
        if campaign is None:
            raise NotFoundError(NO_CAMPAIGN, name=quote_input(name))
        await interaction.response.defer(ephemeral=True, thinking=True)
        # The moderator who exports reads the README and the data package's descriptions.
        t = await self.bot.languages.for_interaction(interaction)
        with tempfile.TemporaryDirectory(prefix="climabot-export-") as folder:
            out = Path(folder) / f"{slug(campaign.name)}.{EXTENSIONS[format]}"
            try:
                result = await asyncio.to_thread(
                    export_campaign, self.repo.database_path, self.store.root, campaign.name, format, out,
                    guild_id=interaction.guild_id, t=t,
                )  # fmt: skip
            except ExportError as problem:
                # Only a campaign found a moment ago can make it fail here (deleted meanwhile).
                log.warning("export of campaign %s failed: %s", campaign.id, problem)
                raise ValidationError(
                    "The export of **{campaign}** failed.", campaign=inert(campaign.name)
                ) from None
            summary = t.ngettext(
                "{n} approved testimonial of **{campaign}** as {format}.",
                "{n} approved testimonials of **{campaign}** as {format}.",
                result.items, campaign=inert(campaign.name), format=format,
            )  # fmt: skip
            if result.missing_media:
                summary += " " + t.ngettext(
                    "{n} photo file was missing on disk.", "{n} photo files were missing on disk.",
                    result.missing_media,
                )  # fmt: skip
            if result.bytes > interaction.filesize_limit:
                hint = CLI_HINT.format(
                    name=_shell_quote(campaign.name), guild=interaction.guild_id, fmt=format
                )
                too_big = t._(
                    "The export is {size}, more than this server's upload limit ({limit}). "
                    "On the bot's machine run:",
                    size=megabytes(result.bytes, t), limit=megabytes(interaction.filesize_limit, t),
                )  # fmt: skip
                await interaction.followup.send(f"{summary}\n{too_big}\n`{hint}`", ephemeral=True)
                return
            await interaction.followup.send(summary, file=discord.File(out), ephemeral=True)

    @campaign_close.autocomplete("name")
    async def _open_campaigns(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest campaigns that take submissions."""
        return await self._campaign_choices(interaction, current, open_only=True)

    @campaign_export.autocomplete("name")
    async def _any_campaigns(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest all campaigns."""
        return await self._campaign_choices(interaction, current, open_only=False)

    async def _campaign_choices(
        self, interaction: discord.Interaction[Any], current: str, *, open_only: bool
    ) -> list[app_commands.Choice[str]]:
        """Campaign names containing what was typed."""
        if interaction.guild_id is None:
            return []
        names = await self.repo.campaign_names(
            interaction.guild_id, current, now=utcnow(), open_only=open_only
        )
        return [app_commands.Choice(name=n, value=n) for n in names]


def _shell_quote(text: str) -> str:
    """Quote a campaign name for the command line hint."""
    return "'" + text.replace("'", "'\\''") + "'"
