"""Mutual learning end to end: cities, roles, a question in the forum, its lesson, search, restarts."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from bot.client import ClimaBot
from sandbox import perms
from sandbox.emulator import Emulator
from sandbox.state import Channel, Member, Message
from tests.e2e.harness import BotHarness, Town


def bot_of(harness: BotHarness) -> ClimaBot:
    """Return the running bot."""
    assert harness.bot is not None
    return harness.bot


async def answer(
    emu: Emulator, town: Town, who: Member, command: str, *, channel: Channel | None = None, **options: Any
) -> Message:
    """Run a slash command in the town and return the first message the person sees."""
    return await (await emu.slash(town.guild, who, command, channel=channel, options=options)).reply()


async def add_cities(emu: Emulator, town: Town, *cities: tuple[str, str]) -> None:
    """Register cities as the moderator, through /city add."""
    for name, country in cities:
        reply = await answer(
            emu, town, town.moderator, "city add", name=name, country=country, mission_city=True
        )
        assert "Registered" in reply.content, reply.content


def tag_names(forum: Channel, thread: Channel) -> set[str]:
    """Return the names of the tags applied to a forum post."""
    names = {int(t["id"]): t["name"] for t in forum.available_tags}
    return {names[t] for t in thread.applied_tags}


def posts_in(town: Town) -> list[Channel]:
    """Return the posts (threads) of the exchange forum."""
    return [t for t in town.guild.threads if t.parent_id == town.exchange.id]


ASK: dict[str, Any] = {"question": "What worked?", "theme": "energy"}


async def test_whole_journey_from_city_to_lesson_found_by_search(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    emu, guild = emulator, town.guild
    neighbour = guild.add_member("neighbour")
    # The forum already has a tag of its own, which the bot must keep.
    town.exchange.available_tags.append(emu.world.new_tag("Off topic"))
    await add_cities(emu, town, ("Lyon", "FR"), ("Riga", "Latvia"), ("Valencia", "ES"))

    # Autocomplete offers registered cities by what was typed.
    choices = await emu.autocomplete(guild, town.member, "city join", focused="name", value="ly")
    assert [c["value"] for c in choices] == ["Lyon"]

    # Joining gives the city's role, created on the first join.
    reply = await answer(emu, town, town.member, "city join", name="Lyon")
    assert reply.ephemeral and "You joined **Lyon**" in reply.content
    lyon_role = guild.role("Lyon")
    assert lyon_role.mentionable and lyon_role.id in guild.member(town.member).role_ids
    await answer(emu, town, neighbour, "city join", name="riga")
    riga_role = guild.role("Riga")
    assert riga_role.id in guild.member(neighbour).role_ids

    # The asker's profile: target group and home city.
    reply = await answer(emu, town, town.admin, "profile set", group="policy-maker", city="Valencia")
    assert "Profile updated" in reply.content
    reply = await answer(emu, town, town.admin, "profile show")
    fields = {f["name"]: f["value"] for f in reply.embeds[0]["fields"]}
    assert fields["Group"] == "Policy maker" and fields["Home city"] == "Valencia"

    listing = await answer(emu, town, town.member, "city list")
    assert (
        "**Lyon**" in listing.embeds[0]["description"] and "3 cities" in listing.embeds[0]["footer"]["text"]
    )
    listing = await answer(emu, town, town.member, "city list", country="Latvia")
    assert "Riga" in listing.embeds[0]["description"] and "Lyon" not in listing.embeds[0]["description"]

    # Asking Lyon: a forum post with the theme tag that pings Lyon's role and nothing else.
    reply = await answer(
        emu,
        town,
        town.admin,
        "exchange ask",
        title="Separate collection of food waste",
        question=f"How did you get households to separate food waste? @everyone <@&{riga_role.id}>",
        theme="waste-circularity",
        cities="Lyon",
    )
    assert reply.ephemeral and "Your question is posted" in reply.content
    post = guild.channel("Separate collection of food waste")
    assert post.parent_id == town.exchange.id and post.auto_archive_duration == 10080
    assert tag_names(town.exchange, post) == {"Waste & circularity"}
    assert {t["name"] for t in town.exchange.available_tags} >= {
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
    assert town.admin.id in post.member_ids

    listing = await answer(emu, town, town.member, "exchange list", city="Lyon", status="open")
    assert f"/{guild.id}/{post.id}" in listing.embeds[0]["description"]
    listing = await answer(emu, town, town.member, "exchange list", theme="energy")
    assert "No exchange matches" in listing.embeds[0]["description"]

    # Discord archives idle threads; an open exchange's post is woken up again.
    post.archived = True
    emu.world.events.channel_updated(post)
    await emu.world.wait_until(lambda: True if not post.archived else None, 5, "the post to be un-archived")

    # A restart between asking and resolving changes nothing; a post archived while the bot was
    # away is woken when it starts again.
    await harness.stop()
    post.archived = True
    await harness.start()
    await emu.world.wait_until(lambda: True if not post.archived else None, 5, "the start-up sweep")

    # Only the asker or a moderator may resolve.
    reply = await answer(emu, town, town.member, "exchange resolve", channel=post)
    assert "Only the person who asked" in reply.content

    it = await emu.slash(guild, town.admin, "exchange resolve", channel=post)
    modal = await it.wait_modal()
    assert modal["custom_id"].startswith("exchange:resolve:")
    done = await emu.submit_modal(
        guild,
        town.admin,
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
        lambda: True if "Resolved" in tag_names(town.exchange, post) else None, 5, "the resolved tag"
    )
    assert tag_names(town.exchange, post) == {"Waste & circularity", "Resolved"}

    reply = await answer(emu, town, town.admin, "exchange resolve", channel=post)
    assert "already resolved" in reply.content

    # Search finds it by a word that is only in the lesson, with a highlighted snippet and a link.
    reply = await answer(emu, town, neighbour, "lessons search", query="caddies")
    text = reply.embeds[0]["description"]
    assert f"https://discord.com/channels/{guild.id}/{post.id}" in text
    assert "**caddies**" in text.lower() and "lesson" in text
    reply = await answer(emu, town, neighbour, "lessons search", query="caddies", theme="energy")
    assert "Nothing matches" in reply.content
    reply = await answer(emu, town, neighbour, "lessons search", query='"caddies" OR (', city="Lyon")
    assert f"/{post.id}" in reply.embeds[0]["description"]

    info = await answer(emu, town, town.member, "city info", name="lyon")
    values = {f["name"]: f["value"] for f in info.embeds[0]["fields"]}
    assert values["Exchanges"].startswith("0 open · 1 resolved · 1 lesson")
    assert f"<@{town.member.id}>" in values["Members (1)"]


async def test_a_member_belongs_to_several_cities_and_leaving_one_removes_its_role(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    emu, guild = emulator, town.guild
    await add_cities(emu, town, ("Lyon", "FR"), ("Riga", "LV"))
    await answer(emu, town, town.member, "city join", name="Lyon")
    await answer(emu, town, town.member, "city join", name="Riga")
    lyon, riga = guild.role("Lyon"), guild.role("Riga")
    assert {lyon.id, riga.id} <= set(guild.member(town.member).role_ids)
    choices = await emu.autocomplete(guild, town.member, "city leave", focused="name", value="")
    assert [c["value"] for c in choices] == ["Lyon", "Riga"]
    reply = await answer(emu, town, town.member, "city leave", name="Lyon")
    assert "You left **Lyon**" in reply.content
    assert lyon.id not in guild.member(town.member).role_ids
    assert riga.id in guild.member(town.member).role_ids
    reply = await answer(emu, town, town.member, "city leave", name="Lyon")
    assert "do not belong" in reply.content


async def test_joining_works_without_manage_roles_and_says_what_is_missing(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    await add_cities(emulator, town, ("Lyon", "FR"))
    town.guild.bot_role.permissions &= ~perms.MANAGE_ROLES
    reply = await answer(emulator, town, town.member, "city join", name="Lyon")
    assert "You joined **Lyon**" in reply.content and "Manage Roles" in reply.content
    with pytest.raises(KeyError):
        town.guild.role("Lyon")
    bot = bot_of(harness)
    lyon = await bot.repos.cities.find(town.guild.id, "Lyon")
    assert lyon is not None and lyon.role_id is None
    assert await bot.repos.cities.members(lyon.id) == [town.member.id]


async def test_city_list_pages_with_persistent_buttons_and_autocomplete_stays_within_25(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    await add_cities(emulator, town, *[(f"City {i:02d}", "FI") for i in range(30)])
    reply = await answer(emulator, town, town.member, "city list")
    assert "City 00" in reply.embeds[0]["description"] and "City 29" not in reply.embeds[0]["description"]
    await harness.restart()
    it = await emulator.click(town.guild, town.member, reply, "exchange:cities:1:-")
    await it.responded()
    assert "City 29" in reply.embeds[0]["description"]
    # The one paginator of the bot: Previous back to page 0, Next disabled on the last page.
    assert [(b["custom_id"], bool(b.get("disabled"))) for b in reply.buttons()] == [
        ("exchange:cities:0:-", False),
        ("exchange:cities:1:-", True),
    ]

    choices = await emulator.autocomplete(town.guild, town.member, "city info", focused="name", value="city")
    assert len(choices) == 25 and choices[0]["value"] == "City 00"
    choices = await emulator.autocomplete(
        town.guild, town.member, "exchange ask", focused="cities", value="City 00, city 0"
    )
    assert [c["value"] for c in choices] == [f"City 00, City 0{i}" for i in range(1, 10)]


async def test_exchange_list_pages_keep_their_filters_across_a_restart(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    exchanges = bot_of(harness).repos.exchanges
    for n in range(12):
        await exchanges.create(
            guild_id=town.guild.id,
            forum_id=town.exchange.id,
            thread_id=5000 + n,
            author_id=town.member.id,
            from_city_id=None,
            title=f"Question {n:02d}",
            question="q",
            theme="energy" if n != 5 else "mobility",
            city_ids=[],
        )
    reply = await answer(emulator, town, town.member, "exchange list", theme="energy", status="open")
    assert (
        "Question 11" in reply.embeds[0]["description"]
        and "11 exchanges" in reply.embeds[0]["footer"]["text"]
    )
    await harness.restart()
    it = await emulator.click(town.guild, town.member, reply, "exchange:list:1:0:energy:open")
    await it.responded()
    description = reply.embeds[0]["description"]
    assert "Question 00" in description and "Question 05" not in description
    assert [(b["custom_id"], bool(b.get("disabled"))) for b in reply.buttons()] == [
        ("exchange:list:0:0:energy:open", False),
        ("exchange:list:1:0:energy:open", True),
    ]


async def test_bad_inputs_get_clear_errors_and_create_nothing(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    emu, guild = emulator, town.guild
    await add_cities(emu, town, ("Lyon", "FR"))
    reply = await answer(emu, town, town.moderator, "city add", name="LYON", country="FR")
    assert reply.ephemeral and "**Lyon** is already registered" in reply.content
    reply = await answer(emu, town, town.moderator, "city add", name="Oslo", country="Atlantis")
    assert "not a country" in reply.content
    reply = await answer(emu, town, town.moderator, "city add", name="Oslo; Bergen", country="NO")
    assert "cannot contain" in reply.content
    reply = await answer(emu, town, town.member, "city add", name="Oslo", country="NO")
    assert "for moderators" in reply.content
    reply = await answer(emu, town, town.member, "city join", name="Lyom")
    assert "Did you mean **Lyon**" in reply.content
    reply = await answer(emu, town, town.member, "city info", name="L" * 3000)
    assert "No city called" in reply.content and len(reply.content) < 400

    reply = await answer(emu, town, town.member, "exchange ask", title="Heat", cities="Lyon, Lion", **ASK)
    assert "`Lion`" in reply.content and "Did you mean **Lyon**" in reply.content
    reply = await answer(emu, town, town.member, "exchange ask", title="x" * 101, **ASK)
    assert "1 to 100 characters" in reply.content
    reply = await answer(
        emu, town, town.member, "exchange ask", title="Heat", question="q" * 1990, theme="energy"
    )
    assert "Shorten it by" in reply.content
    reply = await answer(emu, town, town.member, "exchange resolve", channel=town.announcements)
    assert "inside an exchange post" in reply.content and f"<#{town.exchange.id}>" in reply.content
    reply = await answer(emu, town, town.member, "lessons search", query="caddies " * 400)
    assert "Nothing matches" in reply.content
    reply = await answer(emu, town, town.member, "lessons search", query='"" ** ()')
    assert "at least one word" in reply.content

    # A forum whose 20 tags leave no room for the theme: the bot says so and posts nothing.
    town.exchange.available_tags[:] = [emu.world.new_tag(f"Tag {i}") for i in range(20)]
    emu.world.events.channel_updated(town.exchange)
    reply = await answer(emu, town, town.member, "exchange ask", title="Heat", **ASK)
    assert "already has 20 tags" in reply.content and "'Energy'" in reply.content
    # A moderator makes room; even if the bot missed that update, it checks Discord's own list.
    town.exchange.available_tags.clear()

    # Discord refuses the post: no exchange is recorded.
    for role in (guild.bot_role, guild.everyone):
        role.permissions &= ~perms.SEND_MESSAGES
    reply = await answer(emu, town, town.member, "exchange ask", title="Heat", **ASK)
    assert "Nothing was recorded" in reply.content

    assert posts_in(town) == []
    bot = bot_of(harness)
    assert (await bot.repos.exchanges.page(guild.id))[1] == 0
    assert [c.name for c in await bot.repos.cities.all(guild.id)] == ["Lyon"]


async def test_a_post_whose_exchange_cannot_be_recorded_is_deleted(
    emulator: Emulator, town: Town, harness: BotHarness, app_log, monkeypatch: pytest.MonkeyPatch
) -> None:
    app_log.allow(r"in /exchange ask")
    exchanges = bot_of(harness).repos.exchanges

    async def disk_full(**_: Any) -> None:
        """Fail like a database that cannot write."""
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(exchanges, "create", disk_full)
    reply = await answer(emulator, town, town.member, "exchange ask", title="Heat", **ASK)
    assert reply.ephemeral and "Something went wrong" in reply.content
    assert emulator.count_requests("POST", rf"^/channels/{town.exchange.id}/threads$", 201) == 1
    assert posts_in(town) == []
    assert (await exchanges.page(town.guild.id))[1] == 0


async def test_asking_without_a_configured_forum_says_how_to_configure_it(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    await bot_of(harness).repos.guild_settings.set_channels(town.guild.id, exchange_forum=None)
    reply = await answer(
        emulator, town, town.member, "exchange ask", title="Heat", question="q?", theme="energy"
    )
    assert reply.ephemeral and "/setup channels exchange_forum:" in reply.content
    assert town.guild.threads == []
    reply = await answer(emulator, town, town.member, "exchange resolve")
    assert "inside an exchange post" in reply.content


async def test_a_moderator_resolves_with_a_form_opened_before_a_restart(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    await answer(emulator, town, town.member, "exchange ask", title="Bus lanes", **ASK)
    post = town.guild.channel("Bus lanes")
    it = await emulator.slash(town.guild, town.moderator, "exchange resolve", channel=post)
    await it.wait_modal()
    # discord.py forgets open forms when it restarts; the cog still takes the answers.
    await harness.restart()
    done = await emulator.submit_modal(town.guild, town.moderator, it, {"worked": "Camera enforcement."})
    lesson = await done.reply()
    assert lesson.channel_id == post.id and [f["name"] for f in lesson.embeds[0]["fields"]] == ["What worked"]
    exchange = await bot_of(harness).repos.exchanges.by_thread(post.id)
    assert exchange is not None and exchange.resolved_by == town.moderator.id
