"""Two members of one server ask exchange questions with two different new theme tags at the same moment:
neither edit of the forum's tag list drops the other's tags, and each post carries its own theme tag.

Discord replaces a forum's whole tag list on every edit, so each caller must read the list and edit it
while no other caller does. Discord's answers to the bot's reads arrive after a network delay here, so
that without that both callers read the old list before either edits.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from sandbox.emulator import Emulator
from tests.e2e.harness import BotHarness, Town
from tests.e2e.test_exchange_journey import posts_in, tag_names

QUESTIONS = (
    ("Heat pumps in old flats", "energy", "Energy"),
    ("Car-free school streets", "mobility", "Mobility"),
)


@pytest.mark.parametrize("others", [0, 18], ids=["fresh-forum", "two-free-slots"])
async def test_two_questions_at_once_keep_both_new_tags(
    emulator: Emulator, town: Town, harness: BotHarness, monkeypatch: pytest.MonkeyPatch, others: int
) -> None:
    """A fresh forum gets every theme tag once; a forum with room for two gets exactly the two asked."""
    emu, guild, forum = emulator, town.guild, town.exchange
    # A moderator's own tags, which the bot must keep; with 18 of them only the two asked themes fit.
    forum.available_tags.extend(emu.world.new_tag(f"Local {n}") for n in range(others))
    bob = guild.add_member("bob")
    assert harness.bot is not None
    http = harness.bot.http
    real_get_channel = http.get_channel

    async def slow_get_channel(channel_id: int) -> Any:
        """Discord's answer, arriving after a network delay (the emulator answers at once)."""
        answer = await real_get_channel(channel_id)
        await asyncio.sleep(0.2)
        return answer

    monkeypatch.setattr(http, "get_channel", slow_get_channel)

    asked = await asyncio.gather(
        *(
            emu.slash(
                guild, who, "exchange ask", options={"title": title, "question": "What worked?", "theme": key}
            )
            for who, (title, key, _) in zip((town.member, bob), QUESTIONS, strict=True)
        )
    )
    replies = await asyncio.gather(*(it.reply(timeout=10) for it in asked))
    assert all("Your question is posted" in r.content for r in replies), [r.content for r in replies]

    names = [t["name"] for t in forum.available_tags]
    assert len(names) == len(set(names)), names
    assert {f"Local {n}" for n in range(others)} | {"Energy", "Mobility"} <= set(names)
    if others:
        assert len(names) == 20, names
    posts = {p.name: p for p in posts_in(town)}
    for title, _, tag in QUESTIONS:
        assert tag_names(forum, posts[title]) == {tag}, title
