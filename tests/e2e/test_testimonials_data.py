"""What testimonials keep and for how long: rejected photos expire, and a member's data is exported
and erased through the capability's MemberDataHolder (database, files and Discord posts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import discord

from tests.e2e import test_testimonials_stage as staging
from tests.e2e.test_testimonials_stage import Stage, gps_photo

stage = staging.stage


def item_id(reply_text: str) -> int:
    """The testimonial number in the bot's thank-you reply."""
    return int(reply_text.split("#", 1)[1].split(" ", 1)[0])


async def reject(stage: Stage, tid: int, reason: str = "Off topic, sorry") -> None:
    """A moderator rejects an item with a reason."""
    it = await stage.click(stage.moderator, "reject", tid)
    await it.wait_modal()
    await (await stage.emu.submit_modal(stage.guild, stage.moderator, it, {"reason": reason})).reply()


def stored_files(stage: Stage) -> list[Any]:
    """Photo files in the store (not those held for open forms)."""
    return [p for p in stage.media_dir.rglob("*") if p.is_file() and p.parent.name != "pending"]


async def test_rejected_photos_are_deleted_after_the_retention_period(stage: Stage) -> None:
    """After 30 days a rejected item loses its photo (file, record, card); approved ones keep theirs."""
    assert stage.bot.scheduler.get_job("testimonials:photo-retention") is not None
    await stage.create_campaign()
    old = item_id((await stage.submit(stage.member, photo=gps_photo("red"))).content)
    kept = item_id((await stage.submit(stage.quiet, photo=gps_photo("blue"))).content)
    await reject(stage, old)
    await (await stage.click(stage.moderator, "approve", kept)).reply()
    assert len(stored_files(stage)) == 2
    cog: Any = stage.bot.get_cog("Testimonials")
    retention = stage.settings.limits.rejected_photo_retention_delta
    assert retention == timedelta(days=30)
    assert (
        await cog.moderation.drop_rejected_photos(retention, now=datetime.now(UTC) + timedelta(days=29)) == 0
    )
    later = datetime.now(UTC) + timedelta(days=31)
    assert await cog.moderation.drop_rejected_photos(retention, now=later) == 1
    item = await stage.bot.repos.testimonials.get(old)
    assert item is not None and item.media is None and item.status == "rejected"
    assert item.photo_removed_at is not None and abs(item.photo_removed_at - later) < timedelta(seconds=2)
    (left,) = stored_files(stage)
    approved = await stage.bot.repos.testimonials.get(kept)
    assert (
        approved is not None
        and approved.media is not None
        and left.name == approved.media.relpath.split("/")[1]
    )
    card = stage.card(old)
    assert not card.attachments and "retention" in card.text
    assert await cog.moderation.drop_rejected_photos(retention, now=later) == 0, "done once"


async def test_member_data_holder_exports_and_erases_database_files_and_posts(stage: Stage) -> None:
    """The registered holder exports the member's items and erases them with photo files and posts."""
    # An open form's held photo goes too (bot.forms erases the member's open forms).

    assert "Testimonials" in stage.bot.member_data.names()
    await stage.create_campaign()
    mine = item_id((await stage.submit(stage.member, photo=gps_photo("red"))).content)
    other = item_id((await stage.submit(stage.quiet, photo=gps_photo("blue"))).content)
    await (await stage.click(stage.moderator, "approve", mine)).reply()
    post = await stage.emu.wait_for_message(stage.showcase, lambda m: bool(m.embeds))
    sections = await stage.bot.member_data.export(stage.guild.id, stage.member.user.id)
    (testimonials,) = [s for s in sections if "testimonials" in s]
    (exported,) = testimonials["testimonials"]
    assert exported["testimonial_id"] == mine and exported["photo"]["file_exists"] is True
    assert exported["consent"]["scope"] == "named"
    moderator = [s for s in sections if "testimonials" in s]
    assert moderator[0]["moderator_actions"]["testimonial_decisions"] == []

    await stage.open_form(stage.member, photo=gps_photo("green"))
    await stage.emu.world.wait_until(
        lambda: any((stage.media_dir / "pending").glob("*")) or None, 5, "the photo to be held"
    )
    guild = stage.bot.get_guild(stage.guild.id)
    assert guild is not None
    member = guild.get_member(stage.member.user.id) or await guild.fetch_member(stage.member.user.id)
    assert isinstance(member, discord.Member)
    erased = await stage.bot.member_data.erase(member)
    assert erased.counts["testimonials"] == 1
    assert await stage.bot.repos.testimonials.get(mine) is None
    assert await stage.bot.repos.testimonials.get(other) is not None
    assert post.deleted and len(stored_files(stage)) == 1
    assert "withdrawn" in stage.card(mine).text and not stage.card(mine).attachments
    assert not any(p.is_file() for p in (stage.media_dir / "pending").glob("*")), "held photo erased"
    again = await stage.bot.member_data.erase(member)
    assert again.counts["testimonials"] == 0, "a rerun finds nothing more"
