"""Reminders and announcements through the emulator: subscriptions and closed DMs, 429/500 retries,
role pings, restarts with late and interrupted items, a kill right after sending, daylight saving."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.replies import stable_nonce
from bot.settings import DefaultsSettings, Settings
from cogs.calls.jobs import Dispatcher
from cogs.calls.views import COG_NAME
from sandbox import perms
from sandbox.emulator import Emulator
from storage.announcements import AnnouncementInput
from storage.calls import CallInput, Claim
from storage.repositories import open_storage
from tests.e2e.harness import BotHarness, Town, bot_settings, configure_town, subprocess_bot

BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture
async def settings(emulator: Emulator, town: Town, tmp_path: Path) -> Settings:
    """Town settings whose only reminder comes 4 s before a deadline, so tests wait seconds, not days."""
    configured = bot_settings(emulator, tmp_path, [town.guild.id])
    configured.defaults = DefaultsSettings(reminder_offsets=["4s"], misfire_grace="1h")
    await configure_town(configured, town)
    return configured


def dispatcher_of(harness: BotHarness) -> Dispatcher:
    """The running bot's calls dispatcher."""
    assert harness.bot is not None
    return harness.bot.get_cog(COG_NAME).dispatcher  # type: ignore[union-attr]


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> bool:
    """Poll an asynchronous condition until it holds or the timeout passes; return whether it held."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.02)
    return await check()


async def state_is(row: Awaitable[Any], state: str) -> bool:
    """Whether a repository row exists and has this state."""
    found = await row
    return found is not None and found.state == state


def last_sunday(year: int, month: int) -> date:
    """The last Sunday of a month: when Europe changes its clocks in March and October."""
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def iso_in(seconds: float) -> str:
    """An ISO 8601 UTC time `seconds` from now."""
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat(timespec="seconds")


async def schedule(emu: Emulator, town: Town, message: str, when: str = "in 1s", **options: object):  # type: ignore[no-untyped-def]
    """Run /announce schedule as the moderator in the announcements channel and return the reply."""
    values = {"channel": town.announcements, "when": when, "message": message, **options}
    return await (await emu.slash(town.guild, town.moderator, "announce schedule", options=values)).reply()


async def test_reminder_is_posted_and_dmed_to_subscribers_and_closed_dms_are_skipped(
    emulator: Emulator, town: Town, harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """Alice gets the DM; Bob's DMs are closed: warned at subscribe, skipped and logged, tried once only."""
    caplog.set_level(logging.INFO, logger="cogs.calls")
    bob = town.guild.add_member("bob", dms_closed=True)
    carol = town.guild.add_member("carol")
    ok = await (await emulator.slash(town.guild, town.member, "calls subscribe")).reply()
    assert "Subscribed" in ok.content and "⚠️" not in ok.content
    warned = await (await emulator.slash(town.guild, bob, "calls subscribe", programme="life")).reply()
    assert "could not send you a direct message" in warned.content
    other = await (await emulator.slash(town.guild, carol, "calls subscribe", programme="dut")).reply()
    assert "Subscribed" in other.content
    bob_dm = emulator.dm_channel_of(bob)
    tries_before = emulator.count_requests("POST", rf"/channels/{bob_dm.id}/messages")

    rows = [{"identifier": "LIFE-2027-01", "title": "LIFE soon", "programme": "LIFE", "deadline": iso_in(7)}]
    upload = emulator.upload("calls.json", json.dumps(rows).encode(), "application/json")
    imported = await (await emulator.slash(town.guild, town.moderator, "calls import", file=upload)).reply()
    assert "1 added" in imported.content

    posted = await emulator.wait_for_message(
        town.announcements, lambda m: "to apply to" in m.content, timeout=10
    )
    assert "LIFE-2027-01" in posted.text and not posted.mention_ids and not posted.mention_role_ids
    dm = await emulator.wait_for_message(
        emulator.dm_channel_of(town.member), lambda m: "to apply to" in m.content
    )
    assert "LIFE-2027-01" in dm.text and "/calls unsubscribe" in dm.content
    bot = harness.bot
    assert bot is not None
    call = await bot.repos.calls.get(town.guild.id, "LIFE-2027-01")
    assert call is not None
    (reminder,) = await bot.repos.calls.reminders_of(call.id)
    done = await eventually(lambda: state_is(bot.repos.calls.reminder(reminder.id), "sent"))
    assert done
    assert await bot.repos.calls.dm_outcomes(reminder.id) == {town.member.id: "sent", bob.id: "closed"}
    assert emulator.count_requests("POST", rf"/channels/{bob_dm.id}/messages") == tries_before + 1
    assert not any("to apply to" in m.content for m in emulator.messages_in(emulator.dm_channel_of(carol)))
    assert any("direct messages refused" in r.getMessage() for r in caplog.records)

    await harness.restart()
    assert len([m for m in emulator.messages_in(town.announcements) if "to apply to" in m.content]) == 1
    assert emulator.count_requests("POST", rf"/channels/{bob_dm.id}/messages") == tries_before + 1
    unsub = await (await emulator.slash(town.guild, town.member, "calls unsubscribe")).reply()
    assert "Unsubscribed" in unsub.content


