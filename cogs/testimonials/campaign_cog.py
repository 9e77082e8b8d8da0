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


def utcnow() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


class CampaignsCog(ClimaCog, name="Campaigns"):
    """Campaigns asking members for testimonials: start, list, close, export."""

    campaign = app_commands.Group(name="campaign", description="Testimonial campaigns", guild_only=True)

    def __init__(self, bot: ClimaBot, repo: TestimonialsRepository, store: MediaStore) -> None:
        """Keep the repository and the media folder (exports copy photos from it)."""
        super().__init__(bot)
        self.repo = repo
        self.store = store

    @campaign.command(name="create", description="Start a campaign that asks members for testimonials")
    @app_commands.describe(
        name="Short name members pick when they submit (1-50 characters)",
        prompt="The question members answer, shown in the form",
        closes="When submissions stop: 2026-12-01 18:00, 2026-12-01, in 3d (optional)",
        licence="Licence contributors grant (default CC BY 4.0)",
        max_photo_mb="Largest photo accepted, in MB (default 8)",
    )
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
                raise ValidationError(f"{quote_input(closes)} is in the past; give a closing time to come.")
        max_bytes = DEFAULT_MAX_BYTES if max_photo_mb is None else max_photo_mb * 1024 * 1024
        try:
            created = await self.repo.create_campaign(
                guild_id=interaction.guild_id, name=clean_name, prompt=clean_prompt, licence=licence,
                max_photo_bytes=max_bytes, created_by=interaction.user.id, now=now, closes_at=closes_at,
            )  # fmt: skip
        except CampaignExistsError:
            raise ValidationError(
                f"A campaign named {quote_input(clean_name)} already exists; pick another name."
            ) from None
        embed = discord.Embed(
            title=clip(f"New campaign: {created.name}", 256), description=inert(created.prompt)
        )
        embed.add_field(
            name="How to take part", value=f"`/testimonial submit` and pick **{inert(created.name)}**"
        )
        embed.add_field(name="Licence", value=LICENCES[created.licence].short)
        if created.closes_at is not None:
            embed.add_field(name="Closes", value=full_and_relative(created.closes_at), inline=False)
        log.info("guild %s: campaign %s created by %s", interaction.guild_id, created.id, interaction.user.id)
        await interaction.response.send_message(embed=embed)

    @campaign.command(name="list", description="Show this server's testimonial campaigns")
    async def campaign_list(self, interaction: discord.Interaction[Any]) -> None:
        """List campaigns, newest first."""
        assert interaction.guild_id is not None
        summaries = await self.repo.list_campaigns(interaction.guild_id)
        if not summaries:
            await interaction.response.send_message("There are no campaigns yet.", ephemeral=True)
            return
        text = fit_lines(campaign_lines(summaries, utcnow()), EMBED_DESCRIPTION, more="…and {n} older ones.")
        embed = discord.Embed(title="Testimonial campaigns", description=text)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @campaign.command(name="close", description="Stop a campaign from taking submissions")
    @app_commands.describe(name="The campaign to close")
    @moderator_only()
    async def campaign_close(self, interaction: discord.Interaction[Any], name: str) -> None:
        """Close the campaign now."""
        assert interaction.guild_id is not None
        try:
            closed = await self.repo.close_campaign(
                interaction.guild_id, name, closed_by=interaction.user.id, now=utcnow()
            )
        except UnknownCampaignError:
            raise NotFoundError(
                f"There is no campaign named {quote_input(name)}; see `/campaign list`."
            ) from None
        except CampaignClosedError:
            raise ValidationError(f"Campaign {quote_input(name)} is already closed.") from None
        await interaction.response.send_message(
            f"Campaign **{inert(closed.name)}** is closed; it takes no more submissions.", ephemeral=True
        )

    @campaign.command(name="export", description="Export a campaign's approved testimonials as open data")
    @app_commands.describe(
        name="The campaign", format="csv, jsonl (JSON Lines) or datapackage (zip with photos)"
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
            raise NotFoundError(f"There is no campaign named {quote_input(name)}; see `/campaign list`.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        with tempfile.TemporaryDirectory(prefix="climabot-export-") as folder:
            out = Path(folder) / f"{slug(campaign.name)}.{EXTENSIONS[format]}"
            try:
                result = await asyncio.to_thread(
                    export_campaign, self.repo.database_path, self.store.root, campaign.name, format, out,
                    guild_id=interaction.guild_id,
                )  # fmt: skip
            except ExportError as problem:
                raise ValidationError(f"The export failed: {problem}.") from None
            summary = f"{result.items} approved testimonial(s) of **{inert(campaign.name)}** as {format}"
            if result.missing_media:
                summary += f" ({result.missing_media} photo file(s) were missing on disk)"
            if result.bytes > interaction.filesize_limit:
                hint = CLI_HINT.format(
                    name=_shell_quote(campaign.name), guild=interaction.guild_id, fmt=format
                )
                await interaction.followup.send(
                    f"The export of {summary} is {megabytes(result.bytes)}, more than this server's upload "
                    f"limit ({megabytes(interaction.filesize_limit)}). On the bot's machine run:\n`{hint}`",
                    ephemeral=True,
                )
                return
            await interaction.followup.send(f"Export of {summary}.", file=discord.File(out), ephemeral=True)

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
