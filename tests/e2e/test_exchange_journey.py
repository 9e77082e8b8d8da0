"""Mutual learning end to end: cities, roles, a question in the forum, its lesson, search, restarts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from bot.client import ClimaBot
from tests.e2e.harness import BotHarness, Town
from tests.emulator import perms
from tests.emulator.emulator import Emulator
from tests.emulator.guild import Guild
from tests.emulator.state import Channel, Member, Message


@dataclass
class Net:
    """The standard test server seen from the exchange capability, with a second member and the bot."""

    emu: Emulator
    town: Town
    harness: BotHarness
    neighbour: Member

    @property
    def guild(self) -> Guild:
        """The server."""
        return self.town.guild

    @property
    def bot(self) -> ClimaBot:
        """The running bot."""
        assert self.harness.bot is not None
        return self.harness.bot

    async def run(self, who: Member, command: str, *, channel: Channel | None = None, **options: Any):
        """Run a slash command and return the interaction record."""
        return await self.emu.slash(self.guild, who, command, channel=channel, options=options)

    async def reply(
        self, who: Member, command: str, *, channel: Channel | None = None, **options: Any
    ) -> Message:
        """Run a slash command and return the first message the person sees."""
        return await (await self.run(who, command, channel=channel, **options)).reply()


@pytest.fixture
def net(emulator: Emulator, town: Town, harness: BotHarness) -> Net:
    """The running bot on the standard server, plus a member of a second city."""
    return Net(emulator, town, harness, town.guild.add_member("neighbour"))


async def add_cities(net: Net, *cities: tuple[str, str]) -> None:
    """Register cities as the moderator."""
    for name, country in cities:
        reply = await net.reply(net.town.moderator, "city add", name=name, country=country, mission_city=True)
        assert "Registered" in reply.content, reply.content


def tag_names(forum: Channel, thread: Channel) -> set[str]:
    """Return the names of the tags applied to a forum post."""
    names = {int(t["id"]): t["name"] for t in forum.available_tags}
    return {names[t] for t in thread.applied_tags}


async def test_whole_journey_from_city_to_lesson_found_by_search(net: Net) -> None:
    emu = net.emu
    # The forum already has a tag of its own, which the bot must keep.
    net.town.exchange.available_tags.append(emu.world.new_tag("Off topic"))
    await add_cities(net, ("Lyon", "FR"), ("Riga", "Latvia"), ("Valencia", "ES"))

    # Autocomplete offers registered cities by what was typed.
    choices = await emu.autocomplete(net.guild, net.town.member, "city join", focused="name", value="ly")
    assert [c["value"] for c in choices] == ["Lyon"]

    # Joining gives the city's role, created on the first join.
    reply = await net.reply(net.town.member, "city join", name="Lyon")
    assert reply.ephemeral and "You joined **Lyon**" in reply.content
    lyon_role = net.guild.role("Lyon")
    assert lyon_role.mentionable and lyon_role.id in net.guild.member(net.town.member).role_ids
    await net.reply(net.neighbour, "city join", name="riga")
    riga_role = net.guild.role("Riga")
    assert riga_role.id in net.guild.member(net.neighbour).role_ids

    # The asker's profile: target group and home city.
    reply = await net.reply(net.town.admin, "profile set", group="policy-maker", city="Valencia")
    assert "Profile updated" in reply.content
    reply = await net.reply(net.town.admin, "profile show")
    fields = {f["name"]: f["value"] for f in reply.embeds[0]["fields"]}
    assert fields["Group"] == "policy-maker" and fields["Home city"] == "Valencia"

    listing = await net.reply(net.town.member, "city list")
    assert (
        "**Lyon**" in listing.embeds[0]["description"] and "3 cities" in listing.embeds[0]["footer"]["text"]
    )
    listing = await net.reply(net.town.member, "city list", country="Latvia")
    assert "Riga" in listing.embeds[0]["description"] and "Lyon" not in listing.embeds[0]["description"]

    # Asking Lyon: a forum post with the theme tag that pings Lyon's role and nothing else.
    it = await net.run(
        net.town.admin,
        "exchange ask",
        title="Separate collection of food waste",
        question=f"How did you get households to separate food waste? @everyone <@&{riga_role.id}>",
        theme="waste-circularity",
        cities="Lyon",
    )
    reply = await it.reply()
    assert reply.ephemeral and "Your question is posted" in reply.content
    post = net.guild.channel("Separate collection of food waste")
    assert post.parent_id == net.town.exchange.id and post.auto_archive_duration == 10080
    assert tag_names(net.town.exchange, post) == {"Waste & circularity"}
    assert {t["name"] for t in net.town.exchange.available_tags} >= {
        "Energy",
        "Mobility",
        "Resolved",
        "Off topic",
    }
    starter = emu.messages_in(post)[0]
    assert starter.allowed_mentions is not None
    assert starter.allowed_mentions.get("parse") == []
    assert [int(r) for r in starter.allowed_mentions.get("roles", [])] == [lyon_role.id]
    assert starter.mention_role_ids == [lyon_role.id] and not starter.mention_everyone
    assert "Valencia" in starter.content and f"<@&{lyon_role.id}>" in starter.content
    assert net.town.admin.id in post.member_ids

    listing = await net.reply(net.town.member, "exchange list", city="Lyon", status="open")
    assert f"/{net.guild.id}/{post.id}" in listing.embeds[0]["description"]
    listing = await net.reply(net.town.member, "exchange list", theme="energy")
    assert "No exchange matches" in listing.embeds[0]["description"]

    # Discord archives idle threads; an open exchange's post is woken up again.
    post.archived = True
    emu.world.events.channel_updated(post)
    await emu.world.wait_until(lambda: True if not post.archived else None, 5, "the post to be un-archived")

    # A restart between asking and resolving changes nothing.
    await net.harness.restart()

    # Only the asker or a moderator may resolve.
    it = await net.run(net.town.member, "exchange resolve", channel=post)
    assert "Only the person who asked" in (await it.reply()).content

    it = await net.run(net.town.admin, "exchange resolve", channel=post)
    modal = await it.wait_modal()
    assert modal["custom_id"].startswith("exchange:resolve:")
    done = await emu.submit_modal(
        net.guild,
        net.town.admin,
        it,
        {
            "worked": "Free kitchen caddies and weekly kerbside collection doubled participation.",
            "did_not": "Leaflets alone.",
            "contact": "Lyon waste department",
        },
    )
    lesson = await done.reply()
    assert not lesson.ephemeral and lesson.channel_id == post.id
    assert lesson.embeds[0]["fields"][0]["value"].startswith("Free kitchen caddies")
    await emu.world.wait_until(
        lambda: True if "Resolved" in tag_names(net.town.exchange, post) else None, 5, "the resolved tag"
    )
    assert tag_names(net.town.exchange, post) == {"Waste & circularity", "Resolved"}

    # A resolved post may archive like any other.
    it = await net.run(net.town.admin, "exchange resolve", channel=post)
    assert "already resolved" in (await it.reply()).content

    # Search finds it by a word that is only in the lesson, with a highlighted snippet and a link.
    reply = await net.reply(net.neighbour, "lessons search", query="caddies")
    text = reply.embeds[0]["description"]
    assert f"https://discord.com/channels/{net.guild.id}/{post.id}" in text
    assert "**caddies**" in text.lower() and "lesson" in text
    reply = await net.reply(net.neighbour, "lessons search", query="caddies", theme="energy")
    assert "Nothing matches" in reply.content
    reply = await net.reply(net.neighbour, "lessons search", query='"caddies" OR (', city="Lyon")
    assert f"/{post.id}" in reply.embeds[0]["description"]

    info = await net.reply(net.town.member, "city info", name="lyon")
    values = {f["name"]: f["value"] for f in info.embeds[0]["fields"]}
    assert values["Exchanges"].startswith("0 open · 1 resolved · 1 lessons")
    assert f"<@{net.town.member.id}>" in values["Members (1)"]


async def test_leaving_a_city_removes_its_role(net: Net) -> None:
    await add_cities(net, ("Lyon", "FR"))
    await net.reply(net.town.member, "city join", name="Lyon")
    role = net.guild.role("Lyon")
    choices = await net.emu.autocomplete(net.guild, net.town.member, "city leave", focused="name", value="")
    assert [c["value"] for c in choices] == ["Lyon"]
    reply = await net.reply(net.town.member, "city leave", name="Lyon")
    assert "You left **Lyon**" in reply.content
    assert role.id not in net.guild.member(net.town.member).role_ids
    reply = await net.reply(net.town.member, "city leave", name="Lyon")
    assert "do not belong" in reply.content


async def test_city_list_pages_with_persistent_buttons(net: Net) -> None:
    names = [f"City {i:02d}" for i in range(20)]
    await add_cities(net, *[(n, "FI") for n in names])
    reply = await net.reply(net.town.member, "city list")
    assert "City 00" in reply.embeds[0]["description"] and "City 19" not in reply.embeds[0]["description"]
    await net.harness.restart()
    it = await net.emu.click(net.guild, net.town.member, reply, "exchange:cities:1:-")
    await it.responded()
    assert "City 19" in reply.embeds[0]["description"]
    assert [b["custom_id"] for b in reply.buttons()] == ["exchange:cities:0:-"]


async def test_bad_inputs_get_clear_errors_and_create_nothing(net: Net) -> None:
    await add_cities(net, ("Lyon", "FR"))
    reply = await net.reply(net.town.moderator, "city add", name="LYON", country="FR")
    assert reply.ephemeral and "**Lyon** is already registered" in reply.content
    reply = await net.reply(net.town.moderator, "city add", name="Oslo", country="Atlantis")
    assert "not a country" in reply.content
    reply = await net.reply(net.town.moderator, "city add", name="Oslo; Bergen", country="NO")
    assert "cannot contain" in reply.content
    reply = await net.reply(net.town.member, "city add", name="Oslo", country="NO")
    assert "for moderators" in reply.content
    reply = await net.reply(net.town.member, "city join", name="Lyom")
    assert "Did you mean **Lyon**" in reply.content

    base = {"question": "What worked?", "theme": "energy"}
    reply = await net.reply(net.town.member, "exchange ask", title="Heat", cities="Lyon, Lion", **base)
    assert "`Lion`" in reply.content and "Did you mean **Lyon**" in reply.content
    reply = await net.reply(net.town.member, "exchange ask", title="x" * 101, **base)
    assert "1 to 100 characters" in reply.content
    reply = await net.reply(
        net.town.member, "exchange ask", title="Heat", question="q" * 1990, theme="energy"
    )
    assert "Shorten it by" in reply.content
    reply = await net.reply(net.town.member, "exchange resolve", channel=net.town.announcements)
    assert "inside an exchange post" in reply.content and f"<#{net.town.exchange.id}>" in reply.content

    # Discord refuses the post: no exchange is recorded.
    for role in (net.guild.bot_role, net.guild.everyone):
        role.permissions &= ~perms.SEND_MESSAGES
    reply = await net.reply(net.town.member, "exchange ask", title="Heat", **base)
    assert "Nothing was recorded" in reply.content

    assert [t for t in net.guild.threads if t.parent_id == net.town.exchange.id] == []
    assert (await net.bot.repos.exchanges.page(net.guild.id))[1] == 0
    assert [c.name for c in await net.bot.repos.cities.all(net.guild.id)] == ["Lyon"]


async def test_asking_without_a_configured_forum_says_how_to_configure_it(net: Net) -> None:
    await net.bot.repos.guild_settings.set_channels(net.guild.id, exchange_forum=None)
    reply = await net.reply(net.town.member, "exchange ask", title="Heat", question="q?", theme="energy")
    assert reply.ephemeral and "/setup channels exchange_forum:" in reply.content
    assert net.guild.threads == []
    reply = await net.reply(net.town.member, "exchange resolve")
    assert "inside an exchange post" in reply.content
