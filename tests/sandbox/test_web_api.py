"""The sandbox page's JSON API, served over real HTTP, with the sample bot answering through the emulator."""

from __future__ import annotations

import asyncio
import contextlib
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer

from sandbox.state import Member, ScheduledEvent
from sandbox.web import page_app
from tests.sandbox.conftest import Env


class Page:
    """An HTTP client on the page app, acting as one member or another."""

    def __init__(self, client: TestClient[Any, Any], env: Env) -> None:
        """Wrap a test client."""
        self.client = client
        self.env = env

    async def get(self, path: str, who: Member, *, status: int = 200, **query: str) -> Any:
        """GET a JSON endpoint as a member and check the status."""
        resp = await self.client.get(path, params={"as": str(who.id), **query})
        data = await resp.json()
        assert resp.status == status, data
        return data

    async def post(self, path: str, who: Member, body: Any, *, status: int = 200, **query: str) -> Any:
        """POST JSON as a member and check the status."""
        resp = await self.client.post(path, json=body, params={"as": str(who.id), **query})
        data = await resp.json()
        assert resp.status == status, data
        return data

    async def run(self, who: Member, command: str, wait: bool = True, **options: Any) -> dict[str, Any]:
        """Run a slash command in #general and return the bot's answer."""
        body = {"channel_id": str(self.env.general.id), "command": command, "options": options}
        data = await self.post("/api/commands/run", who, body, wait="1" if wait else "0")
        return data.get("interaction") or data

    async def messages(self, who: Member, channel_id: int | None = None) -> list[dict[str, Any]]:
        """Return #general (or another channel) as a member sees it."""
        cid = channel_id or self.env.general.id
        data = await self.get(f"/api/channels/{cid}/messages", who)
        return list(data["messages"])


@pytest.fixture
async def page(env: Env) -> AsyncIterator[Page]:
    """Yield the page app on a real local HTTP server in front of the emulator and the sample bot."""
    server = TestServer(page_app(env.emu, env.guild.id))
    async with TestClient(server) as client:
        yield Page(client, env)


def _png() -> bytes:
    """Return a 1x1 PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        """Return one PNG chunk."""
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


async def test_members_and_channels(page: Page, env: Env) -> None:
    """Who I can be (admin first, flags, roles) and the channel list with the forum's tags and my DM."""
    members = (await page.get("/api/members", env.alice))["members"]
    names = [m["username"] for m in members]
    assert names[0] in ("ada", "owner") and "climabot" not in names and {"alice", "maria"} <= set(names)
    by_name = {m["username"]: m for m in members}
    assert by_name["ada"]["admin"] and by_name["maria"]["moderator"] and not by_name["maria"]["admin"]
    assert not by_name["alice"]["moderator"] and by_name["alice"]["initials"] == "A"
    assert by_name["maria"]["roles"][0]["name"] == "Moderators" and by_name["alice"]["locale"] == "en-US"
    thread = env.guild.add_thread(env.general, "side talk", owner=env.alice)
    data = await page.get("/api/channels", env.alice)
    chans = {c["name"]: c for c in data["channels"]}
    assert list(chans)[:3] == ["general", "announcements", "exchange"]
    assert [t["name"] for t in chans["general"]["threads"]] == ["side talk"]
    assert chans["general"]["threads"][0]["id"] == str(thread.id)
    assert [t["name"] for t in chans["exchange"]["available_tags"]] == ["energy", "mobility"]
    assert data["dm"]["type"] == 1 and data["dm"]["name"] == "climabot"
    assert (await page.get("/api/guild", env.alice))["bot"]["bot"] is True


async def test_slash_command_reply_and_button_click(page: Page, env: Env) -> None:
    """/poll posts a message with buttons; a click as another member edits it and the edit shows."""
    answer = await page.run(env.alice, "poll", question="Which measure first?")
    assert answer["status"] == "message" and not answer["ephemeral"]
    posted = answer["messages"][0]
    assert posted["content"] == "Which measure first?" and posted["interaction"]["name"] == "poll"
    assert posted["interaction"]["user_id"] == str(env.alice.id)
    assert posted["components"][0]["components"][0]["custom_id"] == "poll:vote:1"
    click = await page.post(
        f"/api/messages/{posted['id']}/click", env.maria, {"custom_id": "poll:vote:1"}, wait="1"
    )
    assert click["interaction"]["status"] == "updated"
    seen = next(m for m in await page.messages(env.alice) if m["id"] == posted["id"])
    assert seen["content"] == "votes: 1" and seen["edited"] and seen["edited_timestamp_ms"] > 0
    assert str(env.alice.id) in (await page.get(f"/api/messages/{posted['id']}", env.maria))["users"]


