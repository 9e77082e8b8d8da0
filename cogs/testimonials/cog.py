"""The /campaign and /testimonial commands: parse, check, call the repository, reply."""

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
from discord.ext import commands

from bot.consent import DEFAULT_LICENCE, LICENCES
from bot.errors import NotFoundError, ValidationError
from bot.guards import moderator_only
from bot.replies import CONTENT_LIMIT, clip, fit_lines, quote_input
from bot.testimonial_export import EXTENSIONS, FORMATS, ExportError, export_campaign, slug
from bot.timeparse import parse_when
from bot.timestamps import full_and_relative
from cogs.testimonials.media import DEFAULT_MAX_BYTES, MediaStore, check_size, megabytes
from cogs.testimonials.moderation import Moderation
from cogs.testimonials.render import EMBED_DESCRIPTION, campaign_lines, inert, mine_lines
from cogs.testimonials.submission import CITY_MAX, clean_text, visible_length
from cogs.testimonials.views import ApproveButton, RejectButton, SubmissionModal
from storage.testimonials import (
    CampaignClosedError,
    CampaignExistsError,
    TestimonialsRepository,
    TestimonialStoreError,
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


def campaign_name(raw: str) -> str:
    """A cleaned one-line campaign name, or ValidationError."""
    name = " ".join(clean_text(raw).split())
    if not visible_length(name) >= 1 or len(name) > 50:
        raise ValidationError("A campaign name needs 1 to 50 visible characters.")
    return name


class TestimonialsCog(commands.Cog, name="Testimonials"):
    """Campaigns for citizens' testimonials, their moderation, publication and export."""

    __test__ = False  # not a pytest test class, despite the name

    campaign = app_commands.Group(name="campaign", description="Testimonial campaigns", guild_only=True)
    testimonial = app_commands.Group(name="testimonial", description="Tell your story", guild_only=True)

    def __init__(self, bot: ClimaBot, repo: TestimonialsRepository, store: MediaStore) -> None:
        """Keep the repository, the media folder and the moderation flows."""
        self.bot = bot
        self.repo = repo
        self.store = store
        self.moderation = Moderation(bot, repo, store)

    async def cog_load(self) -> None:
        """Make Approve / Reject buttons of earlier runs work again."""
        self.bot.add_dynamic_items(ApproveButton, RejectButton)

    async def cog_unload(self) -> None:
        """Stop handling Approve / Reject buttons."""
        self.bot.remove_dynamic_items(ApproveButton, RejectButton)

    # --- /campaign ------------------------------------------------------------------

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
        clean_name, clean_prompt = campaign_name(name), clean_text(prompt)
        if not clean_prompt:
            raise ValidationError("The prompt cannot be empty.")
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
        """Suggest campaigns that take submissions (to close, or to submit to)."""
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

    # --- /testimonial ---------------------------------------------------------------

    @testimonial.command(name="submit", description="Tell your story for a campaign (opens a form)")
    @app_commands.describe(
        campaign="The campaign you answer",
        photo="A photo (JPEG, PNG or WebP)",
        city="Your city, from the server's city register (you can also type it in the form)",
    )
    async def testimonial_submit(
        self,
        interaction: discord.Interaction[Any],
        campaign: str,
        photo: discord.Attachment | None = None,
        city: app_commands.Range[str, 1, CITY_MAX] | None = None,
    ) -> None:
        """Check the campaign and photo size, then show the form; the photo download starts at once."""
        assert interaction.guild_id is not None
        found = await self.repo.get_campaign(interaction.guild_id, campaign)
        if found is None:
            raise NotFoundError(f"There is no campaign named {quote_input(campaign)}; see `/campaign list`.")
        if not found.accepts_submissions(utcnow()):
            raise ValidationError(
                f"Thank you, but campaign **{inert(found.name)}** is closed and takes no more stories."
            )
        settings = await self.bot.repos.guild_settings.get(interaction.guild_id)
        if settings.moderation_channel_id is None:
            raise ValidationError(
                "Submissions are not open yet: this server has no moderation channel. "
                "An administrator can set one with `/setup channels moderation`."
            )
        if photo is not None:
            try:
                check_size(photo.size, found.max_photo_bytes)
            except ValueError as problem:
                raise ValidationError(f"{problem} Nothing was saved.") from None
        known_city, known_group = await self._profile_defaults(interaction.guild_id, interaction.user.id)
        form = SubmissionModal(found, photo, city=city or known_city, group=known_group)
        await interaction.response.send_modal(form)
        if photo is not None:
            # Discord's attachment URLs expire, so the photo is fetched now, while the member writes;
            # it stays in memory (never on disk) until the form is sent with consent.
            form.download = asyncio.create_task(self.moderation.download(photo, found.max_photo_bytes))

    # Submitting offers the same campaigns as closing: those still taking stories.
    testimonial_submit.autocomplete("campaign")(_open_campaigns)

    @testimonial_submit.autocomplete("city")
    async def _registered_cities(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest cities of the server's register."""
        if interaction.guild_id is None:
            return []
        cities = await self.bot.repos.cities.complete(interaction.guild_id, current)
        return [app_commands.Choice(name=c.name, value=c.name) for c in cities]

    async def _profile_defaults(self, guild_id: int, user_id: int) -> tuple[str | None, str | None]:
        """The member's city and target group from their profile (/profile set), where set."""
        profile = await self.bot.repos.profiles.get(guild_id, user_id)
        if profile is None:
            return None, None
        home = None if profile.city_id is None else await self.bot.repos.cities.get(profile.city_id)
        return (None if home is None else home.name), profile.target_group

    async def receive_submission(self, interaction: discord.Interaction[Any], form: SubmissionModal) -> None:
        """Store a sent form (see Moderation.submit)."""
        await self.moderation.submit(interaction, form)

    @testimonial.command(name="mine", description="List your testimonials and where they stand")
    async def testimonial_mine(self, interaction: discord.Interaction[Any]) -> None:
        """List the member's testimonials on this server."""
        assert interaction.guild_id is not None
        items = await self.repo.list_by_author(interaction.guild_id, interaction.user.id, limit=100)
        if not items:
            await interaction.response.send_message("You have no testimonials here.", ephemeral=True)
            return
        hint = "\n\nWithdraw one with `/testimonial withdraw id:<number>`."
        text = fit_lines(mine_lines(items), CONTENT_LIMIT - len(hint), more="…and {n} older ones.") + hint
        await interaction.response.send_message(text, ephemeral=True)

    @testimonial.command(name="withdraw", description="Remove one of your testimonials everywhere")
    @app_commands.describe(id="The number of your testimonial (see /testimonial mine)")
    async def testimonial_withdraw(
        self, interaction: discord.Interaction[Any], id: app_commands.Range[int, 1]
    ) -> None:
        """Delete the member's item, its photo if unused, and its messages."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            notes = await self.moderation.withdraw(id, interaction.user.id)
        except TestimonialStoreError:
            raise NotFoundError(f"You have no testimonial #{id}; see `/testimonial mine`.") from None
        await interaction.followup.send(
            " ".join([f"Testimonial #{id} is withdrawn and deleted.", *notes]), ephemeral=True
        )

    @testimonial_withdraw.autocomplete("id")
    async def _own_items(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[int]]:
        """Suggest the member's own testimonials."""
        if interaction.guild_id is None:
            return []
        items = await self.repo.list_by_author(interaction.guild_id, interaction.user.id, limit=25)
        return [
            app_commands.Choice(name=clip(f"#{t.id} {t.campaign_name} ({t.status})", 100), value=t.id)
            for t in items
            if current.strip().lstrip("#") in str(t.id)
        ]

    # --- moderation (called by the buttons and forms in views.py) -----------------------

    async def approve(self, interaction: discord.Interaction[Any], testimonial_id: int) -> None:
        """See Moderation.approve."""
        await self.moderation.approve(interaction, testimonial_id)

    async def ask_reject_reason(self, interaction: discord.Interaction[Any], testimonial_id: int) -> None:
        """See Moderation.ask_reject_reason."""
        await self.moderation.ask_reject_reason(interaction, testimonial_id)

    async def reject(self, interaction: discord.Interaction[Any], testimonial_id: int, reason: str) -> None:
        """See Moderation.reject."""
        await self.moderation.reject(interaction, testimonial_id, reason)

    async def erase_member(self, user_id: int, *, guild_id: int | None = None) -> int:
        """Delete a member's testimonials in one server, or everywhere (for /mydata forget); count them."""
        return await self.moderation.erase_member(user_id, guild_id=guild_id)


def _shell_quote(text: str) -> str:
    """Quote a campaign name for the command line hint."""
    return "'" + text.replace("'", "'\\''") + "'"