async def test_announcement_posts_exactly_once_through_429_and_500(
    emulator: Emulator, town: Town, harness: BotHarness, discord_log
) -> None:  # type: ignore[no-untyped-def]
    """Discord answers 429 then 500; discord.py retries; one message, one delivery, done."""
    discord_log.allow(r"We are being rate limited")
    path = rf"/channels/{town.announcements.id}/messages"
    emulator.faults.rate_limit("POST", path, times=1, retry_after=0.2)
    emulator.faults.server_error("POST", path, times=1)
    reply = await schedule(emulator, town, "Webinar on positive energy districts", when="in 1s")
    assert "Announcement #" in reply.content and "<t:" in reply.content and ":R>" in reply.content
    posted = await emulator.wait_for_message(town.announcements, lambda m: "Webinar" in m.content, timeout=10)
    assert emulator.count_requests("POST", path, 429) == 1
    assert emulator.count_requests("POST", path, 500) == 1
    assert emulator.count_requests("POST", path, 200) == 1
    assert [m.id for m in emulator.messages_in(town.announcements)] == [posted.id]
    bot = harness.bot
    assert bot is not None
    announcement_id = int(reply.content.split("#", 1)[1].split(" ", 1)[0])
    # The nonce is derived from the row and occurrence, so every retry of this post carries the same
    # one (discord.py adds enforce_nonce); the emulator stores it but does not deduplicate by it.
    assert str(posted.nonce) == stable_nonce("announce", announcement_id, 0)
    assert await eventually(lambda: state_is(bot.repos.announcements.get(announcement_id), "done"))
    deliveries = await bot.repos.announcements.deliveries(announcement_id)
    assert [(d.outcome, d.message_id) for d in deliveries] == [("sent", posted.id)]
    await harness.restart()
    assert [m.id for m in emulator.messages_in(town.announcements)] == [posted.id]


