"""A proposal whose forum post was deleted on Discord: /proposal show and the export still read it, and
supports, answers, repaints and erasures that touch it do not fail (the app_log fixture fails the test
on any error climabot logs)."""

from __future__ import annotations

import asyncio
import csv
import io
import json

from sandbox.emulator import Emulator
from sandbox.guild import Guild
from sandbox.state import Channel
from tests.e2e.harness import BotHarness, Town
from tests.e2e.test_proposals_journey import FORM, answer, posts_in, setup_forum, submit, wait_text


def delete_thread(emu: Emulator, guild: Guild, thread: Channel) -> None:
    """Delete a forum post as a moderator would in Discord's client (THREAD_DELETE; its messages go)."""
    emu.world.channels.pop(thread.id, None)
    guild.channels.pop(thread.id, None)
    emu.world.notify()
    emu.world.events.channel_deleted(thread)


async def test_a_deleted_post_leaves_the_proposal_readable_and_nothing_fails(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    emu, guild = emulator, town.guild
    forum = await setup_forum(emu, town)
    await submit(emu, town, town.member, {**FORM, "title": "Starter deleted"}, theme="energy")
    await submit(emu, town, town.member, {**FORM, "title": "Thread deleted"}, theme="mobility")
    posts = {p.name: p for p in posts_in(town, forum)}
    starters = {name: emu.messages_in(post)[0] for name, post in posts.items()}
    people = [guild.add_member(f"citizen{i}") for i in range(2)]

    # Proposal 1: its first message is deleted (the thread stays).
    await emu.click(guild, people[0], starters["Starter deleted"], "proposals:support:1")
    await wait_text(emu, starters["Starter deleted"], "1 supporter")
    emu.delete_message(starters["Starter deleted"])
    # Proposal 2: two quick supports; the second repaint waits for the edit interval, and the whole
    # post is deleted before it runs.
    for person in people:
        done = await (
            await emu.click(guild, person, starters["Thread deleted"], "proposals:support:2")
        ).reply()
        assert "You support proposal #2" in done.content
    thread, starter = posts["Thread deleted"], starters["Thread deleted"]
    # The first repaint starts at once; wait until it reached Discord, so that only the delayed one meets
    # the deleted post (a fast Support click can answer both clicks before the first edit is sent).
    edit = rf"^/channels/{thread.id}/messages/{starter.id}$"
    await emu.world.wait_until(
        lambda: emu.count_requests("PATCH", edit, 200) or None, 5.0, "the first repaint"
    )
    delete_thread(emu, guild, thread)
    await asyncio.sleep(2.5)  # the delayed repaint has run against the deleted post
    assert emu.count_requests("PATCH", edit, 404) == 1

    # Answers and progress still work: stored, confirmed, DMs sent; the thread note is skipped.
    accepted = await answer(
        emu, town, town.moderator, "proposal answer", id=2, status="accepted", reason="Yes."
    )
    assert "Proposal #2 is now **Accepted**" in accepted.content and "3 people were told" in accepted.content
    progress = await answer(
        emu, town, town.moderator, "proposal update", id=2, progress=40, note="Lanes drawn."
    )
    assert "Proposal #2 is now **Accepted**" in progress.content
    rejected = await answer(
        emu, town, town.moderator, "proposal answer", id=1, status="rejected", reason="No budget."
    )
    assert "Proposal #1 is now **Rejected**" in rejected.content
    assert any("No budget." in m.content for m in emu.messages_in(posts["Starter deleted"]))
    await asyncio.sleep(0.3)

    # /proposal show reads both from the database, with their whole timeline.
    for number, title, steps in (
        (1, "Starter deleted", ("No budget.",)),
        (2, "Thread deleted", ("Lanes drawn.", "40")),
    ):
        shown = await answer(emu, town, town.member, "proposal show", id=number)
        text = json.dumps(shown.embeds, ensure_ascii=False)
        assert title in text and "submitted" in text and all(step in text for step in steps)

    # The export holds both, with their supports and history.
    exported = await (
        await emu.slash(guild, town.moderator, "proposal export", options={"format": "csv"})
    ).reply()
    rows = {r["title"]: r for r in csv.DictReader(io.StringIO(exported.attachments[0].data.decode()))}
    assert (rows["Starter deleted"]["status"], rows["Starter deleted"]["supports"]) == ("rejected", "1")
    assert (rows["Thread deleted"]["status"], rows["Thread deleted"]["progress"]) == ("accepted", "40")
    assert rows["Thread deleted"]["supports"] == "2"

    # A supporter erases their data: the repaints of both deleted posts fail quietly.
    prompt = await answer(emu, town, people[0], "mydata forget")
    assert "• 2 supports of proposals" in prompt.content
    await emu.click(guild, people[0], prompt, f"admin:forget:{people[0].id}")
    await emu.world.wait_until(
        lambda: prompt if "Done." in prompt.content else None, 10, "the erasure summary"
    )
    await asyncio.sleep(2.5)
    first = starters["Starter deleted"]
    assert emu.count_requests("PATCH", rf"/messages/{first.id}$", 404) >= 2  # the answer's and the erasure's
    assert harness.bot is not None
    gone = await harness.bot.repos.proposals.get(2, guild_id=guild.id)
    assert gone is not None and gone.supports == 1
