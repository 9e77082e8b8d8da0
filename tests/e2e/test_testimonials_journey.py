"""Testimonial journeys through the emulator: campaign, form with photo, moderation, showcase, export,
withdrawal, and a restart between submission and approval."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from PIL import ExifTags, Image

from tests.e2e import test_testimonials_stage as staging
from tests.e2e.test_testimonials_stage import STORY, Stage, gps_photo

stage = staging.stage


def item_id(reply_text: str) -> int:
    """The testimonial number in the bot's thank-you reply."""
    return int(reply_text.split("#", 1)[1].split(" ", 1)[0])


async def export(stage: Stage, fmt: str) -> bytes:
    """Run /campaign export as the moderator and return the file's bytes."""
    it = await stage.emu.slash(stage.guild, stage.moderator, "campaign export", name="Trams", format=fmt)
    reply = await it.reply(timeout=10)
    assert reply.ephemeral and reply.attachments, reply.content
    return reply.attachments[0].data


async def test_campaign_create_list_close(stage: Stage) -> None:
    """Moderators create and close, everyone lists, members cannot create; closed means a polite no."""
    announcement = await stage.create_campaign("Trams", closes="in 3d")
    assert "Trams" in announcement.text and "/testimonial submit" in announcement.text
    denied = await stage.emu.slash(stage.guild, stage.member, "campaign create", name="Mine", prompt="?")
    assert "moderators" in (await denied.reply()).content
    listing = await (await stage.emu.slash(stage.guild, stage.member, "campaign list")).reply()
    assert "Trams" in listing.text and "open" in listing.text and "Mine" not in listing.text
    choices = await stage.emu.autocomplete(
        stage.guild, stage.member, "testimonial submit", focused="campaign", value="tr"
    )
    assert [c["value"] for c in choices] == ["Trams"]
    closed = await (
        await stage.emu.slash(stage.guild, stage.moderator, "campaign close", name="trams")
    ).reply()
    assert "closed" in closed.content
    refused = await stage.emu.slash(stage.guild, stage.member, "testimonial submit", campaign="Trams")
    assert "closed" in (await refused.reply()).content
    again = await (await stage.emu.slash(stage.guild, stage.member, "campaign list")).reply()
    assert "closed" in again.text


async def test_whole_journey_with_expiring_photo(stage: Stage) -> None:
    """Photo URL expires, approve, publish with name, export 3 ways, withdraw, export again: all holds."""
    await stage.create_campaign()
    stage.emu.attachment_url_ttl = 5
    photo = gps_photo()
    form = await stage.open_form(stage.member, photo=photo)
    await stage.emu.world.wait_until(lambda: stage.emu.cdn.downloads or None, 5, "the bot to fetch the photo")
    stage.emu.advance_clock(3600)  # the member takes an hour; the URL is long dead
    thanks = await stage.send_form(stage.member, form)
    assert "Thank you" in thanks.content and thanks.ephemeral
    tid = item_id(thanks.content)

    card = stage.card(tid)
    assert STORY in card.text and card.attachments
    stored = card.attachments[0].data
    with Image.open(io.BytesIO(stored)) as shown:
        assert not shown.getexif().get_ifd(ExifTags.IFD.GPSInfo) and b"SpyCam" not in stored
    files = list(stage.media_dir.rglob("*.jpg"))
    assert len(files) == 1 and files[0].read_bytes() == stored

    approved = await (await stage.click(stage.moderator, "approve", tid)).reply()
    assert "Published with the author's name" in approved.content
    post = await stage.emu.wait_for_message(stage.showcase, lambda m: bool(m.embeds))
    assert STORY in post.text and "alice" in post.text and post.attachments[0].data == stored
    assert not stage.card(tid).buttons() and "Approved by" in stage.card(tid).text

    rows = list(csv.DictReader(io.StringIO((await export(stage, "csv")).decode())))
    assert [(r["id"], r["consent_scope"], r["story"]) for r in rows] == [(str(tid), "named", STORY)]
    assert str(stage.member.user.id) not in rows[0]["contributor"]
    (line,) = (await export(stage, "jsonl")).decode().splitlines()
    assert json.loads(line)["media"][0]["sha256"] == rows[0]["media_sha256"]
    with zipfile.ZipFile(io.BytesIO(await export(stage, "datapackage"))) as package:
        assert package.read(rows[0]["media_path"]) == stored
        assert json.loads(package.read("datapackage.json"))["licenses"][0]["name"] == "CC-BY-4.0"

    gone = await (await stage.emu.slash(stage.guild, stage.member, "testimonial withdraw", id=tid)).reply()
    assert "withdrawn" in gone.content and "showcase post was deleted" in gone.content
    assert post.deleted and not files[0].exists()
    assert STORY not in stage.card(tid).text and not stage.card(tid).attachments
    assert list(csv.DictReader(io.StringIO((await export(stage, "csv")).decode()))) == []
    mine = await (await stage.emu.slash(stage.guild, stage.member, "testimonial mine")).reply()
    assert "no testimonials" in mine.content


