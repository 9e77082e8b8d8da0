"""Two first submits on a fresh proposals forum at the same time: neither overwrites the other's new tags,
and each post carries its theme and Open tags that exist on the forum."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import pytest

from cogs.proposals.forum import ensure_tags
from sandbox.emulator import Emulator
from tests.e2e.harness import BotHarness, Town
from tests.e2e.test_proposals_journey import FORM, posts_in, setup_forum, tag_names


async def test_two_first_submits_keep_each_others_tags(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    emu, guild = emulator, town.guild
    forum = await setup_forum(emu, town)
    assert forum.available_tags == []
    other = guild.add_member("bob")
    first = await emu.slash(guild, town.member, "proposal submit", options={"theme": "energy"})
    second = await emu.slash(guild, other, "proposal submit", options={"theme": "mobility"})
    await first.wait_modal()
    await second.wait_modal()
    sent = await asyncio.gather(
        emu.submit_modal(guild, other, second, {**FORM, "title": "Bike lanes"}),
        emu.submit_modal(guild, town.member, first, {**FORM, "title": "Solar roofs"}),
    )
    for it in sent:
        assert "posted" in (await it.reply()).content
    posts = {p.name: p for p in posts_in(town, forum)}
    ids = {int(t["id"]) for t in forum.available_tags}
    for name, theme in (("Bike lanes", "Mobility"), ("Solar roofs", "Energy")):
        assert set(posts[name].applied_tags) <= ids, f"{name} points at tags the forum no longer has"
        assert tag_names(forum, posts[name]) == {theme, "Open"}
    names = [t["name"] for t in forum.available_tags]
    assert len(names) == len(set(names)) and {"Energy", "Mobility", "Open"} <= set(names)


async def test_concurrent_ensure_tags_on_a_fresh_forum_do_not_replace_each_others_tags(
    emulator: Emulator, town: Town, harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both calls see a forum without tags; the second starts from the first one's tags."""
    forum = await setup_forum(emulator, town)
    assert harness.bot is not None
    cached = harness.bot.get_channel(forum.id)
    assert isinstance(cached, discord.ForumChannel) and not cached.available_tags
    http = harness.bot.http
    real_get_channel = http.get_channel

    async def slow_get_channel(channel_id: int) -> Any:
        """Discord's answer, arriving after a network delay (so both callers read before either edits)."""
        answer = await real_get_channel(channel_id)
        await asyncio.sleep(0.05)
        return answer

    monkeypatch.setattr(http, "get_channel", slow_get_channel)
    results = await asyncio.gather(ensure_tags(cached, "energy"), ensure_tags(cached, "mobility"))
    ids = {int(t["id"]) for t in forum.available_tags}
    for result in results:
        assert {t.id for t in result.available_tags} <= ids, "a caller holds tag ids the forum lost"
    names = [t["name"] for t in forum.available_tags]
    assert len(names) == len(set(names)) and {"Energy", "Mobility", "Open"} <= set(names)
