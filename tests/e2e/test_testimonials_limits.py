"""Testimonials at Discord's limits and at the edges of the rules, through the emulator: the longest
inputs, the upload limit of exports, a photo shared by two items, the city register, stored consent,
and who may do what. The emulator fails a test whose requests Discord would reject."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.consent import CONSENT_VERSION, consent_text
from sandbox import interactions as emulated_interactions
from tests.e2e import test_testimonials_stage as staging
from tests.e2e.test_testimonials_stage import STORY, Stage, gps_photo

stage = staging.stage


def item_id(reply_text: str) -> int:
    """The testimonial number in the bot's thank-you reply."""
    return int(reply_text.split("#", 1)[1].split(" ", 1)[0])


def modal_field(modal: dict[str, Any], custom_id: str) -> dict[str, Any]:
    """The component of a modal payload with this custom id (inside its label)."""
    for row in modal["components"]:
        inner = [row["component"]] if "component" in row else row.get("components", [])
        for component in inner:
            if component.get("custom_id") == custom_id:
                return dict(component)
    raise AssertionError(f"the form has no field {custom_id!r}")


async def test_longest_inputs_full_of_mentions_stay_within_discord_limits(stage: Stage) -> None:
    """The longest story, name, prompt, city and reason, full of mentions: Discord accepts every message."""
    name = "@everyone_*" * 4 + "<@&1>_"
    assert len(name) == 50
    prompt = "*@here* " * 125
    created = await stage.emu.slash(stage.guild, stage.moderator, "campaign create", name=name, prompt=prompt)
    announcement = await created.reply()
    assert not announcement.mention_everyone and announcement.embeds
    story = "@everyone " * 400
    city = "_*" * 50
    form = await stage.open_form(stage.member, campaign=name)
    assert form.modal is not None and form.modal["title"].startswith("Testimonial: @everyone")
    first = item_id((await stage.send_form(stage.member, form, story=story, city=city)).content)
    second = item_id((await stage.submit(stage.member, campaign=name, story=story, city=city)).content)

    approved = await (await stage.click(stage.moderator, "approve", first)).reply()
    assert "Published" in approved.content
    post = await stage.emu.wait_for_message(stage.showcase, lambda m: bool(m.embeds))
    assert "@\u200beveryone" in post.embeds[0]["description"]

    it = await stage.click(stage.moderator, "reject", second)
    await it.wait_modal()
    reason = "@everyone " * 50
    answer = await (
        await stage.emu.submit_modal(stage.guild, stage.moderator, it, {"reason": reason})
    ).reply()
    assert "told by direct message" in answer.content
    dm = await stage.emu.wait_for_message(stage.emu.dm_channel_of(stage.member))
    for message in (announcement, stage.card(first), stage.card(second), post, dm):
        assert not message.mention_everyone and message.mention_role_ids == [] and message.mention_ids == []
    listing = await (await stage.emu.slash(stage.guild, stage.member, "campaign list")).reply()
    assert listing.embeds
    mine = await (await stage.emu.slash(stage.guild, stage.member, "testimonial mine")).reply()
    assert f"#{first}" in mine.content and f"#{second}" in mine.content


async def test_story_longer_than_allowed_after_cleaning_is_refused(stage: Stage) -> None:
    """4,000 characters that Unicode normalisation turns into 8,000 are refused, nothing stored."""
    await stage.create_campaign()
    answer = await stage.submit(stage.member, story="\u0958" * 4000)
    assert "too long" in answer.content
    assert await stage.bot.repos.testimonials.list_by_author(stage.guild.id, stage.member.user.id) == []
    assert stage.emu.messages_in(stage.moderation) == []


