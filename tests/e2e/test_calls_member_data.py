"""The calls capability's member data through the registry /mydata iterates: export and erasure."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sandbox.emulator import Emulator
from tests.e2e.harness import BotHarness, Town


def later(days: int) -> str:
    """A date `days` from now, as a moderator types it."""
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%d")


async def test_calls_export_and_erase_a_members_data_and_keep_moderator_records(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Subscriptions and reminder DMs are exported and erased; calls and announcements a moderator
    made are exported under moderator_actions and kept."""
    bot = harness.bot
    assert bot is not None
    assert "Calls" in bot.member_data.names()
    cog = bot.get_cog("Calls")
    assert cog is not None
    holder = cog.member_data()  # type: ignore[attr-defined]
    rows = [{"identifier": "LIFE-2027-M", "title": "Member data", "deadline": later(60)}]
    upload = emulator.upload("calls.json", json.dumps(rows).encode(), "application/json")
    await (await emulator.slash(town.guild, town.moderator, "calls import", file=upload)).reply(timeout=10)
    options = {"channel": town.announcements, "when": "in 2h", "message": "Webinar"}
    await (await emulator.slash(town.guild, town.moderator, "announce schedule", options=options)).reply()
    await (await emulator.slash(town.guild, town.member, "calls subscribe", programme="life")).reply()
    call = await bot.repos.calls.get(town.guild.id, "LIFE-2027-M")
    assert call is not None
    reminder = (await bot.repos.calls.reminders_of(call.id))[0]
    now = datetime.now(UTC)
    assert await bot.repos.calls.claim_dm(reminder.id, town.member.id, now=now)
    await bot.repos.calls.finish_dm(reminder.id, town.guild.id, town.member.id, "sent", now=now)

    (member_part,) = [
        part
        for part in await bot.member_data.export(town.guild.id, town.member.id)
        if "call_subscriptions" in part
    ]
    assert [s["programme"] for s in member_part["call_subscriptions"]] == ["life"]
    assert [(d["call"], d["state"]) for d in member_part["call_reminder_dms"]] == [("LIFE-2027-M", "sent")]
    moderator_part = await holder.export_member_data(town.guild.id, town.moderator.id)
    actions = moderator_part["moderator_actions"]
    assert [c["identifier"] for c in actions["calls_registered"]] == ["LIFE-2027-M"]
    assert [a["message"] for a in actions["announcements_scheduled"]] == ["Webinar"]

    guild = bot.get_guild(town.guild.id)
    assert guild is not None
    member = await guild.fetch_member(town.member.id)
    moderator = await guild.fetch_member(town.moderator.id)
    erased = await holder.erase_member_data(member)
    assert erased.counts["call_subscriptions"] == 1 and erased.counts["call_reminder_dms"] == 1
    assert await bot.repos.calls.subscriptions(town.guild.id, town.member.id) == []
    emptied = await holder.export_member_data(town.guild.id, town.member.id)
    assert emptied["call_subscriptions"] == [] and emptied["call_reminder_dms"] == []
    again = await holder.erase_member_data(member)
    assert again.counts["call_subscriptions"] == 0 and again.counts["call_reminder_dms"] == 0
    await holder.erase_member_data(moderator)
    assert (await bot.repos.calls.get(town.guild.id, "LIFE-2027-M")) is not None
    assert len(await bot.repos.announcements.pending(town.guild.id, limit=-1)) == 1