async def test_announcements_ping_only_the_chosen_role(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """`@everyone` and member mentions in the text stay inert; only the chosen role is notified."""
    text = f"@everyone <@{town.member.id}> meeting at 10:00"
    await schedule(emulator, town, text, when="in 1s", ping_role=town.moderators)
    await schedule(emulator, town, "no pings here @here", when="in 1s")
    pinged = await emulator.wait_for_message(town.announcements, lambda m: "meeting" in m.content)
    plain = await emulator.wait_for_message(town.announcements, lambda m: "no pings" in m.content)
    assert pinged.mention_role_ids == [town.moderators.id]
    assert pinged.mention_ids == [] and not pinged.mention_everyone
    assert plain.mention_role_ids == [] and plain.mention_ids == [] and not plain.mention_everyone
    everyone = await schedule(emulator, town, "x", when="in 1h", ping_role=town.guild.everyone)
    assert "never ping @everyone" in everyone.content
    assert (
        "without notifying"
        not in (await schedule(emulator, town, "y", when="in 1h", ping_role=town.moderators)).content
    )
    # Without Mention @everyone a role that is not mentionable is shown but not notified: say so.
    town.guild.bot_role.permissions &= ~perms.MENTION_EVERYONE
    emulator.world.events.role_updated(town.guild.bot_role)
    bot = harness.bot
    assert bot is not None

    async def permission_seen() -> bool:
        """Whether the bot has taken in that it lost Mention @everyone."""
        guild = bot.get_guild(town.guild.id)
        return guild is not None and not guild.me.guild_permissions.mention_everyone

    assert await eventually(permission_seen)
    warned = await schedule(emulator, town, "z", when="in 1h", ping_role=town.moderators)
    assert "Discord will show the mention without notifying anyone" in warned.content


async def test_schedule_list_cancel_and_bad_times(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """The reply echoes the parsed time; list shows it; cancel removes its job; past times are refused."""
    year = datetime.now(UTC).year + 2
    reply = await schedule(emulator, town, "Monthly digest", when=f"{year}-01-31 09:00", repeat="monthly")
    assert "monthly at 09:00 Europe/Brussels" in reply.content
    expected = datetime(year, 1, 31, 8, 0, tzinfo=UTC)
    assert f"<t:{int(expected.timestamp())}:F>" in reply.content
    announcement_id = int(reply.content.split("#", 1)[1].split(" ", 1)[0])
    listing = await (await emulator.slash(town.guild, town.moderator, "announce list")).reply()
    assert f"#{announcement_id}" in listing.text and "repeats monthly" in listing.text
    choices = await emulator.autocomplete(
        town.guild, town.moderator, "announce cancel", focused="id", value=""
    )
    assert [c["value"] for c in choices] == [announcement_id]
    peek = await emulator.autocomplete(town.guild, town.member, "announce cancel", focused="id", value="")
    assert peek == []
    bot = harness.bot
    assert bot is not None
    assert bot.timeline.pending("announce:") == [f"announce:{announcement_id}"]
    cancelled = await (
        await emulator.slash(town.guild, town.moderator, "announce cancel", id=announcement_id)
    ).reply()
    assert "Cancelled" in cancelled.content and bot.timeline.pending("announce:") == []
    again = await (
        await emulator.slash(town.guild, town.moderator, "announce cancel", id=announcement_id)
    ).reply()
    assert "no scheduled announcement" in again.content
    past = await schedule(emulator, town, "late", when="2020-01-01 09:00")
    assert "in the past" in past.content
    nonsense = await schedule(emulator, town, "late", when="tomorrow-ish")
    assert "could not read" in nonsense.content
    denied = await emulator.slash(town.guild, town.member, "announce list")
    assert "moderators" in (await denied.reply()).content


async def test_restart_runs_late_items_once_and_reports_missed_and_interrupted_ones(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """While the bot was down: 10 min late runs once; 2 h late is missed and reported; a row left
    'sending' (killed mid-send) is reported as uncertain and not resent; a weekly one moves on."""
    await harness.stop()
    now = datetime.now(UTC)
    db, repos = await open_storage(settings.storage.database_path, default_timezone="Europe/Brussels")
    try:

        def item(message: str, due: datetime, repeat: str = "none") -> AnnouncementInput:
            """An announcement due at `due` in the announcements channel."""
            due = due.replace(microsecond=0)
            local = due.astimezone(BRUSSELS).replace(tzinfo=None)
            return AnnouncementInput(town.announcements.id, message, repeat, "Europe/Brussels", local, due)

        late = await repos.announcements.schedule(
            town.guild.id, item("late but fine", now - timedelta(minutes=10)), created_by=1, now=now
        )
        missed = await repos.announcements.schedule(
            town.guild.id, item("too late", now - timedelta(hours=2)), created_by=1, now=now
        )
        weekly = await repos.announcements.schedule(
            town.guild.id, item("weekly digest", now - timedelta(hours=3), "weekly"), created_by=1, now=now
        )
        stuck = await repos.announcements.schedule(
            town.guild.id, item("interrupted", now - timedelta(minutes=1)), created_by=1, now=now
        )
        await repos.announcements.claim(stuck.id, now=now, grace=timedelta(hours=1))
    finally:
        await db.close()

    await harness.start()
    posted = await emulator.wait_for_message(town.announcements, lambda m: "late but fine" in m.content)
    report = await emulator.wait_for_message(town.moderation, lambda m: "not sent" in m.content)
    assert f"announcement #{missed.id} " in report.content and f"announcement #{weekly.id} " in report.content
    assert "may not have been sent" in report.content and f"announcement #{stuck.id} " in report.content
    assert f"announcement #{late.id} " not in report.content
    bot = harness.bot
    assert bot is not None
    assert await eventually(lambda: state_is(bot.repos.announcements.get(late.id), "done"))
    assert (await bot.repos.announcements.get(missed.id)).state == "missed"  # type: ignore[union-attr]
    assert (await bot.repos.announcements.get(stuck.id)).state == "uncertain"  # type: ignore[union-attr]
    moved = await bot.repos.announcements.get(weekly.id)
    assert moved is not None and moved.state == "pending" and moved.next_due_at > now
    assert moved.next_due_at - weekly.next_due_at == timedelta(days=7)
    assert bot.timeline.pending("announce:") == [f"announce:{weekly.id}"]

    await harness.restart()
    texts = [m.content for m in emulator.messages_in(town.announcements)]
    assert texts == [posted.content]
    assert len(emulator.messages_in(town.moderation)) == 1


async def test_killed_right_after_sending_is_reported_not_resent(
    emulator: Emulator, town: Town, settings: Settings, discord_log, app_log
) -> None:  # type: ignore[no-untyped-def]
    """SIGKILL while Discord is answering the post: the message exists once; the restart reports it."""
    path = rf"/channels/{town.announcements.id}/messages"
    emulator.faults.delay("POST", path, seconds=1.0)
    async with subprocess_bot(emulator, settings) as proc:
        await emulator.wait_for_commands(town.guild, {"announce"})
        reply = await (
            await emulator.slash(
                town.guild,
                town.moderator,
                "announce schedule",
                options={"channel": town.announcements, "when": "in 1s", "message": "Kill test"},
            )
        ).reply(timeout=10)
        assert "Announcement #" in reply.content
        await emulator.world.wait_until(
            lambda: True if emulator.faults.fired else None, 10, "the announcement to reach Discord"
        )
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
    sent = await emulator.wait_for_message(town.announcements, lambda m: "Kill test" in m.content)
    harness = BotHarness(emulator, settings)
    await harness.start()
    try:
        report = await emulator.wait_for_message(
            town.moderation, lambda m: "may not have been sent" in m.content
        )
        assert "announcement #1" in report.content
        assert [m.id for m in emulator.messages_in(town.announcements)] == [sent.id]
        assert harness.bot is not None
        assert (await harness.bot.repos.announcements.get(1)).state == "uncertain"  # type: ignore[union-attr]
    finally:
        await harness.stop()


async def test_weekly_0900_brussels_stays_at_0900_across_both_changes(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Posted through the emulator with the dispatcher's clock set to each due time (no waiting):
    09:00 CET before the last Sunday of March, 09:00 CEST after; and back in October."""
    dispatcher = dispatcher_of(harness)
    bot = harness.bot
    assert bot is not None
    year = datetime.now(UTC).year + 1  # always ahead, so the test never ages
    march, october = last_sunday(year, 3), last_sunday(year, 10)
    cases = []
    for change, utc_hours in ((march, (8, 7, 7)), (october, (7, 8, 8))):
        monday = change - timedelta(days=6)  # the Monday before the change
        days = [monday + timedelta(weeks=n) for n in range(3)]
        expected = [f"{d:%Y-%m-%d}T{h:02d}:00" for d, h in zip(days, utc_hours, strict=True)]
        cases.append((f"{monday:%Y-%m-%d} 09:00", expected))
    for first, expected in cases:
        reply = await schedule(emulator, town, f"Weekly from {first}", when=first, repeat="weekly")
        announcement_id = int(reply.content.split("#", 1)[1].split(" ", 1)[0])
        seen = []
        for _ in range(3):
            item = await bot.repos.announcements.get(announcement_id)
            assert item is not None
            seen.append(item.next_due_at.strftime("%Y-%m-%dT%H:%M"))
            assert item.next_due_at.astimezone(BRUSSELS).strftime("%H:%M") == "09:00"
            job = bot.scheduler.get_job(f"announce:{announcement_id}")
            assert job is not None and job.next_run_time == item.next_due_at
            dispatcher.clock = lambda due=item.next_due_at: due + timedelta(seconds=5)
            assert await dispatcher.run_announcement(announcement_id) == "sent"
        assert seen == expected
        posts = [m for m in emulator.messages_in(town.announcements) if first in m.content]
        assert len(posts) == 3
        cancel = await emulator.slash(town.guild, town.moderator, "announce cancel", id=announcement_id)
        assert "Cancelled" in (await cancel.reply()).content
    dispatcher.clock = lambda: datetime.now(UTC)


async def test_restart_resumes_reminder_dms_but_never_repeats_an_interrupted_one(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """Killed during the DM round: the channel post was recorded, one DM was in flight. On start the
    remaining subscribers get their DM; the one in flight is not sent again."""
    bob = town.guild.add_member("bob")
    await harness.stop()
    now = datetime.now(UTC)
    db, repos = await open_storage(settings.storage.database_path, default_timezone="Europe/Brussels")
    try:
        change = await repos.calls.add(
            town.guild.id,
            CallInput("DUT-2027", "DUT call", "dut", now + timedelta(days=1), "Europe/Brussels"),
            created_by=town.moderator.id,
            planner=lambda deadline, zone, at: [(timedelta(days=1) - timedelta(seconds=30), at)],
            now=now - timedelta(seconds=1),
        )
        (reminder,) = change.new_reminders
        for member in (town.member, bob):
            await repos.calls.subscribe(town.guild.id, member.id, "*", now=now)
        assert (
            await repos.calls.claim_reminder(reminder.id, now=now, grace=timedelta(hours=1)) is Claim.CLAIMED
        )
        await repos.calls.mark_posted(reminder.id, message_id=None, note="posted before the kill", now=now)
        assert await repos.calls.claim_dm(reminder.id, town.member.id, now=now)
    finally:
        await db.close()

    await harness.start()
    dm = await emulator.wait_for_message(emulator.dm_channel_of(bob), lambda m: "DUT-2027" in m.text)
    assert "to apply to" in dm.content
    bot = harness.bot
    assert bot is not None
    assert await eventually(lambda: state_is(bot.repos.calls.reminder(reminder.id), "sent"))
    assert await bot.repos.calls.dm_outcomes(reminder.id) == {town.member.id: "sending", bob.id: "sent"}
    assert emulator.messages_in(emulator.dm_channel_of(town.member)) == []
    assert not any("to apply to" in m.content for m in emulator.messages_in(town.announcements))


async def test_restart_sends_a_late_reminder_once_and_reports_a_missed_one(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """While the bot was down: a reminder 10 min late is posted and DMed once; one 2 h late is marked
    missed and reported to the moderation channel; another restart repeats nothing."""
    await harness.stop()
    now = datetime.now(UTC)
    db, repos = await open_storage(settings.storage.database_path, default_timezone="Europe/Brussels")
    try:
        await repos.calls.subscribe(town.guild.id, town.member.id, "*", now=now)
        ids = {}
        for identifier, late_by in (
            ("LIFE-LATE", timedelta(minutes=10)),
            ("LIFE-MISSED", timedelta(hours=2)),
        ):
            due = now - late_by
            change = await repos.calls.add(
                town.guild.id,
                CallInput(
                    identifier, f"{identifier} call", "life", due + timedelta(days=1), "Europe/Brussels"
                ),
                created_by=town.moderator.id,
                planner=lambda deadline, zone, at, due=due: [(timedelta(days=1), due)],
                now=now - timedelta(hours=3),
            )
            ids[identifier] = change.new_reminders[0].id
    finally:
        await db.close()

    await harness.start()
    posted = await emulator.wait_for_message(town.announcements, lambda m: "LIFE-LATE" in m.content)
    assert "1 day left" in posted.content
    dm = await emulator.wait_for_message(
        emulator.dm_channel_of(town.member), lambda m: "LIFE-LATE" in m.content
    )
    assert "/calls unsubscribe" in dm.content
    report = await emulator.wait_for_message(town.moderation, lambda m: "not sent" in m.content)
    assert "`LIFE-MISSED`" in report.content and "LIFE-LATE" not in report.content
    bot = harness.bot
    assert bot is not None
    assert await eventually(lambda: state_is(bot.repos.calls.reminder(ids["LIFE-LATE"]), "sent"))
    assert (await bot.repos.calls.reminder(ids["LIFE-MISSED"])).state == "missed"  # type: ignore[union-attr]
    assert bot.timeline.pending("reminder:") == []

    await harness.restart()
    assert [m.id for m in emulator.messages_in(town.announcements)] == [posted.id]
    assert [m.id for m in emulator.messages_in(emulator.dm_channel_of(town.member))] == [dm.id]
    assert [m.id for m in emulator.messages_in(town.moderation)] == [report.id]
    assert not any("LIFE-MISSED" in m.content for m in emulator.messages_in(town.announcements))


async def test_a_refused_post_is_reported_and_not_retried(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Discord refuses both an announcement and a reminder post (403): moderators are told, the rows
    record it, nothing is retried, and subscribers still get the reminder by DM."""
    path = rf"/channels/{town.announcements.id}/messages"
    emulator.faults.server_error("POST", path, times=2, status=403)
    await (await emulator.slash(town.guild, town.member, "calls subscribe")).reply()
    reply = await schedule(emulator, town, "Refused post", when="in 1s")
    announcement_id = int(reply.content.split("#", 1)[1].split(" ", 1)[0])
    rows = [{"identifier": "LIFE-2027-09", "title": "Refused call", "deadline": iso_in(6)}]
    upload = emulator.upload("calls.json", json.dumps(rows).encode(), "application/json")
    await (await emulator.slash(town.guild, town.moderator, "calls import", file=upload)).reply()

    await emulator.wait_for_message(
        town.moderation, lambda m: f"announcement #{announcement_id} " in m.content
    )
    notice = await emulator.wait_for_message(
        town.moderation, lambda m: "deadline reminder for `LIFE-2027-09`" in m.content, timeout=10
    )
    assert "403" in notice.content
    await emulator.wait_for_message(
        emulator.dm_channel_of(town.member), lambda m: "LIFE-2027-09" in m.content
    )
    bot = harness.bot
    assert bot is not None
    assert await eventually(lambda: state_is(bot.repos.announcements.get(announcement_id), "failed"))
    call = await bot.repos.calls.get(town.guild.id, "LIFE-2027-09")
    assert call is not None
    (reminder,) = await bot.repos.calls.reminders_of(call.id)
    assert await eventually(lambda: state_is(bot.repos.calls.reminder(reminder.id), "sent"))
    done = await bot.repos.calls.reminder(reminder.id)
    assert done is not None and done.message_id is None and (done.note or "").startswith("send failed: 403")
    assert emulator.count_requests("POST", path, 403) == 2
    assert emulator.count_requests("POST", path) == 2
    assert emulator.messages_in(town.announcements) == []
    assert len(emulator.messages_in(town.moderation)) == 2