async def test_ephemeral_reply_is_only_for_its_member(page: Page, env: Env) -> None:
    """A select answered ephemerally shows in the chooser's channel view, not in another member's."""
    poll = (await page.run(env.alice, "poll", question="Where?"))["messages"][0]
    pick = {"custom_id": "poll:city", "values": ["Lyon"]}
    answer = await page.post(f"/api/messages/{poll['id']}/select", env.alice, pick, wait="1")
    reply = answer["interaction"]["messages"][0]
    assert reply["ephemeral"] and reply["content"] == "city: Lyon"
    assert [m["content"] for m in await page.messages(env.alice)][-1] == "city: Lyon"
    assert "city: Lyon" not in [m["content"] for m in await page.messages(env.maria)]
    await page.get(f"/api/messages/{reply['id']}", env.maria, status=404)
    await page.get(f"/api/interactions/{answer['interaction_id']}", env.maria, status=404)


async def test_two_members_at_once_each_see_only_their_own_ephemerals(page: Page, env: Env) -> None:
    """Alice and Maria choose at the same moment; each sees her own answer and not the other's."""
    poll = (await page.run(env.alice, "poll", question="Where?"))["messages"][0]
    path = f"/api/messages/{poll['id']}/select"
    await asyncio.gather(
        page.post(path, env.alice, {"custom_id": "poll:city", "values": ["Lyon"]}, wait="1"),
        page.post(path, env.maria, {"custom_id": "poll:city", "values": ["Bologna"]}, wait="1"),
    )
    alice = [m["content"] for m in await page.messages(env.alice) if m["ephemeral"]]
    maria = [m["content"] for m in await page.messages(env.maria) if m["ephemeral"]]
    assert alice == ["city: Lyon"] and maria == ["city: Bologna"]


async def test_modal_opens_and_submits(page: Page, env: Env) -> None:
    """/feedback opens a form for its member only; a bad submit is a 400 and keeps it; a good one closes."""
    answer = await page.run(env.alice, "feedback")
    assert answer["status"] == "modal" and answer["modal"]["title"] == "Feedback"
    modals = (await page.get("/api/modals", env.alice))["modals"]
    assert [m["custom_id"] for m in modals] == ["feedback"]
    kinds = {c["type"] for c in modals[0]["components"]}
    assert kinds == {1, 18}  # the text input's row and the labels around radio, checkboxes, checkbox
    assert (await page.get("/api/modals", env.maria))["modals"] == []
    path = f"/api/modals/{modals[0]['interaction_id']}/submit"
    bad = await page.post(path, env.alice, {"values": {"story": "", "mood": "good"}}, status=400)
    assert "story" in bad["error"] and "\n" not in bad["error"]
    await page.post(path, env.maria, {"values": {"story": "x"}}, status=404)
    values = {"story": "We planted trees", "mood": "good", "topics": ["energy"], "consent": "true"}
    done = await page.post(path, env.alice, {"values": values}, wait="1")
    assert done["interaction"]["messages"][0]["ephemeral"]
    assert env.bot.seen["modal"] == ("We planted trees", "good", ["energy"], True)
    assert (await page.get("/api/modals", env.alice))["modals"] == []
    await page.post(path, env.alice, {"values": values}, status=400)


async def test_upload_then_use_it_as_an_attachment_option_and_in_a_message(page: Page, env: Env) -> None:
    """A file uploaded through the page is the value of an attachment option and a message's attachment."""
    form = FormData()
    form.add_field("file", _png(), filename="trees.png", content_type="application/octet-stream")
    resp = await page.client.post("/api/uploads", data=form, params={"as": str(env.alice.id)})
    upload = await resp.json()
    assert resp.status == 200 and upload["content_type"] == "image/png" and upload["size"] == len(_png())
    image = await page.client.get(upload["url"])
    assert image.status == 200 and await image.read() == _png()
    options = {"announcements": str(env.announcements.id), "photo": upload["id"], "reminders": "3"}
    answer = await page.run(env.ada, "setup channels", **options)
    assert answer["messages"][0]["ephemeral"]
    setup = env.bot.seen["setup"]
    assert setup["photo"].filename == "trees.png" and setup["reminders"] == 3
    body = {"content": "our trees", "attachments": [upload["id"]]}
    posted = (await page.post(f"/api/channels/{env.general.id}/messages", env.alice, body))["message"]
    att = posted["attachments"][0]
    assert att["url"].startswith("/api/files/") and att["content_type"] == "image/png"
    assert (await (await page.client.get(att["url"])).read()) == _png()


