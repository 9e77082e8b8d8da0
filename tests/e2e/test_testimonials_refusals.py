"""Bad inputs through the emulator: each is refused with a clear message and leaves nothing stored."""

from __future__ import annotations

import io
import unicodedata

from PIL import Image

from tests.e2e import test_testimonials_stage as staging
from tests.e2e.test_testimonials_stage import STORY, Stage, gps_photo

stage = staging.stage


async def nothing_stored(stage: Stage, *, held_photos: int = 0) -> None:
    """No testimonial row, no stored photo file, no moderation card; only photos held for open forms."""
    assert await stage.bot.repos.testimonials.list_by_author(stage.guild.id, stage.member.user.id) == []
    files = [p for p in stage.media_dir.rglob("*") if p.is_file()]
    assert [p for p in files if p.parent.name != "pending"] == []
    assert len(files) == held_photos
    assert stage.emu.messages_in(stage.moderation) == []


async def test_expired_photo_url_gives_a_clear_message_and_no_record(stage: Stage) -> None:
    """A photo Discord no longer serves: the member is told, and nothing points at a missing file."""
    await stage.create_campaign()
    stage.emu.attachment_url_ttl = -60
    answer = await stage.send_form(stage.member, await stage.open_form(stage.member, photo=gps_photo()))
    assert "could not download your photo" in answer.content and "Nothing was saved" in answer.content
    assert answer.attachments and answer.attachments[0].data.decode() == STORY
    await nothing_stored(stage)


async def test_without_licence_agreement_nothing_is_stored(stage: Stage) -> None:
    """Unticked licence box: refused, nothing stored but the held photo; fixed and sent again, it lands."""
    await stage.create_campaign()
    answer = await stage.submit(stage.member, photo=gps_photo(), licence=False)
    assert "Nothing was saved" in answer.content and "licence" in answer.content
    await nothing_stored(stage, held_photos=1)
    (button,) = answer.buttons()
    retry = await stage.emu.click(stage.guild, stage.member, answer, button["custom_id"])
    await retry.wait_modal()
    thanks = await stage.send_form(stage.member, retry, licence=True)
    assert "Thank you" in thanks.content
    (item,) = await stage.bot.repos.testimonials.list_by_author(stage.guild.id, stage.member.user.id)
    assert item.media is not None and stage.card(item.id).attachments
    assert not any(p.is_file() for p in (stage.media_dir / "pending").iterdir())


async def test_wrong_and_fake_files_are_refused_by_content(stage: Stage) -> None:
    """A text file and a fake JPEG are refused whatever their names say; a PNG called .jpg stays a PNG."""
    await stage.create_campaign()
    text = b"meeting notes: not a photo at all\n" * 3
    answer = await stage.submit(stage.member, photo=text, filename="photo.jpg", content_type="image/jpeg")
    assert "JPEG, PNG or WebP" in answer.content
    fake = b"\xff\xd8\xff\xe0" + b"definitely not image data" * 10
    answer = await stage.submit(stage.member, photo=fake, filename="photo.jpg", content_type="image/jpeg")
    assert "could not be read" in answer.content
    await nothing_stored(stage)
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(out, format="PNG")
    answer = await stage.submit(
        stage.member, photo=out.getvalue(), filename="holiday.jpg", content_type="image/jpeg"
    )
    assert "Thank you" in answer.content
    assert [p.suffix for p in stage.media_dir.rglob("*.*")] == [".png"]


async def test_oversized_photo_is_refused_before_the_form(stage: Stage) -> None:
    """Over the campaign's limit: refused at once, no form to fill in vain."""
    await stage.create_campaign(max_photo_mb=1)
    big = b"\xff\xd8\xff" + b"\0" * (1024 * 1024 + 1)
    it = await stage.emu.slash(
        stage.guild,
        stage.member,
        "testimonial submit",
        campaign="Trams",
        photo=stage.emu.upload("big.jpg", big),
    )
    reply = await it.reply()
    assert reply.ephemeral and "limit is 1.0 MB" in reply.content and it.modal is None
    await nothing_stored(stage)


async def test_hidden_and_decorative_characters(stage: Stage) -> None:
    """Zero-width padding does not count; bidi overrides are dropped; zalgo is capped."""
    await stage.create_campaign()
    padded = "Too short" + "\u200b" * 30
    answer = await stage.submit(stage.member, story=padded)
    assert "too short" in answer.content
    await nothing_stored(stage)
    tricky = (
        "Our \u202eetihw\u202c tram stop is "
        + "g\u0300"
        + "\u0301" * 40
        + "reat and the line runs all night now."
    )
    answer = await stage.submit(stage.member, story=tricky, city="\u2067Gent\u2069")
    assert "Thank you" in answer.content
    (item,) = await stage.bot.repos.testimonials.list_by_author(stage.guild.id, stage.member.user.id)
    assert "\u202e" not in item.story and item.city == "Gent"
    marks = [c for c in item.story if unicodedata.category(c) == "Mn"]
    assert 0 < len(marks) <= 4


async def test_unknown_campaign_and_missing_moderation_channel(stage: Stage) -> None:
    """No such campaign, or no moderation channel yet: refused before the form."""
    it = await stage.emu.slash(stage.guild, stage.member, "testimonial submit", campaign="Nope")
    assert "no campaign named" in (await it.reply()).content
    await stage.create_campaign()
    await stage.bot.repos.guild_settings.set_channels(stage.guild.id, moderation=None)
    it = await stage.emu.slash(stage.guild, stage.member, "testimonial submit", campaign="Trams")
    assert "no moderation channel" in (await it.reply()).content


async def test_unreachable_moderators_leave_no_record(stage: Stage) -> None:
    """If the card cannot be posted, the stored item and its photo are removed again."""
    await stage.create_campaign()
    # A channel id that no longer exists (deleted after /setup), so posting the card fails.
    vanished = stage.emu.world.ids.next()
    await stage.bot.repos.guild_settings.set_channels(stage.guild.id, moderation=vanished)
    form = await stage.open_form(stage.member, photo=gps_photo())
    answer = await stage.send_form(stage.member, form)
    assert "could not reach the moderators" in answer.content
    await nothing_stored(stage)
