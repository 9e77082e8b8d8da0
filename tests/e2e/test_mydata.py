"""/mydata end to end: a member who used every capability exports their data, erases it (after a
restart, with someone else's click refused on the way), and exports again: nothing linked remains,
while closed-poll counts and community content stay."""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from sandbox.state import Member, Message
from tests.e2e import test_testimonials_stage as staging
from tests.e2e.test_polls_stage import create_poll, fast_edits, stored_counts, vote, wait_for_tally
from tests.e2e.test_testimonials_stage import STORY, Stage, gps_photo
from tests.storage.test_member_data import columns_holding

stage = staging.stage


async def answer(stage: Stage, who: Any, command: str, **options: Any) -> Message:
    """Run a slash command as someone in #general and return the first message they see."""
    it = await stage.emu.slash(stage.guild, who, command, channel=stage.town.general, options=options)
    return await it.reply(timeout=10)


async def export(stage: Stage, who: Member) -> dict[str, Any]:
    """Run /mydata export and return the parsed file, checking its name and that it is private."""
    reply = await answer(stage, who, "mydata export")
    assert reply.ephemeral and len(reply.attachments) == 1, reply.content
    file = reply.attachments[0]
    assert file.filename == f"climabot-mydata-{stage.guild.id}-{who.user.id}.json"
    document: dict[str, Any] = json.loads(file.data.decode("utf-8"))
    assert document["about"]["user_id"] == who.user.id and document["about"]["guild_id"] == stage.guild.id
    return document


def linked(document: dict[str, Any]) -> dict[str, Any]:
    """The sections of an export that hold something (moderator actions aside)."""
    return {k: v for k, v in document.items() if k not in ("about", "moderator_actions") and v}


def profile_rows(database: Path, user_id: int) -> int:
    """How many profile rows the database file holds for a member."""
    with contextlib.closing(sqlite3.connect(database)) as conn:
        return int(conn.execute("SELECT count(*) FROM profiles WHERE user_id = ?", (user_id,)).fetchone()[0])


async def use_everything(stage: Stage, bob: Member) -> dict[str, Any]:
    """Alice and Bob use profiles, subscriptions, polls and testimonials; return the polls and the post.

    Alice sets a profile in Lyon, subscribes, votes in a closed and an open poll and has a testimonial
    published; Bob sets a profile and votes too.
    """
    emu, alice = stage.emu, stage.member
    assert (
        "Registered" in (await answer(stage, stage.moderator, "city add", name="Lyon", country="FR")).content
    )
    assert (
        "Profile updated"
        in (await answer(stage, alice, "profile set", group="researcher", city="Lyon")).content
    )
    assert "Profile updated" in (await answer(stage, bob, "profile set", group="citizen")).content
    assert "Subscribed" in (await answer(stage, alice, "calls subscribe")).content

    closed_id, closed_msg = await create_poll(emu, stage.town, question="Which theme first?")
    open_id, open_msg = await create_poll(emu, stage.town, question="Meet on Friday?", options="Yes; No")
    await vote(emu, stage.town, alice, closed_msg, closed_id, 1)
    await vote(emu, stage.town, bob, closed_msg, closed_id, 1)
    await vote(emu, stage.town, alice, open_msg, open_id, 0)
    await vote(emu, stage.town, bob, open_msg, open_id, 1)
    closing = await answer(stage, stage.moderator, "poll close", poll_id=closed_id)
    assert closing.ephemeral

    await stage.create_campaign()
    thanks = await stage.submit(alice, photo=gps_photo())
    tid = int(thanks.content.split("#", 1)[1].split(" ", 1)[0])
    await (await stage.click(stage.moderator, "approve", tid)).reply()
    post = await emu.wait_for_message(stage.showcase, lambda m: bool(m.embeds))
    return {"closed": closed_id, "open": open_id, "open_msg": open_msg, "testimonial": tid, "post": post}


