"""Citizen proposals end to end: submit, support by many, threshold notice, answers with DMs, progress
to implemented, a restart in the middle, two members at once, bad input, refusals, export."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import zipfile
from typing import Any

from bot.guards import MODERATORS_WITH_ROLE
from bot.i18n import ENGLISH, Catalogs
from sandbox.emulator import Emulator
from sandbox.state import Channel, Member, Message
from tests.e2e.harness import BotHarness, Town

FORM: dict[str, Any] = {
    "title": "Trees on every school yard",
    "proposal": "Plant trees and remove asphalt in school yards.",
    "benefit": "Shade, cooler classrooms and rain water kept in the soil.",
    "licence": True,
}


async def answer(emu: Emulator, town: Town, who: Member, command: str, **options: Any) -> Message:
    """Run a slash command and return the first message the person sees."""
    return await (await emu.slash(town.guild, who, command, options=options)).reply()


async def setup_forum(emu: Emulator, town: Town) -> Channel:
    """Create the proposals forum and choose it with /setup channels, as an administrator would."""
    forum = town.guild.add_forum_channel("proposals")
    reply = await answer(emu, town, town.admin, "setup channels", proposals_forum=forum)
    assert "proposals_forum" in reply.content, reply.content
    return forum


async def submit(emu: Emulator, town: Town, who: Member, values: dict[str, Any], **options: Any) -> Message:
    """Open the proposal form and send it; return the reply."""
    it = await emu.slash(town.guild, who, "proposal submit", options=options)
    modal = await it.wait_modal()
    assert modal["custom_id"].startswith("proposals:submit:")
    done = await emu.submit_modal(town.guild, who, it, values)
    return await done.reply()


def posts_in(town: Town, forum: Channel) -> list[Channel]:
    """The forum's posts, oldest first."""
    return [t for t in town.guild.threads if t.parent_id == forum.id]


def tag_names(forum: Channel, thread: Channel) -> set[str]:
    """Names of the tags applied to a post."""
    names = {int(t["id"]): t["name"] for t in forum.available_tags}
    return {names[t] for t in thread.applied_tags}


async def wait_text(emu: Emulator, message: Message, needle: str) -> None:
    """Wait until a message (content or embeds) shows needle."""
    await emu.world.wait_until(lambda: True if needle in message.text else None, 8, f"{needle!r} on the post")


