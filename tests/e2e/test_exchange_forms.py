"""The lesson form bound to one member and one exchange, visible text, and the per-member limits."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.client import ClimaBot
from sandbox.emulator import Emulator
from sandbox.interactions import InteractionRecord
from sandbox.state import Channel, Member, Message
from storage.exchange import Exchange
from tests.e2e.harness import BotHarness, Town

ZERO_WIDTH = "\u200b\u200c\u2060\ufeff"
# Combining accents with nothing to sit on: no zero-width character, and still nothing to read.
COMBINING_ONLY = "\u0301\u0301\u0301"
INVISIBLE = [ZERO_WIDTH, COMBINING_ONLY, " \u200b \u2060 "]


def bot_of(harness: BotHarness) -> ClimaBot:
    """Return the running bot."""
    assert harness.bot is not None
    return harness.bot


async def answer(emu: Emulator, town: Town, who: Member, command: str, **options: Any) -> Message:
    """Run a slash command in the general channel and return the first message the person sees."""
    return await (await emu.slash(town.guild, who, command, options=options)).reply()


async def ask(emu: Emulator, town: Town, who: Member, title: str, **options: Any) -> Message:
    """Ask a question in the exchange forum as someone."""
    return await answer(
        emu,
        town,
        who,
        "exchange ask",
        title=title,
        question=options.pop("question", "How?"),
        theme="energy",
        **options,
    )


async def exchange_of(harness: BotHarness, post: Channel) -> Exchange:
    """The exchange recorded for a forum post."""
    exchange = await bot_of(harness).repos.exchanges.by_thread(post.id)
    assert exchange is not None
    return exchange


async def open_resolve(emu: Emulator, town: Town, who: Member, post: Channel) -> InteractionRecord:
    """Run /exchange resolve inside a post and wait for the lesson form."""
    it = await emu.slash(town.guild, who, "exchange resolve", channel=post)
    await it.wait_modal()
    return it


def posts_in(town: Town) -> list[Channel]:
    """The posts (threads) of the exchange forum."""
    return [t for t in town.guild.threads if t.parent_id == town.exchange.id]


async def test_two_members_resolve_two_exchanges_at_once_each_lesson_on_its_own(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """A and B open lesson forms for their own exchanges together and send them in crossed order."""
    emu, alice = emulator, town.member
    bob = town.guild.add_member("bob")
    await ask(emu, town, alice, "Bus lanes")
    await ask(emu, town, bob, "Heat pumps")
    post_a, post_b = town.guild.channel("Bus lanes"), town.guild.channel("Heat pumps")
    form_a, form_b = await asyncio.gather(
        open_resolve(emu, town, alice, post_a), open_resolve(emu, town, bob, post_b)
    )
    assert form_a.modal is not None and form_b.modal is not None
    assert form_a.modal["custom_id"] != form_b.modal["custom_id"]

    done_b = await (await emu.submit_modal(town.guild, bob, form_b, {"worked": "Lesson of B"})).reply()
    done_a = await (
        await emu.submit_modal(town.guild, alice, form_a, {"worked": "Lesson of A", "contact": "Lyon"})
    ).reply()

    assert done_a.channel_id == post_a.id and done_a.embeds[0]["fields"][0]["value"] == "Lesson of A"
    assert done_b.channel_id == post_b.id and done_b.embeds[0]["fields"][0]["value"] == "Lesson of B"
    repos = bot_of(harness).repos
    lesson_a = await repos.exchanges.lesson((await exchange_of(harness, post_a)).id)
    lesson_b = await repos.exchanges.lesson((await exchange_of(harness, post_b)).id)
    assert lesson_a is not None and (lesson_a.author_id, lesson_a.what_worked, lesson_a.contact) == (
        alice.id,
        "Lesson of A",
        "Lyon",
    )
    assert lesson_b is not None and (lesson_b.author_id, lesson_b.what_worked) == (bob.id, "Lesson of B")


async def test_a_lesson_form_sent_after_a_restart_completes(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """The form's exchange is in the database, so the asker's form still lands after a restart."""
    await ask(emulator, town, town.member, "Bus lanes")
    post = town.guild.channel("Bus lanes")
    form = await open_resolve(emulator, town, town.member, post)
    await harness.restart()
    done = await (
        await emulator.submit_modal(town.guild, town.member, form, {"worked": "Camera enforcement."})
    ).reply()
    assert done.channel_id == post.id and not done.ephemeral
    lesson = await bot_of(harness).repos.exchanges.lesson((await exchange_of(harness, post)).id)
    assert lesson is not None and lesson.what_worked == "Camera enforcement."


async def test_a_lesson_form_opened_by_an_older_version_still_completes(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Before forms had tokens the form's custom_id held the exchange; such a form is still taken."""
    await ask(emulator, town, town.member, "Bus lanes")
    post = town.guild.channel("Bus lanes")
    exchange = await exchange_of(harness, post)
    form = await open_resolve(emulator, town, town.member, post)
    assert form.modal is not None
    form.modal["custom_id"] = f"exchange:resolve:{exchange.id}"
    done = await (await emulator.submit_modal(town.guild, town.member, form, {"worked": "Paint."})).reply()
    assert done.channel_id == post.id
    lesson = await bot_of(harness).repos.exchanges.lesson(exchange.id)
    assert lesson is not None and lesson.what_worked == "Paint."


