"""What mutual learning keeps about a member, exported and erased through its member-data holders."""

from __future__ import annotations

from typing import Any

import discord

from bot.client import ClimaBot
from bot.member_data import Erasure, MemberDataHolder
from sandbox.emulator import Emulator
from sandbox.state import Member, Message
from storage.exchange import ERASED_AUTHOR
from storage.member_data import merge_sections
from tests.e2e.harness import BotHarness, Town

COGS = ("Profiles", "Cities", "Twins", "Exchange")
SECTIONS = ("profile", "city_memberships", "twin_threads", "exchanges_asked", "lessons_written")


def holders(bot: ClimaBot) -> list[MemberDataHolder]:
    """This capability's holders, in erasure order."""
    found = []
    for name in COGS:
        cog = bot.get_cog(name)
        assert cog is not None, name
        holder = cog.member_data()  # type: ignore[attr-defined]
        assert holder is not None and name in bot.member_data.names()
        found.append(holder)
    return sorted(found, key=lambda h: h.erase_order)


async def erase(bot: ClimaBot, member: discord.Member) -> Erasure:
    """Erase the member's data in every holder of this capability, in order."""
    total = Erasure()
    for holder in holders(bot):
        total.add(await holder.erase_member_data(member))
    return total


async def say(emu: Emulator, town: Town, who: Member, command: str, **options: Any) -> Message:
    """Run a slash command in the town and return the first message the person sees."""
    return await (await emu.slash(town.guild, who, command, options=options)).reply()


async def test_export_matches_the_document_and_erasure_takes_roles_threads_and_unlinks_text(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    emu, guild, alice = emulator, town.guild, town.member
    bot = harness.bot
    assert bot is not None
    bob = guild.add_member("bob")
    for name in ("Lyon", "Riga", "Oslo"):
        await bot.repos.cities.add(guild.id, name, "FR", mission_city=True, created_by=town.moderator.id)
    assert (
        "Profile updated"
        in (await say(emu, town, alice, "profile set", group="researcher", city="Lyon")).content
    )
    await say(emu, town, alice, "city join", name="Riga")
    await say(emu, town, bob, "city join", name="Oslo")
    await say(emu, town, town.moderator, "twin create", city_a="Lyon", city_b="Oslo")
    thread = guild.channel("Twinning: Lyon ↔ Oslo")
    assert alice.id in thread.member_ids
    await say(
        emu, town, alice, "exchange ask", title="Bus lanes", question="How to enforce?", theme="mobility"
    )
    post = guild.channel("Bus lanes")
    form = await emu.slash(guild, alice, "exchange resolve", channel=post)
    await form.wait_modal()
    await (await emu.submit_modal(guild, alice, form, {"worked": "Cameras at junctions."})).reply()
    # A moderator gave Alice Oslo's role by hand: she holds it without being a member.
    oslo = guild.role("Oslo")
    guild.give_role(alice, oslo)
    city_roles = {guild.role(n).id for n in ("Lyon", "Riga", "Oslo")}
    # Export: the sections the /mydata document describes (merge_sections refuses unknown ones).
    mine = merge_sections([await h.export_member_data(guild.id, alice.id) for h in holders(bot)])
    assert [key for key in mine if key != "moderator_actions"] == list(SECTIONS)
    assert mine["profile"]["group"] == "researcher" and mine["profile"]["home_city"]["name"] == "Lyon"
    assert [c["name"] for c in mine["city_memberships"]] == ["Lyon", "Riga"]
    assert [t["cities"] for t in mine["twin_threads"]] == [["Lyon", "Oslo"]]
    assert [(e["title"], e["question"], e["status"]) for e in mine["exchanges_asked"]] == [
        ("Bus lanes", "How to enforce?", "resolved")
    ]
    assert [x["what_worked"] for x in mine["lessons_written"]] == ["Cameras at junctions."]
    exported = merge_sections([await h.export_member_data(guild.id, town.moderator.id) for h in holders(bot)])
    assert len(exported["moderator_actions"]["cities_registered"]) == 3
    assert len(exported["moderator_actions"]["twinnings_created"]) == 1

    # Erase: profile before cities; roles (also the stale one) and the twin thread go; text stays.
    server = bot.get_guild(guild.id)
    assert server is not None
    member = await server.fetch_member(alice.id)
    assert oslo.id in {role.id for role in member.roles}
    done = await erase(bot, member)
    assert done.counts == {
        "profile": 1,
        "city_memberships": 2,
        "exchanges_unlinked": 1,
        "lessons_unlinked": 1,
    }
    assert any("took back the city roles of **Oslo**" in note for note in done.notes)
    assert not city_roles & set(guild.member(alice).role_ids)
    assert alice.id not in thread.member_ids and bob.id in thread.member_ids
    assert await bot.repos.profiles.get(guild.id, alice.id) is None
    assert await bot.repos.cities.cities_of(guild.id, alice.id) == []
    exchange = await bot.repos.exchanges.by_thread(post.id)
    assert (
        exchange is not None
        and exchange.author_id == ERASED_AUTHOR
        and exchange.question == "How to enforce?"
    )
    lesson = await bot.repos.exchanges.lesson(exchange.id)
    assert (
        lesson is not None
        and lesson.author_id == ERASED_AUTHOR
        and lesson.what_worked == "Cameras at junctions."
    )
    after = merge_sections([await h.export_member_data(guild.id, alice.id) for h in holders(bot)])
    assert after["profile"] is None and all(after[key] == [] for key in SECTIONS[1:])

    # Idempotent: a second erasure finds nothing left.
    again = await erase(bot, await server.fetch_member(alice.id))
    assert not any(again.counts.values()) and again.notes == []
