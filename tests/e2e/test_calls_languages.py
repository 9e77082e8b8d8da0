"""Calls and announcements in several languages at once (issue #12), with pseudo-translated catalogs:
a moderator who chose Polish gets Polish forms and replies, the French server gets French public posts,
a member whose Discord speaks German gets German lists and DMs, a member who chose Slovak (no Discord
locale) gets Slovak reminders by DM."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.settings import DefaultsSettings, Settings
from sandbox.emulator import Emulator
from tests.cogs.calls.pseudo_catalog import write_pseudo_catalogs
from tests.e2e.harness import BotHarness, Town, bot_settings, configure_town


@pytest.fixture
async def settings(emulator: Emulator, town: Town, tmp_path: Path) -> Settings:
    """Town settings whose only reminder comes 4 s before a deadline, so the test waits seconds."""
    configured = bot_settings(emulator, tmp_path, [town.guild.id])
    configured.defaults = DefaultsSettings(reminder_offsets=["4s"], misfire_grace="1h")
    await configure_town(configured, town)
    return configured


@pytest.fixture
async def polyglot(harness: BotHarness, town: Town, tmp_path: Path) -> BotHarness:
    """The running bot with pseudo catalogs; the server speaks French, the moderator chose Polish."""
    bot = harness.bot
    assert bot is not None
    bot.languages.catalogs = write_pseudo_catalogs(tmp_path / "locales", ["de", "fr", "pl", "sk"])
    await bot.languages.set_guild_language(town.guild.id, "fr")
    await bot.languages.choose(town.guild.id, town.moderator.id, "pl")
    return harness


def field_names(message: Any) -> list[str]:
    """The names of the fields of a message's first embed."""
    return [f["name"] for f in message.embeds[0].get("fields", [])]


async def test_each_reader_gets_their_language_and_public_posts_the_servers(
    emulator: Emulator, town: Town, polyglot: BotHarness
) -> None:
    """Form, reply and buttons in Polish; the announcement in French; a German list; Slovak DMs."""
    form = await emulator.slash(town.guild, town.moderator, "calls add", programme="life")
    await form.wait_modal()
    assert form.modal is not None and form.modal["title"] == "[pl] Register a funding call"
    assert all(c["label"].startswith("[pl] ") for c in form.modal["components"])
    deadline = (datetime.now(UTC) + timedelta(days=40)).strftime("%Y-%m-%d")
    values = {
        "identifier": "LIFE-2027-L",
        "title": "Clean air",
        "deadline": deadline,
        "link": "",
        "summary": "",
    }
    confirmation = await (await emulator.submit_modal(town.guild, town.moderator, form, values)).reply()
    assert confirmation.content.startswith("[pl] Registered `LIFE-2027-L`"), confirmation.content
    assert [b["label"] for b in confirmation.buttons()] == ["[pl] Announce now", "[pl] Schedule announcement"]
    assert all(name.startswith("[pl] ") for name in field_names(confirmation))

    call = await polyglot.bot.repos.calls.get(town.guild.id, "LIFE-2027-L")  # type: ignore[union-attr]
    assert call is not None
    clicked = await emulator.click(town.guild, town.moderator, confirmation, f"calls:announce:{call.id}")
    assert (await clicked.reply()).content.startswith("[pl] Announced")
    posted = await emulator.wait_for_message(town.announcements, lambda m: "LIFE-2027-L" in m.content)
    assert posted.content.startswith("[fr] 📣"), posted.content
    assert field_names(posted) and all(name.startswith("[fr] ") for name in field_names(posted))

    dieter = town.guild.add_member("dieter", locale="de")
    listed = await (await emulator.slash(town.guild, dieter, "calls list")).reply()
    assert listed.embeds[0]["title"] == "[de] Open funding calls"
    assert listed.embeds[0]["footer"]["text"].startswith("[de] Page 1 of 1")
    subscribed = await (await emulator.slash(town.guild, dieter, "calls subscribe")).reply()
    assert subscribed.content.startswith("[de] Subscribed"), subscribed.content

    sasha = town.guild.add_member("sasha")
    await polyglot.bot.languages.choose(town.guild.id, sasha.id, "sk")  # type: ignore[union-attr]
    joined = await (await emulator.slash(town.guild, sasha, "calls subscribe", programme="life")).reply()
    assert joined.content.startswith("[sk] Subscribed"), joined.content
    welcome = await emulator.wait_for_message(emulator.dm_channel_of(sasha), lambda m: "[sk] " in m.content)
    assert welcome.content.startswith("[sk] You will get")

    soon = (datetime.now(UTC) + timedelta(seconds=7)).isoformat(timespec="seconds")
    rows = [{"identifier": "LIFE-2027-S", "title": "Soon", "programme": "LIFE", "deadline": soon}]
    upload = emulator.upload("calls.json", json.dumps(rows).encode(), "application/json")
    report = await (await emulator.slash(town.guild, town.moderator, "calls import", file=upload)).reply()
    assert report.content.startswith("[pl] Import finished: 1 added"), report.content

    public = await emulator.wait_for_message(
        town.announcements, lambda m: "LIFE-2027-S" in m.content, timeout=10
    )
    assert public.content.startswith("[fr] ⏰"), public.content
    slovak = await emulator.wait_for_message(
        emulator.dm_channel_of(sasha), lambda m: "LIFE-2027-S" in m.content
    )
    assert slovak.content.startswith("[sk] ⏰") and "\n[sk] You get this" in slovak.content, slovak.content
    assert all(name.startswith("[sk] ") for name in field_names(slovak))
    german = await emulator.wait_for_message(
        emulator.dm_channel_of(dieter), lambda m: "LIFE-2027-S" in m.content
    )
    assert german.content.startswith("[de] ⏰") and all(n.startswith("[de] ") for n in field_names(german))


async def test_english_stays_for_members_with_an_english_client(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Without any choice, an en-US member of an English server reads the English source texts."""
    listed = await (await emulator.slash(town.guild, town.member, "calls list")).reply()
    assert listed.embeds[0]["title"] == "Open funding calls"