async def test_autocomplete_and_commands_list(page: Page, env: Env) -> None:
    """Synced commands come raw with subcommands; hidden ones are left out; autocomplete asks the bot."""
    where = {"channel_id": str(env.general.id)}
    alice = {
        c["name"]: c
        for c in (await page.get("/api/commands", env.alice, channel_id=where["channel_id"]))["commands"]
    }
    maria = {
        c["name"]
        for c in (await page.get("/api/commands", env.maria, channel_id=where["channel_id"]))["commands"]
    }
    assert "admin" not in alice and "admin" in maria
    show = next(o for o in alice["calls"]["options"] if o["name"] == "show")
    assert show["type"] == 1 and show["options"][0]["autocomplete"] is True
    body = {**where, "command": "calls show", "focused": "identifier", "value": "hor"}
    choices = (await page.post("/api/commands/autocomplete", env.alice, body))["choices"]
    assert [c["value"] for c in choices] == ["HORIZON-MISS-2024-CIT-01-01", "HORIZON-MISS-2025-CIT-02"]
    answer = await page.run(env.alice, "calls show", identifier="LIFE-2025-CET")
    assert answer["status"] == "message" and answer["messages"][0]["content"] == "call LIFE-2025-CET"


async def test_live_websocket_pushes_when_the_bot_edits(page: Page, env: Env) -> None:
    """An open page hears "changed" when the bot edits a message after someone else's click."""
    poll = (await page.run(env.alice, "poll", question="Vote?"))["messages"][0]
    async with page.client.ws_connect("/api/live") as ws:
        hello = await ws.receive_json(timeout=2)
        assert hello["type"] == "hello"
        await asyncio.sleep(0.15)  # let the pushes of the poll itself pass
        with contextlib.suppress(asyncio.TimeoutError):
            while True:
                await ws.receive_json(timeout=0.1)
        await env.emu.click(env.guild, env.maria, env.emu.world.messages[int(poll["id"])], "poll:vote:1")
        pushed = await ws.receive_json(timeout=2)
        assert pushed["type"] == "changed" and pushed["version"] > hello["version"]
        assert [m["content"] for m in await page.messages(env.alice) if m["id"] == poll["id"]] == ["votes: 1"]


async def test_bad_input_is_a_one_line_400(page: Page, env: Env) -> None:
    """Wrong input and what Discord's client would refuse answer {"error": one line} with HTTP 400."""
    general = {"channel_id": str(env.general.id)}
    setup = {**general, "command": "setup channels", "options": {"reminders": "x"}}
    cases = [
        ("/api/commands/run", {**general, "command": "nosuch"}, "not a synced command"),
        ("/api/commands/run", {**general, "command": "poll"}, "missing required"),
        ("/api/commands/run", setup, "whole"),
        ("/api/commands/run", {"channel_id": "12", "command": "poll"}, "no channel"),
        ("/api/commands/run", {**general, "command": "admin purge"}, "cannot see /admin"),
    ]
    for path, body, words in cases:
        resp = await page.client.post(path, json=body, params={"as": str(env.alice.id)})
        data = await resp.json()
        assert resp.status in (400, 404) and words in data["error"] and "\n" not in data["error"], data
    resp = await page.client.get("/api/channels", params={"as": "nobody"})
    assert resp.status == 400 and "?as=" in (await resp.json())["error"]
    resp = await page.client.post("/api/commands/run", data=b"{", params={"as": str(env.alice.id)})
    assert resp.status == 400 and (await resp.json())["error"] == "the request body must be JSON"
    path = f"/api/channels/{env.forum.id}/messages"
    assert "forum" in (await page.post(path, env.alice, {"content": "hi"}, status=400))["error"]


