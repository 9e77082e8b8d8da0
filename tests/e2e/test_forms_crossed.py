"""Forms across servers, restarts and members (issue #10): the testimonial reject form after a restart
and in two servers at once, the lesson form and the calls add and schedule-announcement forms in two
servers at once, and a member who sends another member's form."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.client import ClimaBot
from sandbox.emulator import Emulator
from sandbox.interactions import InteractionRecord
from sandbox.state import Channel, Member, Message
from tests.e2e import test_testimonials_stage as staging
from tests.e2e.harness import BotHarness, Town, bot_settings, build_town, configure_town
from tests.e2e.test_testimonials_stage import Stage

stage = staging.stage

COMMANDS = {"campaign", "testimonial", "exchange", "calls"}
STORY_FIELDS = {"city": "Leuven", "group": "citizen", "usage": "named", "licence": True}


def bot_of(harness: BotHarness) -> ClimaBot:
    """The running bot."""
    assert harness.bot is not None, "the bot is not running"
    return harness.bot


def item_id(reply_text: str) -> int:
    """The testimonial number in the bot's thank-you reply."""
    return int(reply_text.split("#", 1)[1].split(" ", 1)[0])


def later(days: int) -> str:
    """A date `days` from now, as a moderator types it."""
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%d")


def card_of(emu: Emulator, town: Town, testimonial_id: int) -> Message:
    """The moderation card of a testimonial in a town's moderation channel."""
    for message in emu.messages_in(town.moderation):
        if message.component(f"testimonials:reject:{testimonial_id}") is not None:
            return message
    raise AssertionError(f"no moderation card for #{testimonial_id} in {town.guild.name}")


@pytest.fixture
async def two_towns(
    emulator: Emulator, tmp_path: Path, discord_log: Any, app_log: Any
) -> AsyncIterator[tuple[Town, Town, BotHarness]]:
    """Two servers served by one bot, each with its channels and moderator role configured."""
    first, second = build_town(emulator), build_town(emulator)
    settings = bot_settings(emulator, tmp_path, [first.guild.id, second.guild.id])
    await configure_town(settings, first)
    await configure_town(settings, second)
    harness = BotHarness(emulator, settings)
    await harness.start()
    try:
        for town in (first, second):
            await emulator.wait_for_commands(town.guild, COMMANDS)
        yield first, second, harness
    finally:
        await harness.stop()


# --- testimonials: the reject-reason form -------------------------------------------------------------


async def test_a_reject_reason_form_sent_after_a_restart_completes(stage: Stage) -> None:
    """A moderator opens the reject form, the bot restarts, the reason still lands on its testimonial."""
    await stage.create_campaign()
    tid = item_id((await stage.submit(stage.member)).content)
    form = await stage.click(stage.moderator, "reject", tid)
    await form.wait_modal()
    await stage.restart()
    done = await stage.emu.submit_modal(stage.guild, stage.moderator, form, {"reason": "Off topic"})
    assert f"Rejected testimonial #{tid}" in (await done.reply()).content
    item = await stage.bot.repos.testimonials.get(tid)
    assert item is not None and item.status == "rejected"
    decisions = await stage.bot.repos.testimonials.decisions(tid)
    assert [(d.reason, d.moderator_id) for d in decisions] == [("Off topic", stage.moderator.user.id)]


async def test_reject_reason_forms_in_two_servers_at_once_stay_in_their_server(
    emulator: Emulator, two_towns: tuple[Town, Town, BotHarness]
) -> None:
    """Each server's moderator opens a reject form for that server's story; sent crossed, each reason
    lands on its own server's testimonial."""
    first, second, harness = two_towns
    forms: dict[int, tuple[int, InteractionRecord]] = {}
    for town in (first, second):
        it = await emulator.slash(town.guild, town.moderator, "campaign create", name="Trams", prompt="How?")
        await it.reply()
        opened = await emulator.slash(town.guild, town.member, "testimonial submit", campaign="Trams")
        await opened.wait_modal()
        story = f"A story from {town.guild.id}: the tram replaced my car."
        sent = await emulator.submit_modal(town.guild, town.member, opened, {**STORY_FIELDS, "story": story})
        tid = item_id((await sent.reply(timeout=10)).content)
        reject = await emulator.click(
            town.guild, town.moderator, card_of(emulator, town, tid), f"testimonials:reject:{tid}"
        )
        await reject.wait_modal()
        forms[town.guild.id] = (tid, reject)
    assert forms[first.guild.id][0] != forms[second.guild.id][0]
    for town in (second, first):
        tid, reject = forms[town.guild.id]
        done = await emulator.submit_modal(
            town.guild, town.moderator, reject, {"reason": f"Reason of {town.guild.id}"}
        )
        assert f"Rejected testimonial #{tid}" in (await done.reply()).content
    repos = bot_of(harness).repos
    for town in (first, second):
        tid, _ = forms[town.guild.id]
        item = await repos.testimonials.get(tid)
        assert item is not None and (item.guild_id, item.status) == (town.guild.id, "rejected")
        decisions = await repos.testimonials.decisions(tid)
        assert [(d.reason, d.moderator_id) for d in decisions] == [
            (f"Reason of {town.guild.id}", town.moderator.user.id)
        ]


# --- exchange: the lesson form ------------------------------------------------------------------------


async def ask(emu: Emulator, town: Town, who: Member, title: str) -> Channel:
    """Ask a question in the town's exchange forum; return its post."""
    it = await emu.slash(
        town.guild, who, "exchange ask", options={"title": title, "question": "How?", "theme": "energy"}
    )
    assert "Your question is posted" in (await it.reply()).content
    (post,) = [t for t in town.guild.threads if t.parent_id == town.exchange.id and t.name == title]
    return post


