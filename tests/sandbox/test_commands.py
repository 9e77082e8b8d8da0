"""Slash commands: sync, options and resolved objects, refusals, autocomplete, deferrals, callbacks."""

from __future__ import annotations

import aiohttp
import discord
import pytest
from discord import app_commands

from sandbox.emulator import Emulator
from sandbox.interactions import CB_DEFER, CB_MESSAGE
from sandbox.options import NotPossible
from tests.sandbox.conftest import Env, populate
from tests.sandbox.fixtures import DiscordLogWatch, running
from tests.sandbox.sample_bot import SampleBot


async def test_commands_are_synced_with_ids_and_versions(env: Env) -> None:
    """tree.sync() stores the commands; ids stay stable across a re-sync."""
    synced = {c["name"]: c for c in env.emu.commands()}
    assert {"setup", "admin", "calls", "poll", "feedback", "say", "remind"} <= set(synced)
    assert synced["setup"]["options"][0]["name"] == "channels"
    assert synced["admin"]["default_member_permissions"] == str(1 << 5)
    fetched = await env.bot.tree.fetch_commands()
    assert {c.name: c.id for c in fetched}["setup"] == int(synced["setup"]["id"])
    await env.bot.tree.sync()
    assert env.emu.commands()[0]["id"] == synced[env.emu.commands()[0]["name"]]["id"]


async def test_slash_command_resolves_every_option_type(env: Env) -> None:
    """Channel, role, member, attachment, integer and forum options reach the handler resolved."""
    emu = env.emu
    photo = emu.upload("bologna.png", b"\x89PNG\r\n\x1a\nfake", "image/png")
    it = await emu.slash(
        env.guild,
        env.ada,
        "setup channels",
        announcements=env.announcements,
        moderators=env.mods,
        contact=env.maria,
        photo=photo,
        reminders=3,
        exchange=env.forum,
        channel=env.general,
    )
    reply = await it.reply()
    assert reply.ephemeral and reply.content == f"announcements in <#{env.announcements.id}>"
    assert it.callback_type == CB_MESSAGE and reply.interaction_id == it.id
    seen = env.bot.seen["setup"]
    assert isinstance(seen["announcements"], discord.TextChannel | app_commands.AppCommandChannel)
    assert seen["announcements"].id == env.announcements.id
    assert seen["exchange"].type is discord.ChannelType.forum
    assert isinstance(seen["moderators"], discord.Role) and seen["moderators"].name == "Moderators"
    assert isinstance(seen["contact"], discord.Member) and seen["contact"].id == env.maria.id
    assert seen["reminders"] == 3
    assert (
        isinstance(seen["photo"], discord.Attachment)
        and await seen["photo"].read() == b"\x89PNG\r\n\x1a\nfake"
    )
    assert it.payload["member"]["permissions"] == str((1 << 52) - 1)
    assert it.payload["channel_id"] == str(env.general.id)
    assert env.emu.messages_in(env.general) == []  # ephemeral: nobody else sees it


async def test_slash_refuses_what_a_person_could_not_do(env: Env) -> None:
    """Unknown commands, options, wrong types, missing required options and hidden commands raise."""
    emu, g, alice = env.emu, env.guild, env.alice
    with pytest.raises(NotPossible, match="not a synced command"):
        await emu.slash(g, alice, "nope")
    with pytest.raises(NotPossible, match="no subcommand"):
        await emu.slash(g, alice, "setup nothing")
    with pytest.raises(NotPossible, match="needs a subcommand"):
        await emu.slash(g, alice, "setup")
    with pytest.raises(NotPossible, match="missing required"):
        await emu.slash(g, alice, "setup channels")
    with pytest.raises(NotPossible, match="unknown option"):
        await emu.slash(g, alice, "setup channels", announcements=env.general, colour="red")
    with pytest.raises(NotPossible, match="expected a channel"):
        await emu.slash(g, alice, "setup channels", announcements="general")
    with pytest.raises(NotPossible, match="has type 15"):
        await emu.slash(g, alice, "setup channels", announcements=env.forum)
    with pytest.raises(NotPossible, match=r"outside 1\.\.30"):
        await emu.slash(g, alice, "setup channels", announcements=env.general, reminders=31)
    with pytest.raises(NotPossible, match="expected int"):
        await emu.slash(g, alice, "setup channels", announcements=env.general, reminders=True)
    with pytest.raises(NotPossible, match="cannot see /admin"):
        await emu.slash(g, alice, "admin purge")
    assert emu.interactions == []


async def test_default_member_permissions_follow_roles(env: Env) -> None:
    """A moderator role with Manage Server may run /admin; an override lets anyone (as Integrations would)."""
    it = await env.emu.slash(env.guild, env.maria, "admin purge")
    assert (await it.reply()).content == "purged"
    it = await env.emu.slash(env.guild, env.alice, "admin purge", override_permissions=True)
    assert (await it.reply()).content == "purged"
    assert [m.content for m in env.emu.messages_in(env.general)] == ["purged", "purged"]


