"""`/proposal withdraw id erase:True`: the author erases a proposal's texts and its post; others cannot,
an answered proposal cannot be erased this way, the number and history stay."""

from __future__ import annotations

import csv
import io
import json

from sandbox.emulator import Emulator
from storage.proposal_records import ERASED
from tests.e2e.harness import BotHarness, Town
from tests.e2e.test_proposals_journey import FORM, answer, posts_in, setup_forum, submit


async def test_the_author_erases_text_and_post_others_cannot(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    emu, guild = emulator, town.guild
    forum = await setup_forum(emu, town)
    other = guild.add_member("bob")
    await submit(emu, town, town.member, FORM)
    await submit(emu, town, town.member, {**FORM, "title": "Solar roofs"})
    await submit(emu, town, town.member, {**FORM, "title": "Bike lanes"})
    assert len(posts_in(town, forum)) == 3

    refused = await answer(emu, town, other, "proposal withdraw", id=1, erase=True)
    assert "Only the author" in refused.content
    done = await answer(emu, town, town.member, "proposal withdraw", id=1, erase=True)
    assert done.ephemeral and "Proposal #1 is withdrawn and erased." in done.content
    assert sorted(p.name for p in posts_in(town, forum)) == ["Bike lanes", "Solar roofs"]
    assert harness.bot is not None
    stored = await harness.bot.repos.proposals.get(1, guild_id=guild.id)
    assert stored is not None and stored.status == "withdrawn" and stored.thread_id is None
    assert (stored.title, stored.body, stored.benefit) == (ERASED, ERASED, ERASED)

    shown = json.dumps((await answer(emu, town, town.member, "proposal show", id=1)).embeds)
    assert "(erased by its author)" in shown and "Plant trees" not in shown and "withdrawn" in shown

    # Already withdrawn: may still be erased. Answered: refused, text kept.
    await answer(emu, town, town.member, "proposal withdraw", id=2)
    again = await answer(emu, town, town.member, "proposal withdraw", id=2, erase=True)
    assert "withdrawn and erased" in again.content
    await answer(emu, town, town.moderator, "proposal answer", id=3, status="accepted")
    kept = await answer(emu, town, town.member, "proposal withdraw", id=3, erase=True)
    assert "only an open proposal" in kept.content
    assert [p.name for p in posts_in(town, forum)] == ["Bike lanes"]

    it = await emu.slash(guild, town.moderator, "proposal export", options={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO((await it.reply()).attachments[0].data.decode())))
    assert [(r["id"], r["title"], r["proposal"], r["status"]) for r in rows] == [
        ("1", "", "", "withdrawn"),
        ("2", "", "", "withdrawn"),
        ("3", "Bike lanes", FORM["proposal"], "accepted"),
    ]
