"""Citizen-science testimonials: campaigns, consent, moderation, media and open-data export."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.testimonials.cog import TestimonialsCog
from cogs.testimonials.media import MediaStore

if TYPE_CHECKING:
    from bot.client import ClimaBot


async def setup(bot: ClimaBot) -> None:
    """Add the testimonials cog, storing photos under the configured media folder."""
    await bot.add_cog(
        TestimonialsCog(bot, bot.repos.testimonials, MediaStore(bot.settings.storage.media_dir))
    )