async def test_export_forget_across_a_restart_and_export_again(stage: Stage) -> None:
    """The whole journey: export shows everything, forget erases it, counts and community text stay."""
    emu, alice, database = stage.emu, stage.member, stage.settings.storage.database_path
    await emu.wait_for_commands(stage.guild, {"mydata", "poll", "city", "profile", "calls"})
    bob = stage.guild.add_member("bob")
    made = await use_everything(stage, bob)
    fast_edits(stage.harness)

    document = await export(stage, alice)
    about = document["about"]
    assert about["climabot_version"] and about["generated_at"].endswith("+00:00")
    assert any("anonymous" in line.lower() for line in about["not_included"])
    assert document["profile"]["group"] == "researcher" and document["profile"]["home_city"]["name"] == "Lyon"
    assert [c["name"] for c in document["city_memberships"]] == ["Lyon"]
    assert [s["programme"] for s in document["call_subscriptions"]] == ["*"]
    (story,) = document["testimonials"]
    assert story["testimonial_id"] == made["testimonial"] and story["story"] == STORY
    assert story["status"] == "approved" and story["published_in_showcase"] is True
    assert story["consent"]["text"] and story["consent"]["version"] and story["consent"]["consented_at"]
    assert len(story["photo"]["sha256"]) == 64 and story["photo"]["file_exists"] is True
    assert [(b["poll_id"], b["poll_state"], b["option"]) for b in document["poll_ballots"]] == [
        (made["closed"], "closed", "Mobility"),
        (made["open"], "open", "Yes"),
    ]
    assert str(bob.user.id) not in json.dumps(document)

    prompt = await answer(stage, alice, "mydata forget")
    assert prompt.ephemeral and "1 testimonial, with 1 photo" in prompt.content
    assert "1 vote in open polls" in prompt.content and "1 ballot in closed polls" in prompt.content
    assert "What stays" in prompt.content
    confirm = f"admin:forget:{alice.user.id}"
    assert {b["custom_id"] for b in prompt.buttons()} == {confirm, f"admin:forget-cancel:{alice.user.id}"}

    await stage.restart()
    await emu.wait_for_commands(stage.guild, {"mydata"})
    fast_edits(stage.harness)

    # Discord shows an ephemeral prompt to its member only; a forged click on a copy is still refused.
    forged = emu.post_message(bob, stage.town.general, "look what I found")
    forged.components = copy.deepcopy(prompt.components)
    refusal = await (await emu.click(stage.guild, bob, forged, confirm)).reply()
    assert refusal.ephemeral and "someone else's" in refusal.content
    assert profile_rows(database, alice.user.id) == 1 and prompt.component(confirm) is not None

    await emu.click(stage.guild, alice, prompt, confirm)
    summary = await emu.world.wait_until(
        lambda: prompt if "Done." in prompt.content else None, 10, "the erasure summary"
    )
    assert not summary.buttons()
    assert "1 profile, 1 city membership, 1 call subscription" in summary.content
    assert "1 testimonial" in summary.content and "1 vote in open polls" in summary.content
    assert "1 ballot in closed polls" in summary.content

    # Discord side: showcase post gone, photo file gone, city role taken back, open tally repainted.
    assert made["post"].deleted
    assert not list(stage.media_dir.rglob("*.jpg"))
    assert stage.guild.role("Lyon").id not in stage.guild.member(alice).role_ids
    await wait_for_tally(emu, made["open_msg"], "1 member voted")
    # Closed poll: counts unchanged, its ballots export keeps two rows, one now a pseudonym.
    assert stored_counts(database, made["closed"]) == [0, 2, 0]
    assert stored_counts(database, made["open"]) == [0, 1]
    ballots_file = await answer(stage, stage.moderator, "poll export", poll_id=made["closed"])
    ballots_csv = next(f for f in ballots_file.attachments if f.filename.endswith("ballots.csv"))
    voters = [row["voter_id"] for row in csv.DictReader(io.StringIO(ballots_csv.data.decode()))]
    assert sorted(v.split(":")[0] for v in voters) == sorted(["erased", str(bob.user.id)])

    after = await export(stage, alice)
    assert linked(after) == {}
    assert columns_holding(database, alice.user.id) == set(), "no row anywhere still holds Alice's id"
    assert str(alice.user.id) not in json.dumps({k: v for k, v in after.items() if k != "about"})
    assert linked(await export(stage, bob))["profile"]["group"] == "citizen"

    # A second forget finds nothing left and says so.
    again = await answer(stage, alice, "mydata forget")
    await emu.click(stage.guild, alice, again, confirm)
    nothing = await emu.world.wait_until(
        lambda: again if "Nothing linked to you" in again.content else None, 10, "the empty summary"
    )
    assert not nothing.buttons()


async def test_cancel_erases_nothing(stage: Stage) -> None:
    """Cancel closes the prompt and every row stays."""
    emu, alice = stage.emu, stage.member
    await emu.wait_for_commands(stage.guild, {"mydata", "profile"})
    await answer(stage, stage.moderator, "city add", name="Riga", country="LV")
    await answer(stage, alice, "profile set", group="citizen", city="Riga")
    prompt = await answer(stage, alice, "mydata forget")
    await emu.click(stage.guild, alice, prompt, f"admin:forget-cancel:{alice.user.id}")
    await emu.world.wait_until(lambda: prompt if "Cancelled" in prompt.content else None, 5, "the cancel")
    assert not prompt.buttons()
    assert profile_rows(stage.settings.storage.database_path, alice.user.id) == 1
    assert (await export(stage, alice))["profile"]["group"] == "citizen"


@pytest.mark.parametrize("command", ["mydata export", "mydata forget"])
async def test_everyone_can_use_mydata_even_with_nothing_stored(stage: Stage, command: str) -> None:
    """A member who never used the bot gets an empty export, or a prompt saying what would go."""
    await stage.emu.wait_for_commands(stage.guild, {"mydata"})
    reply = await answer(stage, stage.quiet, command)
    assert reply.ephemeral
    if command == "mydata export":
        assert "nothing linked to you" in reply.content and reply.attachments
    else:
        assert "none stored" in reply.content and reply.buttons()


async def test_forget_again_finishes_an_erasure_cut_short(stage: Stage) -> None:
    """Rows erased but the bot stopped before taking the city role back: forget again takes it."""
    emu, alice = stage.emu, stage.member
    await emu.wait_for_commands(stage.guild, {"mydata", "profile", "city"})
    await answer(stage, stage.moderator, "city add", name="Riga", country="LV")
    await answer(stage, alice, "profile set", group="citizen", city="Riga")
    riga = stage.guild.role("Riga").id
    assert riga in stage.guild.member(alice).role_ids
    assert stage.harness.bot is not None
    # The first erasure deleted the rows and stopped there.
    await stage.harness.bot.repos.profiles.forget_member(stage.guild.id, alice.user.id)

    prompt = await answer(stage, alice, "mydata forget")
    await emu.click(stage.guild, alice, prompt, f"admin:forget:{alice.user.id}")
    summary = await emu.world.wait_until(
        lambda: prompt if "Nothing linked to you" in prompt.content else None, 10, "the summary"
    )
    assert riga not in stage.guild.member(alice).role_ids
    assert "took back the city roles of **Riga**" in summary.content