async def test_forum_post_dm_and_events(page: Page, env: Env) -> None:
    """A member opens a forum post with a tag; the bot's DM shows in the member's DM; events list."""
    body = {"title": "Heat pumps?", "content": "Who has tried them?", "tags": ["energy"]}
    made = await page.post(f"/api/channels/{env.forum.id}/threads", env.alice, body)
    assert made["thread"]["applied_tags"] == [str(env.forum.tag("energy"))]
    forum = [
        c for c in (await page.get("/api/channels", env.maria))["channels"] if c["id"] == str(env.forum.id)
    ]
    assert [t["name"] for t in forum[0]["threads"]] == ["Heat pumps?"]
    await page.run(env.alice, "remind")
    dm = (await page.get("/api/channels", env.alice))["dm"]
    assert [m["content"] for m in await page.messages(env.alice, int(dm["id"]))] == ["reminder"]
    await page.get(f"/api/channels/{dm['id']}/messages", env.maria, status=400)
    assert (await page.get("/api/events", env.alice))["events"] == []
    start = "2026-12-24T10:00:00+00:00"
    event = ScheduledEvent(env.emu.world.ids.next(), env.guild.id, "Webinar", start, 3)
    env.guild.events[event.id] = event
    marked = (await page.post(f"/api/events/{event.id}/interest", env.alice, {"interested": True}))["event"]
    assert marked["interested"] and marked["user_count"] == 1 and marked["start_ms"] == 1798106400000
    seen = (await page.get("/api/events", env.maria))["events"]
    assert [(e["name"], e["interested"], e["user_count"]) for e in seen] == [("Webinar", False, 1)]


async def test_page_and_static_files(page: Page) -> None:
    """GET / serves the page (or its placeholder) and /static/ never leaves its folder."""
    resp = await page.client.get("/")
    assert resp.status == 200 and "climabot" in (await resp.text()).lower()
    assert (await page.client.get("/static/../app.py")).status == 404
    assert (await page.client.get("/static/%2e%2e/app.py")).status == 404


async def test_a_late_bot_answer_is_reported_as_failed(page: Page, env: Env, discord_log: Any) -> None:
    """When the bot misses the answer deadline, the interaction says so in one line, as Discord's client."""
    env.emu.interaction_deadline = 0.2
    env.emu.expect_violations()  # the late callback is what this test provokes
    discord_log.allow("Unknown interaction|Ignoring exception|10062")
    env.emu.faults.delay("POST", r"/callback$", seconds=0.4)
    answer = await page.run(env.alice, "poll", question="Too late?")
    assert answer["status"] == "failed" and answer["messages"] == []
    assert answer["error"] == "The application did not respond within 0.2 s"


async def test_deferred_answer_is_filled_before_wait_returns(page: Page, env: Env) -> None:
    """/calls edit defers ephemerally then fills its answer: the wait returns it; the followup comes later."""
    body = {"channel_id": str(env.general.id), "command": "calls edit", "options": {"identifier": "X-1"}}
    started = await page.post("/api/commands/run", env.maria, body, wait="1")
    answer = started["interaction"]
    assert answer["status"] == "message" and answer["ephemeral"]
    assert answer["messages"][0]["content"] == "editing X-1" and not answer["messages"][0]["loading"]
    it = env.emu.world.interactions[int(started["interaction_id"])]
    await env.emu.world.wait_until(lambda: it.followups or None, 2, "the followup")
    later = (await page.get(f"/api/interactions/{started['interaction_id']}", env.maria))["interaction"]
    assert [m["content"] for m in later["messages"]] == ["editing X-1", "second message"]


async def test_a_channel_hidden_by_overwrites_is_not_listed_nor_readable(page: Page, env: Env) -> None:
    """Like the demo's #moderation: @everyone denied View Channel, the moderators' role allowed."""
    mod = env.guild.add_text_channel("moderation")
    mod.permission_overwrites = [
        {"id": str(env.guild.id), "type": 0, "allow": "0", "deny": str(1 << 10)},
        {"id": str(env.mods.id), "type": 0, "allow": str(1 << 10), "deny": "0"},
    ]
    listed = {
        who: [c["name"] for c in (await page.get("/api/channels", who))["channels"]]
        for who in (env.alice, env.maria, env.ada)
    }
    assert (
        "moderation" not in listed[env.alice]
        and "moderation" in listed[env.maria]
        and "moderation" in listed[env.ada]
    )
    refused = await page.get(f"/api/channels/{mod.id}/messages", env.alice, status=400)
    assert refused["error"] == "alice cannot see #moderation"
    assert (await page.get(f"/api/channels/{mod.id}/messages", env.maria))["messages"] == []
