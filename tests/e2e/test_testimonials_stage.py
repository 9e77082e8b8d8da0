"""A stage for testimonial journeys (no tests here), on the lead's e2e harness: the real ClimaBot
with every cog, the standard town (#moderation and #showcase configured, a Moderators role, ada the
admin, maria the moderator, alice the member), plus quiet, a member whose direct messages are closed.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PIL import ExifTags, Image

from bot.client import ClimaBot
from bot.settings import Settings
from sandbox.emulator import Emulator
from sandbox.interactions import InteractionRecord
from sandbox.state import Message
from tests.e2e.harness import BotHarness, Town

STORY = "Since the tram line opened I leave the car at home and reach work in twenty minutes."


def gps_photo(colour: str = "orange") -> bytes:
    """A real JPEG whose EXIF holds a camera name and a GPS position."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (50.0, 52.0, 45.0)
    out = io.BytesIO()
    Image.new("RGB", (48, 32), colour).save(out, format="JPEG", exif=exif)
    return out.getvalue()


class Stage:
    """The town, the running bot and shortcuts for what people do with testimonials."""

    def __init__(self, emu: Emulator, town: Town, harness: BotHarness, settings: Settings) -> None:
        """Wrap the harness' world; add a member whose direct messages are closed."""
        self.emu, self.town, self.harness, self.settings = emu, town, harness, settings
        self.guild = town.guild
        self.moderation, self.showcase = town.moderation, town.showcase
        self.mods = town.moderators
        self.admin, self.moderator, self.member = town.admin, town.moderator, town.member
        self.quiet = town.guild.add_member("quiet", dms_closed=True)

    @property
    def bot(self) -> ClimaBot:
        """The running bot."""
        assert self.harness.bot is not None, "the bot is not running"
        return self.harness.bot

    @property
    def media_dir(self) -> Path:
        """Where the bot stores photos."""
        return self.settings.storage.media_dir

    async def restart(self) -> ClimaBot:
        """Stop the bot and start a new one on the same storage."""
        return await self.harness.restart()

    async def create_campaign(self, name: str = "Trams", **options: Any) -> Message:
        """A moderator creates a campaign; return the announcement."""
        it = await self.emu.slash(
            self.guild,
            self.moderator,
            "campaign create",
            name=name,
            prompt="How did it change your day?",
            **options,
        )
        return await it.reply()

    async def open_form(
        self,
        person: Any,
        campaign: str = "Trams",
        photo: bytes | None = None,
        filename: str = "photo.jpg",
        content_type: str | None = None,
    ) -> InteractionRecord:
        """Run /testimonial submit (with a photo upload) and wait for the form."""
        options: dict[str, Any] = {"campaign": campaign}
        if photo is not None:
            options["photo"] = self.emu.upload(filename, photo, content_type)
        it = await self.emu.slash(self.guild, person, "testimonial submit", **options)
        await it.wait_modal()
        return it

    async def send_form(self, person: Any, it: InteractionRecord, **values: Any) -> Message:
        """Fill the form (defaults: a good story with consent) and return the bot's answer."""
        fields = {"story": STORY, "city": "Leuven", "group": "citizen", "usage": "named", "licence": True}
        fields.update(values)
        sent = await self.emu.submit_modal(self.guild, person, it, fields)
        return await sent.reply(timeout=10)

    async def submit(
        self,
        person: Any,
        photo: bytes | None = None,
        filename: str = "photo.jpg",
        content_type: str | None = None,
        campaign: str = "Trams",
        **values: Any,
    ) -> Message:
        """Open the form and send it in one go."""
        form = await self.open_form(
            person, campaign, photo=photo, filename=filename, content_type=content_type
        )
        return await self.send_form(person, form, **values)

    def card(self, testimonial_id: int) -> Message:
        """The moderation card of a testimonial."""
        for message in self.emu.messages_in(self.moderation):
            if message.component(f"testimonials:approve:{testimonial_id}") is not None:
                return message
            titles = [message.content, *(e.get("title") or "" for e in message.embeds)]
            if any(f"#{testimonial_id} " in title for title in titles):
                return message
        raise AssertionError(f"no moderation card for #{testimonial_id}")

    async def click(self, person: Any, action: str, testimonial_id: int) -> InteractionRecord:
        """Press Approve or Reject on a card."""
        return await self.emu.click(
            self.guild, person, self.card(testimonial_id), f"testimonials:{action}:{testimonial_id}"
        )


@pytest.fixture
async def stage(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> AsyncIterator[Stage]:
    """The stage around a started bot (the harness stops it)."""
    await emulator.wait_for_commands(town.guild, {"campaign", "testimonial"})
    yield Stage(emulator, town, harness, settings)
