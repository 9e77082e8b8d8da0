"""What the testimonials capability keeps about a member, for /mydata: export it, erase it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import discord

from bot.member_data import Erasure
from cogs.testimonials.moderation import Moderation
from storage.testimonials import TestimonialsRepository

# After profiles, cities and calls; before polls, exchanges and events.
ERASE_ORDER = 40


class TestimonialsMemberData:
    """A member's testimonials (consent, photo, decisions) and what they did as a moderator.

    Erasure deletes every testimonial of the member in the server with its decisions, its photo file
    (unless another item uses the same file), its showcase post, and blanks its moderation card; the
    photos of their unsent forms go with the forms (bot.forms). Campaigns a moderator created and
    decisions they made are kept: they are a record of the server's work (moderator_actions).
    """

    __test__ = False  # not a pytest test class, despite the name

    erase_order = ERASE_ORDER

    def __init__(self, repo: TestimonialsRepository, moderation: Moderation, media_root: Path) -> None:
        """Use the repository, the moderation flows (files and posts) and the media folder."""
        self.repo = repo
        self.moderation = moderation
        self.media_root = media_root

    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """testimonials (each photo says whether its file is still stored), and moderator_actions."""
        return await self.repo.member_data(guild_id, user_id, media_dir=self.media_root)

    async def erase_member_data(self, member: discord.Member) -> Erasure:
        """Delete the member's testimonials in their server, with photos and Discord posts."""
        count = await self.moderation.erase_member(member.id, guild_id=member.guild.id)
        return Erasure({"testimonials": count})