async def test_export_larger_than_the_upload_limit_points_to_the_command_line(
    stage: Stage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the file exceeds what the server accepts, the moderator gets the CLI command instead."""
    await stage.create_campaign()
    tid = item_id((await stage.submit(stage.member)).content)
    await (await stage.click(stage.moderator, "approve", tid)).reply()
    monkeypatch.setattr(emulated_interactions, "ATTACHMENT_SIZE_LIMIT", 100)
    it = await stage.emu.slash(stage.guild, stage.moderator, "campaign export", name="Trams", format="csv")
    reply = await it.reply(timeout=10)
    assert reply.ephemeral and not reply.attachments
    assert "upload limit" in reply.content
    hint = f"climabot export testimonials --campaign 'Trams' --guild {stage.guild.id} --format csv --out PATH"
    assert hint in reply.content


async def test_a_photo_shared_by_two_items_stays_until_the_last_is_withdrawn(stage: Stage) -> None:
    """The same photo is stored once; it goes only when no testimonial uses it any more."""
    await stage.create_campaign()
    photo = gps_photo("teal")
    first = item_id((await stage.submit(stage.member, photo=photo)).content)
    second = item_id((await stage.submit(stage.quiet, photo=photo)).content)
    (file,) = [p for p in stage.media_dir.rglob("*") if p.is_file()]
    gone = await stage.emu.slash(stage.guild, stage.member, "testimonial withdraw", id=first)
    assert "withdrawn" in (await gone.reply()).content
    assert file.is_file()
    assert stage.card(second).attachments
    gone = await stage.emu.slash(stage.guild, stage.quiet, "testimonial withdraw", id=second)
    assert "withdrawn" in (await gone.reply()).content
    assert not file.exists()


async def test_only_the_right_people_act(stage: Stage) -> None:
    """A member cannot close a campaign, nor withdraw or see someone else's testimonial."""
    await stage.create_campaign()
    tid = item_id((await stage.submit(stage.member)).content)
    denied = await stage.emu.slash(stage.guild, stage.quiet, "campaign close", name="Trams")
    assert "moderators" in (await denied.reply()).content
    export = await stage.emu.slash(stage.guild, stage.quiet, "campaign export", name="Trams")
    assert "moderators" in (await export.reply()).content
    other = await stage.emu.slash(stage.guild, stage.quiet, "testimonial withdraw", id=tid)
    assert f"no testimonial #{tid}" in (await other.reply()).content
    mine = await (await stage.emu.slash(stage.guild, stage.quiet, "testimonial mine")).reply()
    assert "no testimonials" in mine.content
    assert await stage.bot.repos.testimonials.get(tid) is not None
    assert stage.card(tid).buttons()


async def test_consent_is_stored_with_its_text_version_and_time(stage: Stage) -> None:
    """What the member agreed to, in which version and when, is kept with the item."""
    await stage.create_campaign(licence="CC-BY-SA-4.0")
    before = datetime.now(UTC).replace(microsecond=0)
    tid = item_id((await stage.submit(stage.member, usage="anonymous")).content)
    after = datetime.now(UTC)
    item = await stage.bot.repos.testimonials.get(tid)
    assert item is not None
    assert item.consent_version == CONSENT_VERSION and item.consent_scope == "anonymous"
    assert item.consent_text == consent_text("anonymous", "CC-BY-SA-4.0")
    assert "CC BY-SA 4.0" in item.consent_text and item.licence == "CC-BY-SA-4.0"
    assert before <= item.consented_at <= after


async def test_city_comes_from_the_register_and_the_profile(stage: Stage) -> None:
    """Profile and city register fill in the form; a registered city is stored as the register spells it."""
    cities, profiles = stage.bot.repos.cities, stage.bot.repos.profiles
    gent = await cities.add(stage.guild.id, "Gent", "BE", mission_city=False, created_by=None)
    await cities.add(stage.guild.id, "Leuven", "BE", mission_city=True, created_by=None)
    await profiles.set(stage.guild.id, stage.member.user.id, target_group="researcher", city_id=gent.id)
    await stage.create_campaign()

    choices = await stage.emu.autocomplete(
        stage.guild, stage.member, "testimonial submit", focused="city", value="leu"
    )
    assert [c["value"] for c in choices] == ["Leuven"]
    form = await stage.open_form(stage.member)
    assert modal_field(form.modal or {}, "city").get("value") == "Gent"
    researcher = [o for o in modal_field(form.modal or {}, "group")["options"] if o.get("default")]
    assert [o["value"] for o in researcher] == ["researcher"]
    fields = {"story": STORY, "group": "researcher", "usage": "named", "licence": True}
    sent = await stage.emu.submit_modal(stage.guild, stage.member, form, fields)
    first = item_id((await sent.reply(timeout=10)).content)

    it = await stage.emu.slash(
        stage.guild, stage.member, "testimonial submit", campaign="Trams", city="Leuven"
    )
    assert modal_field(await it.wait_modal(), "city").get("value") == "Leuven"
    second = item_id((await stage.send_form(stage.member, it, city="  lEUVEN ")).content)
    third = item_id((await stage.submit(stage.quiet, city="Ghent-on-Sea")).content)
    stored = [await stage.bot.repos.testimonials.get(i) for i in (first, second, third)]
    assert [t.city for t in stored if t is not None] == ["Gent", "Leuven", "Ghent-on-Sea"]


async def test_csv_cells_are_safe_in_spreadsheets_and_json_lines_keep_the_text(stage: Stage) -> None:
    """A story starting with = is exported as '=... in CSV, exactly in JSON Lines and the data package."""
    await stage.create_campaign()
    story = '=HYPERLINK("https://example.org"; "click") is what our tram app shows.'
    tid = item_id((await stage.submit(stage.member, story=story, city="+32 Gent")).content)
    await (await stage.click(stage.moderator, "approve", tid)).reply()

    async def export(fmt: str) -> bytes:
        """The export file in one format."""
        it = await stage.emu.slash(stage.guild, stage.moderator, "campaign export", name="Trams", format=fmt)
        return (await it.reply(timeout=10)).attachments[0].data

    (row,) = csv.DictReader(io.StringIO((await export("csv")).decode("utf-8")))
    assert (row["story"], row["city"]) == ("'" + story, "'+32 Gent")
    (line,) = (await export("jsonl")).decode("utf-8").splitlines()
    assert (json.loads(line)["story"], json.loads(line)["city"]) == (story, "+32 Gent")
    with zipfile.ZipFile(io.BytesIO(await export("datapackage"))) as package:
        (packaged,) = csv.DictReader(io.StringIO(package.read("data/testimonials.csv").decode("utf-8")))
    assert (packaged["story"], packaged["city"]) == (story, "+32 Gent")
