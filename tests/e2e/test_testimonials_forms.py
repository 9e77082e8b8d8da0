"""Testimonial forms used by several people at once (issue #10): each story lands with its own photo,
author and consent; two servers stay apart; a form sent after a restart completes."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from cogs.testimonials.views import PhotoSubmissionForm
from sandbox.emulator import Emulator
from tests.e2e import test_testimonials_stage as staging
from tests.e2e.harness import BotHarness, Town, bot_settings, build_town, configure_town
from tests.e2e.test_testimonials_stage import Stage, gps_photo

stage = staging.stage

STORY_A = "Alice here: the new tram line means I no longer need the car for my commute."
STORY_B = "Quiet here: the bike lanes along the river made my children cycle to school alone."


def item_id(reply_text: str) -> int:
    """The testimonial number in the bot's thank-you reply."""
    return int(reply_text.split("#", 1)[1].split(" ", 1)[0])


def colour_of(data: bytes) -> tuple[int, ...]:
    """The colour of the middle pixel of a stored photo."""
    with Image.open(io.BytesIO(data)) as image:
        pixel = image.convert("RGB").getpixel((image.width // 2, image.height // 2))
    assert isinstance(pixel, tuple)
    return pixel


def is_reddish(pixel: tuple[int, ...]) -> bool:
    """Red dominates."""
    return pixel[0] > 150 and pixel[1] < 100 and pixel[2] < 100


def is_blueish(pixel: tuple[int, ...]) -> bool:
    """Blue dominates."""
    return pixel[2] > 150 and pixel[0] < 100 and pixel[1] < 100


async def downloads(stage: Stage, count: int) -> None:
    """Wait until the bot fetched `count` photos from the CDN."""
    await stage.emu.world.wait_until(
        lambda: len(stage.emu.cdn.downloads) >= count or None, 5, "the bot to fetch the photos"
    )


async def test_two_members_forms_with_photos_sent_in_crossed_order(stage: Stage) -> None:
    """A opens with a red photo, B with a blue one, A sends first: each keeps its own photo and consent."""
    await stage.create_campaign()
    form_a = await stage.open_form(stage.member, photo=gps_photo("red"))
    form_b = await stage.open_form(stage.quiet, photo=gps_photo("blue"))
    assert form_a.modal is not None and form_b.modal is not None
    assert form_a.modal["custom_id"] != form_b.modal["custom_id"]
    await downloads(stage, 2)
    sent_a = await stage.send_form(stage.member, form_a, story=STORY_A, usage="named")
    sent_b = await stage.send_form(stage.quiet, form_b, story=STORY_B, usage="anonymous", city="Gent")
    assert "Thank you" in sent_a.content and "Thank you" in sent_b.content, (sent_a.content, sent_b.content)
    a = await stage.bot.repos.testimonials.get(item_id(sent_a.content))
    b = await stage.bot.repos.testimonials.get(item_id(sent_b.content))
    assert a is not None and b is not None
    assert (a.author_id, a.story, a.consent_scope, a.city) == (
        stage.member.user.id,
        STORY_A,
        "named",
        "Leuven",
    )
    assert (b.author_id, b.story, b.consent_scope, b.city) == (
        stage.quiet.user.id,
        STORY_B,
        "anonymous",
        "Gent",
    )
    assert a.media is not None and b.media is not None and a.media.sha256 != b.media.sha256
    assert is_reddish(colour_of((stage.media_dir / a.media.relpath).read_bytes()))
    assert is_blueish(colour_of((stage.media_dir / b.media.relpath).read_bytes()))
    assert is_reddish(colour_of(stage.card(a.id).attachments[0].data))
    assert is_blueish(colour_of(stage.card(b.id).attachments[0].data))


def held(stage: Stage) -> list[Path]:
    """The photos held for open forms."""
    folder = stage.media_dir / "pending"
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


async def test_a_form_sent_after_a_restart_completes_with_its_held_photo(stage: Stage) -> None:
    """The photo is held on disk and the form's state in the database: after a restart the form lands."""
    await stage.create_campaign()
    form = await stage.open_form(stage.member, photo=gps_photo("red"))
    await stage.emu.world.wait_until(lambda: held(stage) or None, 5, "the photo to be held on disk")
    await stage.restart()
    assert len(held(stage)) == 1, "the start-up sweep keeps the photo of an open form"
    thanks = await stage.send_form(stage.member, form, story=STORY_A)
    assert "Thank you" in thanks.content, thanks.content
    item = await stage.bot.repos.testimonials.get(item_id(thanks.content))
    assert item is not None and item.story == STORY_A and item.media is not None
    assert is_reddish(colour_of(stage.card(item.id).attachments[0].data))
    assert held(stage) == []


async def test_a_form_whose_photo_was_not_held_hands_the_story_back_after_a_restart(stage: Stage) -> None:
    """The photo could not be fetched before the restart: the member gets the story back, nothing is kept."""
    await stage.create_campaign()
    stage.emu.attachment_url_ttl = -60
    form = await stage.open_form(stage.member, photo=gps_photo())
    await stage.restart()
    answer = await stage.send_form(stage.member, form, story=STORY_A)
    assert "no longer held" in answer.content and "Nothing was saved" in answer.content
    assert answer.attachments and answer.attachments[0].data.decode() == STORY_A
    assert await stage.bot.repos.testimonials.list_by_author(stage.guild.id, stage.member.user.id) == []


async def test_the_held_photo_goes_when_the_form_expires(
    stage: Stage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An expired form's photo is deleted by the forms sweep; sending it later hands the text back."""
    # The class the running bot loaded (each start imports the extension afresh).
    cog: Any = stage.bot.get_cog("Testimonials")
    form_class = type(cog.photo_form)
    assert form_class.kind == PhotoSubmissionForm.kind
    monkeypatch.setattr(form_class, "lifetime", timedelta(seconds=1))
    await stage.create_campaign()
    form = await stage.open_form(stage.member, photo=gps_photo())
    await stage.emu.world.wait_until(lambda: held(stage) or None, 5, "the photo to be held on disk")
    await asyncio.sleep(1.2)
    assert await stage.bot.forms.sweep() == 1
    assert held(stage) == []
    answer = await stage.send_form(stage.member, form, story=STORY_A)
    assert "expired" in answer.content and STORY_A in answer.content
    assert await stage.bot.repos.testimonials.list_by_author(stage.guild.id, stage.member.user.id) == []


async def test_two_moderators_reject_in_crossed_order(stage: Stage) -> None:
    """Two moderators open reject forms for two items at once; each reason lands on its own item."""
    await stage.create_campaign()
    first = item_id((await stage.submit(stage.member, story=STORY_A)).content)
    second = item_id((await stage.submit(stage.quiet, story=STORY_B)).content)
    form_1 = await stage.click(stage.moderator, "reject", first)
    form_2 = await stage.click(stage.admin, "reject", second)
    await form_1.wait_modal()
    await form_2.wait_modal()
    assert form_1.modal is not None and form_2.modal is not None
    assert form_1.modal["custom_id"] != form_2.modal["custom_id"]
    done_2 = await stage.emu.submit_modal(stage.guild, stage.admin, form_2, {"reason": "Second: off topic"})
    assert "Rejected testimonial #" + str(second) in (await done_2.reply()).content
    done_1 = await stage.emu.submit_modal(
        stage.guild, stage.moderator, form_1, {"reason": "First: duplicate"}
    )
    assert "Rejected testimonial #" + str(first) in (await done_1.reply()).content
    decisions = {tid: await stage.bot.repos.testimonials.decisions(tid) for tid in (first, second)}
    assert [(d.reason, d.moderator_id) for d in decisions[first]] == [
        ("First: duplicate", stage.moderator.user.id)
    ]
    assert [(d.reason, d.moderator_id) for d in decisions[second]] == [
        ("Second: off topic", stage.admin.user.id)
    ]


async def test_invisible_text_is_refused_and_nothing_is_stored(stage: Stage) -> None:
    """Zero-width-only campaign names, prompts, stories, cities and reasons are refused; nothing is kept."""
    zero = "\u200b\u200b\u2060"
    for options in ({"name": zero, "prompt": "How?"}, {"name": "Trams", "prompt": zero}):
        it = await stage.emu.slash(stage.guild, stage.moderator, "campaign create", **options)
        assert "only invisible characters" in (await it.reply()).content
    assert await stage.bot.repos.testimonials.list_campaigns(stage.guild.id) == []
    await stage.create_campaign()
    for values in ({"story": zero * 10}, {"city": zero}):
        answer = await stage.submit(stage.member, **values)
        assert "only invisible characters" in answer.content, answer.content
    assert await stage.bot.repos.testimonials.list_by_author(stage.guild.id, stage.member.user.id) == []
    tid = item_id((await stage.submit(stage.member)).content)
    it = await stage.click(stage.moderator, "reject", tid)
    await it.wait_modal()
    refused = await (await stage.emu.submit_modal(stage.guild, stage.moderator, it, {"reason": zero})).reply()
    assert "only invisible characters" in refused.content
    item = await stage.bot.repos.testimonials.get(tid)
    assert item is not None and item.status == "pending"


async def test_stories_per_campaign_and_day_are_limited(stage: Stage) -> None:
    """Past the day's limit the form does not open; two forms opened before it cannot both land."""
    stage.settings.limits.testimonials_per_campaign_per_day = 1
    await stage.create_campaign()
    early = await stage.open_form(stage.member)
    late = await stage.open_form(stage.member)
    assert "Thank you" in (await stage.send_form(stage.member, early)).content
    refused = await stage.send_form(stage.member, late, story=STORY_B)
    assert "last 24 hours" in refused.content and refused.attachments[0].data.decode() == STORY_B
    it = await stage.emu.slash(stage.guild, stage.member, "testimonial submit", campaign="Trams")
    reply = await it.reply()
    assert "last 24 hours" in reply.content and it.modal is None
    assert len(await stage.bot.repos.testimonials.list_by_author(stage.guild.id, stage.member.user.id)) == 1
    assert "Thank you" in (await stage.submit(stage.quiet)).content, "another member is not limited"


async def test_open_photo_forms_per_member_are_limited(stage: Stage) -> None:
    """A member holds at most open_photo_forms_per_member photo forms; forms without photo are not counted."""
    await stage.create_campaign()
    for colour in ("red", "blue"):
        await stage.open_form(stage.member, photo=gps_photo(colour))
    it = await stage.emu.slash(
        stage.guild, stage.member, "testimonial submit", campaign="Trams",
        photo=stage.emu.upload("third.jpg", gps_photo("green")),
    )  # fmt: skip
    reply = await it.reply()
    assert "with a photo open" in reply.content and it.modal is None
    await stage.open_form(stage.member)
    await stage.open_form(stage.quiet, photo=gps_photo("green"))


def noise_png(size: int = 480) -> bytes:
    """A PNG of random pixels, which does not compress: about 3 bytes a pixel."""
    import os

    image = Image.frombytes("RGB", (size, size), os.urandom(size * size * 3))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def test_photos_held_for_open_forms_stay_within_their_budget(stage: Stage) -> None:
    """With 1 MB for all held photos, a second large photo waits until the first form is sent."""
    stage.settings.limits.pending_photos_max_mb = 1
    await stage.create_campaign()
    big = noise_png()
    assert 600_000 < len(big) < 1_000_000
    first = await stage.open_form(stage.member, photo=big, filename="big.png")
    it = await stage.emu.slash(
        stage.guild, stage.quiet, "testimonial submit", campaign="Trams",
        photo=stage.emu.upload("big.png", big),
    )  # fmt: skip
    reply = await it.reply()
    assert "Too many photos" in reply.content and it.modal is None
    assert "Thank you" in (await stage.send_form(stage.member, first)).content
    assert held(stage) == []
    await stage.open_form(stage.quiet, photo=big, filename="big.png")


@pytest.fixture
async def two_towns(
    emulator: Emulator, tmp_path: Path, discord_log: Any, app_log: Any
) -> AsyncIterator[tuple[Town, Town, BotHarness]]:
    """Two servers served by one bot, each with its moderation and showcase channels."""
    first, second = build_town(emulator), build_town(emulator)
    settings = bot_settings(emulator, tmp_path, [first.guild.id, second.guild.id])
    await configure_town(settings, first)
    await configure_town(settings, second)
    harness = BotHarness(emulator, settings)
    await harness.start()
    for town in (first, second):
        await emulator.wait_for_commands(town.guild, {"campaign", "testimonial"})
    yield first, second, harness
    await harness.stop()


async def test_two_servers_with_the_same_campaign_name_stay_apart(
    emulator: Emulator, two_towns: tuple[Town, Town, BotHarness]
) -> None:
    """Members of two servers send forms for their own "Trams" at once: each lands in its own server."""
    first, second, harness = two_towns
    for town in (first, second):
        it = await emulator.slash(town.guild, town.moderator, "campaign create", name="Trams", prompt="How?")
        await it.reply()
    forms = {}
    for town, colour in ((first, "red"), (second, "blue")):
        it = await emulator.slash(
            town.guild, town.member, "testimonial submit", campaign="Trams",
            photo=emulator.upload(f"{colour}.jpg", gps_photo(colour)),
        )  # fmt: skip
        await it.wait_modal()
        forms[town.guild.id] = it
    await emulator.world.wait_until(lambda: len(emulator.cdn.downloads) >= 2 or None, 5, "the downloads")
    fields = {"city": "Leuven", "group": "citizen", "usage": "named", "licence": True}
    for town, story in ((second, STORY_B), (first, STORY_A)):
        sent = await emulator.submit_modal(
            town.guild, town.member, forms[town.guild.id], {**fields, "story": story}
        )
        assert "Thank you" in (await sent.reply(timeout=10)).content
    assert harness.bot is not None
    for town, story, looks_right in ((first, STORY_A, is_reddish), (second, STORY_B, is_blueish)):
        (item,) = await harness.bot.repos.testimonials.list_by_author(town.guild.id, town.member.user.id)
        assert (item.guild_id, item.story) == (town.guild.id, story)
        (card,) = emulator.messages_in(town.moderation)
        assert story in card.text and looks_right(colour_of(card.attachments[0].data))