async def test_autocomplete_returns_the_bots_choices(env: Env) -> None:
    """The focused option's text reaches the bot; its choices come back."""
    choices = await env.emu.autocomplete(
        env.guild, env.alice, "calls show", focused="identifier", value="hor"
    )
    assert [c["value"] for c in choices] == ["HORIZON-MISS-2024-CIT-01-01", "HORIZON-MISS-2025-CIT-02"]


async def test_deferred_response_filled_by_followup(env: Env) -> None:
    """defer(thinking) then followup.send: the followup fills the "thinking" message, which is public."""
    it = await env.emu.slash(env.guild, env.alice, "calls show", identifier="LIFE-2025-CET")
    reply = await it.reply()
    assert reply.content == "call LIFE-2025-CET" and not reply.ephemeral and not reply.loading
    assert [(r.kind, r.type) for r in it.responses] == [("callback", CB_DEFER), ("followup", None)]
    assert it.original is reply and reply.history == []
    assert env.emu.messages_in(env.general) == [reply]


async def test_deferred_ephemeral_edit_then_followup(env: Env) -> None:
    """An ephemeral deferral edited via @original, then a second ephemeral followup."""
    it = await env.emu.slash(env.guild, env.alice, "calls edit", identifier="X")
    first = await it.reply()
    assert first.content == "editing X" and first.ephemeral

    def two_messages() -> bool | None:
        """Return True once the followup arrived."""
        return True if len(it.followups) == 1 else None

    await env.emu.world.wait_until(two_messages, 5, "the followup")
    assert it.followups[0].content == "second message" and it.followups[0].ephemeral
    assert [r.kind for r in it.responses] == ["callback", "edit_original", "followup"]
    assert env.emu.messages_in(env.general) == []


async def test_second_callback_is_rejected(env: Env) -> None:
    """Answering an interaction twice gives 400 40060, recorded as a violation."""
    emu = env.emu
    emu.expect_violations()
    it = await emu.slash(env.guild, env.alice, "poll", question="q")
    await it.reply()
    url = f"{emu.api_base_url}/interactions/{it.id}/{it.token}/callback"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"type": 4, "data": {"content": "again"}}) as resp:
            assert resp.status == 400
            assert (await resp.json())["code"] == 40060
        async with http.post(
            url.replace(str(it.id), "1"), json={"type": 4, "data": {"content": "x"}}
        ) as resp:
            assert resp.status == 404 and (await resp.json())["code"] == 10062
    assert any("40060" in p for v in emu.violations for p in v.problems)


async def test_late_callback_is_refused_like_discord(env: Env) -> None:
    """A first callback after the deadline gets 404 Unknown interaction and is reported."""
    emu = env.emu
    emu.expect_violations()
    emu.interaction_deadline = 0.0
    env.bot.tree.on_error = _ignore_error  # type: ignore[method-assign]
    it = await emu.slash(env.guild, env.alice, "poll", question="too late")
    await emu.world.wait_until(
        lambda: True if emu.count_requests("POST", r"/callback$", 404) else None, 5, "the late callback"
    )
    assert not it.acknowledged
    assert any("Discord allows 0.0s" in p for v in emu.violations for p in v.problems)


async def _ignore_error(interaction: discord.Interaction, error: Exception) -> None:
    """Swallow the expected NotFound of a late callback."""


async def test_guild_scoped_sync(emulator: Emulator, discord_log: DiscordLogWatch) -> None:
    """Commands synced to one guild are usable there (data.guild_id set) and not elsewhere."""
    parts = populate(emulator)
    guild, alice = parts["guild"], parts["alice"]
    other = emulator.add_guild("Elsewhere")
    other.add_text_channel("general")
    stranger = other.add_member("stranger")
    async with running(SampleBot(guild_id=guild.id), emulator):  # type: ignore[attr-defined]
        await emulator.wait_for_commands(guild, {"poll"})
        assert emulator.commands(None) == []
        it = await emulator.slash(guild, alice, "poll", question="local")  # type: ignore[arg-type]
        assert it.data["guild_id"] == str(guild.id)  # type: ignore[attr-defined]
        assert (await it.reply()).content == "local"
        with pytest.raises(NotPossible, match="not a synced command"):
            await emulator.slash(other, stranger, "poll", question="x")


async def test_command_in_a_dm(env: Env) -> None:
    """A command run in the bot's DMs carries `user` (no member) and is answered in the DM channel."""
    it = await env.emu.slash(None, env.alice, "poll", question="in private")
    reply = await it.reply()
    assert reply.channel_id == env.emu.dm_channel_of(env.alice).id and reply.guild_id is None
    assert "member" not in it.payload and it.payload["user"]["id"] == str(env.alice.id)
    assert it.payload["context"] == 1