async def test_whole_loop_with_restart(emulator: Emulator, town: Town, harness: BotHarness) -> None:
    emu, guild = emulator, town.guild
    forum = await setup_forum(emu, town)
    reply = await answer(emu, town, town.moderator, "proposal threshold", count=3)
    assert "3 supporters" in reply.content

    reply = await submit(emu, town, town.member, FORM, theme="nature-based")
    assert reply.ephemeral and "Your proposal #1 is posted" in reply.content
    [post] = posts_in(town, forum)
    assert tag_names(forum, post) == {"Nature-based", "Open"}
    starter = emu.messages_in(post)[0]
    assert f"<@{town.member.id}>" in starter.content and starter.mention_ids == []
    assert starter.allowed_mentions is not None and starter.allowed_mentions.get("parse") == []
    assert "0 supporters" in starter.text and "Plant trees" in starter.text

    # Supports by several members; a double click counts once; the count is repainted (coalesced).
    people = [guild.add_member(f"citizen{i}") for i in range(4)]
    first = await (await emu.click(guild, people[0], starter, "proposals:support:1")).reply()
    assert "You support proposal #1" in first.content
    double = await (await emu.click(guild, people[0], starter, "proposals:support:1")).reply()
    assert "You support proposal #1" in double.content
    await emu.click(guild, people[1], starter, "proposals:support:1")
    await wait_text(emu, starter, "2 supporters")

    # Restart in the middle: the Support button still works.
    await harness.restart()
    await emu.click(guild, people[2], starter, "proposals:support:1")
    notice = await emu.wait_for_message(town.moderation, lambda m: "Proposal #1" in m.content)
    assert "awaits an answer" in notice.content
    await emu.click(guild, people[3], starter, "proposals:support:1")
    await wait_text(emu, starter, "4 supporters")
    await asyncio.sleep(0.2)
    notices = [m for m in emu.messages_in(town.moderation) if "Proposal #1" in m.content]
    assert len(notices) == 1  # told once
    # Withdrawing while open (after the double-click window).
    await asyncio.sleep(1.6)
    gone = await (await emu.click(guild, people[3], starter, "proposals:support:1")).reply()
    assert "withdrew" in gone.content
    await wait_text(emu, starter, "3 supporters")
    assert len(starter.history) <= 6  # coalesced edits, not one per click and restart

    # A non-moderator answering is refused and nothing changes.
    refused = await answer(emu, town, town.member, "proposal answer", id=1, status="accepted")
    assert "for moderators" in refused.content
    # A rejection needs a reason.
    refused = await answer(emu, town, town.moderator, "proposal answer", id=1, status="rejected")
    assert "needs a reason" in refused.content

    # Accepted: thread note, status tag, DMs to author and supporters with a stop button.
    reply = await answer(
        emu, town, town.moderator, "proposal answer", id=1, status="accepted", reason="In the 2027 budget."
    )
    assert "is now **Accepted**" in reply.content and "4 people were told" in reply.content
    assert tag_names(forum, post) == {"Nature-based", "Accepted"}
    assert any("In the 2027 budget." in m.content for m in emu.messages_in(post))
    dm = await emu.wait_for_message(emu.dm_channel_of(people[0]), lambda m: "Accepted" in m.content)
    assert "proposals:stop:" + str(guild.id) in json.dumps(dm.components)
    stopped = await (await emu.click(None, people[0], dm, f"proposals:stop:{guild.id}")).reply()
    assert "no more messages" in stopped.content
    # No more supports once answered: the button is disabled on the post.
    await emu.world.wait_until(
        lambda: True if '"disabled": true' in json.dumps(starter.components) else None, 8, "a disabled button"
    )

    # Progress: bad input stores nothing; 50 %, then 100 % -> implemented.
    bad = await answer(emu, town, town.moderator, "proposal update", id=1, progress=120, note="x")
    assert "0 to 100" in bad.content
    blank = await answer(emu, town, town.moderator, "proposal update", id=1, progress=50, note="\u200b ")
    assert "Nothing was saved" in blank.content
    await answer(emu, town, town.moderator, "proposal update", id=1, progress=50, note="Ten trees planted.")
    await wait_text(emu, starter, "▰▰▰▰▰▱▱▱▱▱")
    reply = await answer(emu, town, town.moderator, "proposal update", id=1, progress=100, note="All done.")
    assert "Implemented" in reply.content and "3 people were told" in reply.content  # one opted out
    assert tag_names(forum, post) == {"Nature-based", "Implemented"}
    assert not [m for m in emu.messages_in(emu.dm_channel_of(people[0])) if "All done." in m.content]
    author_dms = [m.content for m in emu.messages_in(emu.dm_channel_of(town.member))]
    assert any("All done." in text for text in author_dms)

    shown = await answer(emu, town, town.member, "proposal show", id=1)
    timeline = json.dumps(shown.embeds)
    for step in ("submitted", "Accepted", "50", "All done.", "Implemented"):
        assert step in timeline
    choices = await emu.autocomplete(guild, town.member, "proposal show", focused="id", value="school")
    assert [c["value"] for c in choices] == [1]

    # Export: pseudonymous authors, no Discord ids, small counts masked.
    it = await emu.slash(guild, town.moderator, "proposal export", options={"format": "datapackage"})
    exported = await it.reply()
    archive = zipfile.ZipFile(io.BytesIO(exported.attachments[0].data))
    everything = b"".join(archive.read(n) for n in archive.namelist()).decode()
    for person in (town.member, town.moderator, *people):
        assert str(person.id) not in everything
    rows = list(csv.DictReader(io.StringIO(archive.read("data/support.csv").decode())))
    assert rows == [{"proposal_id": "1", "target_group": "", "city": "", "supports": "3"}]
    [exported_row] = csv.DictReader(io.StringIO(archive.read("data/proposals.csv").decode()))
    assert exported_row["author"].startswith("p-")


