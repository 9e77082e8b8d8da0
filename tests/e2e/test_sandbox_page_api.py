"""climabot through the sandbox page's JSON API: a poll created, voted by two members, seen live."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from sandbox.emulator import Emulator
from sandbox.state import Member
from sandbox.web import page_app
from tests.e2e.harness import BotHarness, Town
from tests.e2e.test_polls_stage import fast_edits


@pytest.fixture
async def client(emulator: Emulator, town: Town, harness: BotHarness) -> AsyncIterator[TestClient[Any, Any]]:
    """Yield an HTTP client on the page app in front of the emulator and a running climabot."""
    fast_edits(harness)
    async with TestClient(TestServer(page_app(emulator, town.guild.id))) as client:
        yield client


async def call(client: TestClient[Any, Any], method: str, path: str, who: Member, **kw: Any) -> Any:
    """Call the API as a member; fail with the one-line error unless it is 200."""
    resp = await client.request(method, path, params={"as": str(who.id), "wait": "1"}, **kw)
    data = await resp.json()
    assert resp.status == 200, data
    return data


async def test_poll_created_and_voted_through_the_page(client: TestClient[Any, Any], town: Town) -> None:
    """/poll create as the moderator, votes as two members by button, the tally reaches the page live."""
    general = str(town.general.id)
    resp = await client.get("/api/commands", params={"as": str(town.moderator.id), "channel_id": general})
    poll = next(c for c in (await resp.json())["commands"] if c["name"] == "poll")
    create = next(o for o in poll["options"] if o["name"] == "create")
    assert {"question", "options"} <= {o["name"] for o in create["options"]}
    body = {
        "channel_id": general,
        "command": "poll create",
        "options": {"question": "Which pilot first?", "options": "Energy; Mobility", "multiple": "false"},
    }
    answer = (await call(client, "POST", "/api/commands/run", town.moderator, json=body))["interaction"]
    assert answer["status"] == "message" and answer["ephemeral"], answer

    async def poll_message(who: Member) -> dict[str, Any]:
        """Return the poll as a member sees it in #general."""
        data = await call(client, "GET", f"/api/channels/{general}/messages", who)
        return next(
            m for m in data["messages"] if m["embeds"] and "Poll #" in m["embeds"][0].get("title", "")
        )

    alice, bob = town.member, town.guild.add_member("bob")
    message = await poll_message(alice)
    energy = message["components"][0]["components"][0]
    assert energy["label"] == "Energy"
    async with client.ws_connect("/api/live") as ws:
        assert (await ws.receive_json(timeout=2))["type"] == "hello"
        for who in (alice, bob):
            path = f"/api/messages/{message['id']}/click"
            vote = await call(client, "POST", path, who, json={"custom_id": energy["custom_id"]})
            assert (
                vote["interaction"]["ephemeral"]
                and "counted" in vote["interaction"]["messages"][0]["content"]
            )
        shown = ""
        deadline = asyncio.get_running_loop().time() + 5
        while "2 members voted" not in shown:
            assert asyncio.get_running_loop().time() < deadline, shown
            assert (await ws.receive_json(timeout=5))["type"] == "changed"
            shown = json.dumps((await poll_message(bob))["embeds"])

    async def ephemerals(who: Member) -> list[str]:
        """Return the texts only this member sees in #general."""
        data = await call(client, "GET", f"/api/channels/{general}/messages", who)
        return [m["content"] for m in data["messages"] if m["ephemeral"]]

    mine, moderator = await ephemerals(alice), await ephemerals(town.moderator)
    assert len(mine) == 1 and "counted" in mine[0] and not any("counted" in t for t in moderator)