async def test_an_invisible_lesson_is_refused_then_fixed_after_a_restart(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Zero-width text is no lesson: nothing is stored, and the form comes back filled in to fix."""
    await ask(emulator, town, town.member, "Bus lanes")
    post = town.guild.channel("Bus lanes")
    form = await open_resolve(emulator, town, town.member, post)
    refusal = await (
        await emulator.submit_modal(
            town.guild, town.member, form, {"worked": ZERO_WIDTH, "did_not": "Leaflets"}
        )
    ).reply()
    assert refusal.ephemeral and "only invisible characters" in refusal.content
    exchange = await exchange_of(harness, post)
    assert exchange.is_open and await bot_of(harness).repos.exchanges.lesson(exchange.id) is None

    await harness.restart()
    (button,) = refusal.buttons()
    retry = await emulator.click(town.guild, town.member, refusal, button["custom_id"])
    modal = await retry.wait_modal()
    assert "Leaflets" in str(modal)
    await (await emulator.submit_modal(town.guild, town.member, retry, {"worked": "Cameras"})).reply()
    lesson = await bot_of(harness).repos.exchanges.lesson(exchange.id)
    assert lesson is not None and lesson.what_worked == "Cameras"


async def test_only_the_asker_or_a_moderator_gets_the_lesson_form(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Another member is refused before any form opens."""
    await ask(emulator, town, town.member, "Bus lanes")
    post = town.guild.channel("Bus lanes")
    other = town.guild.add_member("bob")
    it = await emulator.slash(town.guild, other, "exchange resolve", channel=post)
    reply = await it.reply()
    assert it.modal is None and "Only the person who asked" in reply.content


@pytest.mark.parametrize("invisible", INVISIBLE)
async def test_invisible_titles_questions_and_city_names_store_nothing(
    emulator: Emulator, town: Town, harness: BotHarness, invisible: str
) -> None:
    """Text that shows nothing is refused with a clear message; no post, exchange or city is made."""
    emu = emulator
    reply = await ask(emu, town, town.member, invisible)
    assert reply.ephemeral and "title is empty or only invisible characters" in reply.content
    reply = await ask(emu, town, town.member, "Heat", question=invisible)
    assert reply.ephemeral and "question is empty or only invisible characters" in reply.content
    reply = await answer(emu, town, town.moderator, "city add", name=invisible, country="FR")
    assert reply.ephemeral and "city name is empty or only invisible characters" in reply.content
    reply = await answer(emu, town, town.member, "lessons search", query=invisible)
    assert reply.ephemeral and "only invisible characters" in reply.content

    repos = bot_of(harness).repos
    assert posts_in(town) == []
    assert (await repos.exchanges.page(town.guild.id))[1] == 0
    assert await repos.cities.all(town.guild.id) == []


async def test_questions_per_day_is_a_limit_per_member(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Past `limits.questions_per_day` a member's question is refused and nothing is posted or stored."""
    bot_of(harness).settings.limits.questions_per_day = 2
    for title in ("First", "Second"):
        assert "Your question is posted" in (await ask(emulator, town, town.member, title)).content
    reply = await ask(emulator, town, town.member, "Third")
    assert reply.ephemeral and "2 questions in the last 24 hours" in reply.content
    assert [p.name for p in posts_in(town)] == ["First", "Second"]
    assert (await bot_of(harness).repos.exchanges.page(town.guild.id))[1] == 2
    # The limit is each member's own.
    assert "Your question is posted" in (await ask(emulator, town, town.moderator, "Fourth")).content


async def test_questions_sent_together_cannot_pass_the_daily_limit(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """With one question left, two sent at once make one exchange; the other post is taken down."""
    bot_of(harness).settings.limits.questions_per_day = 1
    replies = await asyncio.gather(
        ask(emulator, town, town.member, "One"), ask(emulator, town, town.member, "Two")
    )
    assert sorted("Your question is posted" in r.content for r in replies) == [False, True]
    assert any("1 question in the last 24 hours" in r.content for r in replies)
    assert (await bot_of(harness).repos.exchanges.page(town.guild.id))[1] == 1
    # Usually both pass the first check and both posts are made; the record of the second is refused
    # in its transaction and its post is deleted again.
    assert len(posts_in(town)) == 1


async def test_cities_per_question_limits_the_city_roles_one_question_pings(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Naming more cities than `limits.cities_per_question` is refused before anything is posted."""
    bot = bot_of(harness)
    bot.settings.limits.cities_per_question = 2
    for name in ("Lyon", "Riga", "Oslo"):
        await bot.repos.cities.add(town.guild.id, name, "FR", mission_city=True, created_by=None)
    reply = await ask(emulator, town, town.member, "Heat", cities="Lyon, Riga, Oslo")
    assert reply.ephemeral and "at most 2 cities" in reply.content and "you named 3" in reply.content
    assert posts_in(town) == [] and (await bot.repos.exchanges.page(town.guild.id))[1] == 0
    reply = await ask(emulator, town, town.member, "Heat", cities="Lyon, Riga")
    assert "Your question is posted" in reply.content