async def test_two_members_submit_at_once_and_bad_input_stores_nothing(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    emu, guild = emulator, town.guild
    forum = await setup_forum(emu, town)
    other = guild.add_member("bob")
    first = await emu.slash(guild, town.member, "proposal submit", options={"theme": "energy"})
    second = await emu.slash(guild, other, "proposal submit", options={"theme": "mobility"})
    await first.wait_modal()
    await second.wait_modal()
    # Crossed order: the second opened is sent first.
    sent_b = await emu.submit_modal(guild, other, second, {**FORM, "title": "Bike lanes"})
    sent_a = await emu.submit_modal(guild, town.member, first, {**FORM, "title": "Solar roofs"})
    assert "posted" in (await sent_b.reply()).content and "posted" in (await sent_a.reply()).content
    posts = {p.name: p for p in posts_in(town, forum)}
    assert tag_names(forum, posts["Bike lanes"]) == {"Mobility", "Open"}
    assert f"<@{town.member.id}>" in emu.messages_in(posts["Solar roofs"])[0].content
    assert f"<@{other.id}>" in emu.messages_in(posts["Bike lanes"])[0].content

    # Invisible text: refused, the form kept behind "Fix and send again", nothing posted or stored.
    refused = await submit(emu, town, town.member, {**FORM, "title": "\u200b\u200b"})
    assert "Nothing was saved" in refused.content
    assert len(posts_in(town, forum)) == 2
    listing = await answer(emu, town, town.member, "proposal list", sort="newest")
    assert (
        "Solar roofs" in listing.embeds[0]["description"] and "2 items" in listing.embeds[0]["footer"]["text"]
    )
    unknown = await answer(emu, town, town.member, "proposal show", id=99)
    assert "no proposal #99" in unknown.content

    # Withdraw: only the author, only while open.
    refused_w = await answer(emu, town, other, "proposal withdraw", id=2)
    assert "Only the author" in refused_w.content
    done = await answer(emu, town, town.member, "proposal withdraw", id=2)
    assert "Withdrawn" in done.content
    assert tag_names(forum, posts["Solar roofs"]) == {"Energy", "Withdrawn"}


# The post's embed field names, in the order render.post_embed adds them to an open proposal.
POST_FIELDS = ("Expected benefit", "City", "Theme", "Status", "Supporters")


async def test_replies_follow_the_members_locale_and_the_post_the_servers_language(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """A member whose Discord speaks German is refused in German (shipped catalog); the public post is in
    the server's language (French) whatever the author's language."""
    emu, guild = emulator, town.guild
    catalogs = Catalogs()
    german, french = catalogs.lang("de"), catalogs.lang("fr")
    refusal = MODERATORS_WITH_ROLE
    assert german._(refusal, role=1) != ENGLISH._(refusal, role=1), (
        "the German catalog translates the refusal"
    )
    forum = await setup_forum(emu, town)
    assert harness.bot is not None
    await harness.bot.languages.set_guild_language(guild.id, "fr")
    greta = guild.add_member("greta", locale="de")

    refused = await answer(emu, town, greta, "proposal answer", id=1, status="accepted")
    assert refused.ephemeral and refused.content == german._(refusal, role=town.moderators.id)

    reply = await submit(emu, town, town.member, FORM, theme="energy")
    assert "Your proposal #1 is posted" in reply.content  # the author's own language: en-US
    [post] = posts_in(town, forum)
    starter = emu.messages_in(post)[0]
    assert starter.content == french._("Proposal #{id} by {author}", id=1, author=f"<@{town.member.id}>")
    names = [f["name"] for f in starter.embeds[0]["fields"]]
    # Each heading in the server's language (a heading its catalog lacks yet shows in English).
    assert names == [french._(name) for name in POST_FIELDS]
    assert names[:4] == ["Bénéfice attendu", "Ville", "Thème", "État"], "the shipped French headings"
    assert starter.buttons()[0]["label"] == french._("Support")
