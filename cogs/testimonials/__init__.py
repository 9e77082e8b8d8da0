"""Citizen-science testimonials: campaigns, consent, moderation, media and open-data export."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.testimonials.campaign_cog import CampaignsCog
from cogs.testimonials.media import MediaStore
from cogs.testimonials.testimonial_cog import TestimonialsCog

if TYPE_CHECKING:
    from bot.client import ClimaBot


async def setup(bot: ClimaBot) -> None:
    """Add the /campaign and /testimonial cogs, sharing the media folder (and its lock)."""
    store = MediaStore(bot.settings.storage.media_dir)
    await bot.add_cog(CampaignsCog(bot, bot.repos.testimonials, store))
    await bot.add_cog(TestimonialsCog(bot, bot.repos.testimonials, store))