async def test_reject_sends_reason_by_dm_or_says_dms_are_closed(stage: Stage) -> None:
    """The reason reaches the author; when their DMs are closed the moderator is told."""
    await stage.create_campaign()
    first = item_id((await stage.submit(stage.member)).content)
    second = item_id((await stage.submit(stage.quiet, usage="anonymous")).content)
    for tid, person in ((first, stage.member), (second, stage.quiet)):
        it = await stage.click(stage.moderator, "reject", tid)
        await it.wait_modal()
        answer = await (
            await stage.emu.submit_modal(stage.guild, stage.moderator, it, {"reason": "Off topic, sorry"})
        ).reply()
        if person is stage.member:
            dm = await stage.emu.wait_for_message(stage.emu.dm_channel_of(stage.member))
            assert "Off topic, sorry" in dm.content and f"#{tid}" in dm.content
            assert "told by direct message" in answer.content
        else:
            assert "direct messages are closed" in answer.content
        (decision,) = await stage.bot.repos.testimonials.decisions(tid)
        assert (decision.decision, decision.moderator_id) == ("rejected", stage.moderator.user.id)
        assert decision.reason == "Off topic, sorry" and decision.decided_at is not None
    assert stage.emu.messages_in(stage.showcase) == []
    mine = await (await stage.emu.slash(stage.guild, stage.member, "testimonial mine")).reply()
    assert "not accepted" in mine.content


async def test_non_moderator_cannot_approve(stage: Stage) -> None:
    """A member pressing Approve is refused privately and nothing changes."""
    await stage.create_campaign()
    tid = item_id((await stage.submit(stage.member)).content)
    refused = await (await stage.click(stage.member, "approve", tid)).reply()
    assert refused.ephemeral and "This is for moderators" in refused.content
    refused = await (await stage.click(stage.member, "reject", tid)).reply()
    assert "This is for moderators" in refused.content
    assert stage.card(tid).buttons() and stage.emu.messages_in(stage.showcase) == []


async def test_restart_between_submission_and_approval(stage: Stage) -> None:
    """A card posted before a restart still takes the decision afterwards; research-only is not published."""
    await stage.create_campaign()
    tid = item_id((await stage.submit(stage.member, usage="research")).content)
    await stage.restart()
    answer = await (await stage.click(stage.admin, "approve", tid)).reply()
    assert "research use only" in answer.content
    assert stage.emu.messages_in(stage.showcase) == []
    assert not stage.card(tid).buttons() and "Approved by ada" in stage.card(tid).text
    (decision,) = await stage.bot.repos.testimonials.decisions(tid)
    assert (decision.decision, decision.moderator_id) == ("approved", stage.admin.user.id)


async def test_mentions_in_a_story_stay_inert(stage: Stage) -> None:
    """@everyone, role and user mentions in member text never ping, on the card or in the showcase."""
    await stage.create_campaign()
    story = f"@everyone look! <@&{stage.mods.id}> and <@{stage.admin.user.id}> the tram is great now."
    tid = item_id(
        (
            await stage.submit(stage.member, photo=None, story=story, city="@here Gent", usage="anonymous")
        ).content
    )
    await (await stage.click(stage.moderator, "approve", tid)).reply()
    post = await stage.emu.wait_for_message(stage.showcase, lambda m: bool(m.embeds))
    for message in (stage.card(tid), post):
        assert not message.mention_everyone and message.mention_role_ids == [] and message.mention_ids == []
    assert "alice" not in post.text and "A member of the community" in post.text