async def open_resolve(emu: Emulator, town: Town, who: Member, post: Channel) -> InteractionRecord:
    """Run /exchange resolve inside a post and wait for the lesson form."""
    it = await emu.slash(town.guild, who, "exchange resolve", channel=post)
    await it.wait_modal()
    return it


async def test_lesson_forms_in_two_servers_at_once_stay_in_their_server(
    emulator: Emulator, two_towns: tuple[Town, Town, BotHarness]
) -> None:
    """Same title in two servers, both lesson forms open, sent crossed: each lesson on its own exchange."""
    first, second, harness = two_towns
    posts = {town.guild.id: await ask(emulator, town, town.member, "Bus lanes") for town in (first, second)}
    forms = {
        town.guild.id: await open_resolve(emulator, town, town.member, posts[town.guild.id])
        for town in (first, second)
    }
    for town in (second, first):
        done = await emulator.submit_modal(
            town.guild, town.member, forms[town.guild.id], {"worked": f"Lesson of {town.guild.id}"}
        )
        assert (await done.reply()).channel_id == posts[town.guild.id].id
    repos = bot_of(harness).repos
    for town in (first, second):
        exchange = await repos.exchanges.by_thread(posts[town.guild.id].id)
        assert exchange is not None and exchange.guild_id == town.guild.id
        lesson = await repos.exchanges.lesson(exchange.id)
        assert lesson is not None
        assert (lesson.author_id, lesson.what_worked) == (town.member.id, f"Lesson of {town.guild.id}")


async def test_a_member_cannot_send_another_members_form(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """B sends a form carrying A's custom_id (A's token): refused with B's text handed back, nothing is
    stored on either exchange, and A's form still works afterwards."""
    alice, bob = town.member, town.guild.add_member("bob")
    post_a = await ask(emulator, town, alice, "Bus lanes")
    post_b = await ask(emulator, town, bob, "Heat pumps")
    form_a = await open_resolve(emulator, town, alice, post_a)
    forged = await open_resolve(emulator, town, bob, post_b)
    assert form_a.modal is not None and forged.modal is not None
    # What a modified client can send: B's own modal submission, with A's custom_id in it.
    forged.modal["custom_id"] = form_a.modal["custom_id"]
    refused = await (await emulator.submit_modal(town.guild, bob, forged, {"worked": "Words of B"})).reply()
    assert refused.ephemeral and "nothing was saved" in refused.content and "Words of B" in refused.text
    repos = bot_of(harness).repos
    exchanges = [await repos.exchanges.by_thread(post.id) for post in (post_a, post_b)]
    for exchange in exchanges:
        assert exchange is not None and exchange.is_open
        assert await repos.exchanges.lesson(exchange.id) is None
    assert [m for m in emulator.messages_in(post_a) if "Words of B" in m.text] == []

    done = await (await emulator.submit_modal(town.guild, alice, form_a, {"worked": "Words of A"})).reply()
    assert done.channel_id == post_a.id
    lesson = await repos.exchanges.lesson(exchanges[0].id)  # type: ignore[union-attr]
    assert lesson is not None and (lesson.author_id, lesson.what_worked) == (alice.id, "Words of A")


# --- calls: the add and schedule-announcement forms -------------------------------------------------


async def test_calls_add_and_schedule_forms_in_two_servers_at_once_stay_in_their_server(
    emulator: Emulator, two_towns: tuple[Town, Town, BotHarness]
) -> None:
    """Both servers register a call with the same identifier through forms sent crossed, then schedule
    its announcement through forms sent crossed: every call and announcement stays in its server."""
    first, second, harness = two_towns
    programmes = {first.guild.id: "life", second.guild.id: "dut"}
    adds = {}
    for town in (first, second):
        it = await emulator.slash(
            town.guild, town.moderator, "calls add", programme=programmes[town.guild.id], tags="water"
        )
        await it.wait_modal()
        adds[town.guild.id] = it
    confirmations = {}
    for town in (second, first):
        values = {
            "identifier": "EUI-2027-X",
            "title": f"Call of {town.guild.id}",
            "deadline": later(40),
            "link": "",
            "summary": "",
        }
        sent = await emulator.submit_modal(town.guild, town.moderator, adds[town.guild.id], values)
        confirmations[town.guild.id] = await sent.reply()
        assert "Registered `EUI-2027-X`" in confirmations[town.guild.id].content
    repos = bot_of(harness).repos
    calls = {}
    for town in (first, second):
        call = await repos.calls.get(town.guild.id, "EUI-2027-X")
        assert call is not None
        assert (call.title, call.programme, call.created_by) == (
            f"Call of {town.guild.id}",
            programmes[town.guild.id],
            town.moderator.id,
        )
        calls[town.guild.id] = call
    assert calls[first.guild.id].id != calls[second.guild.id].id

    schedules = {}
    for town in (first, second):
        call_id = calls[town.guild.id].id
        it = await emulator.click(
            town.guild, town.moderator, confirmations[town.guild.id], f"calls:schedule:{call_id}"
        )
        await it.wait_modal()
        schedules[town.guild.id] = it
    for town, when in ((second, "in 3h"), (first, "in 2h")):
        sent = await emulator.submit_modal(
            town.guild,
            town.moderator,
            schedules[town.guild.id],
            {"when": when, "message": f"Apply, {town.guild.id}!"},
        )
        assert "of `EUI-2027-X`" in (await sent.reply()).content
    for town in (first, second):
        (item,) = await repos.announcements.pending(town.guild.id, limit=-1)
        assert (item.call_id, item.message, item.created_by) == (
            calls[town.guild.id].id,
            f"Apply, {town.guild.id}!",
            town.moderator.id,
        )
