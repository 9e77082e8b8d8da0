"""/event end to end: Discord scheduled events created, listed and cancelled through the emulator;
reminders and the follow-up posted once, kept across restarts, and reported when missed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

import pytest

from cogs.events.cog import COG_NAME, EventsCog
from sandbox import perms
from sandbox.emulator import Emulator
from sandbox.state import Message
from storage.events import Event, Notice
from storage.times import to_db_time
from tests.e2e.harness import BotHarness, Town

if TYPE_CHECKING:
    from tests.e2e.conftest import AppLogWatch

BRUSSELS = ZoneInfo("Europe/Brussels")
EVENTS_ROUTE = r"^/guilds/\d+/scheduled-events$"
CANCELLED = 4


def cog_of(harness: BotHarness) -> EventsCog:
    """The running bot's events cog."""
    assert harness.bot is not None
    cog = harness.bot.get_cog(COG_NAME)
    # Not isinstance: discord.py re-imports an extension's modules at every bot start.
    assert cog is not None and type(cog).__name__ == EventsCog.__name__
    return cast(EventsCog, cog)


def day_ahead(days: int = 3) -> date:
    """A calendar day some days from now, in Brussels."""
    return (datetime.now(BRUSSELS) + timedelta(days=days)).date()


def brussels(day: date, hour: int, minute: int = 0) -> datetime:
    """A Brussels wall-clock time as an aware UTC datetime."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BRUSSELS).astimezone(UTC)


def parse_iso(text: str) -> datetime:
    """Read a timestamp the bot sent to Discord."""
    return datetime.fromisoformat(text).astimezone(UTC)


async def create(emu: Emulator, town: Town, who: Any = None, **options: Any) -> Message:
    """Run /event create (as the moderator unless told) with sensible defaults; return the reply."""
    values = {
        "title": "Heat pumps in dense districts",
        "start": f"{day_ahead()} 14:00",
        "duration": "90m",
        "where": "https://meet.example.org/heat_pumps",
        **options,
    }
    it = await emu.slash(town.guild, who or town.moderator, "event create", **values)
    return await it.reply()


async def only_event(harness: BotHarness, town: Town) -> tuple[Event, list[Notice]]:
    """The one upcoming event of the town, with its notices."""
    cog = cog_of(harness)
    (event,) = await cog.repo.upcoming(town.guild.id, now=datetime.now(UTC))
    return event, await cog.repo.notices_of(event.id)


async def move_notice(harness: BotHarness, notice_id: int, due: datetime, state: str = "pending") -> None:
    """Rewrite a notice's due time (and state) in the database, as if time had passed."""
    assert harness.bot is not None
    async with harness.bot.database.transaction() as conn:
        await conn.execute(
            "UPDATE event_notices SET due_at = ?, state = ? WHERE id = ?", (to_db_time(due), state, notice_id)
        )


def reminders_in(emu: Emulator, town: Town) -> list[Message]:
    """The reminder posts in the announcements channel."""
    return [m for m in emu.messages_in(town.announcements) if "Reminder" in m.content]


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> bool:
    """Poll an asynchronous condition until it holds or the timeout passes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.02)
    return await check()


async def test_create_makes_the_discord_event_announces_and_schedules(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """The Discord event has the typed times and place; the reply links it; jobs wait; list shows it."""
    day = day_ahead()
    reply = await create(emulator, town, description="Lessons from @everyone in Lisbon")
    assert reply.ephemeral
    (state,) = town.guild.events.values()
    start, end = brussels(day, 14), brussels(day, 15, 30)
    assert state.name == "Heat pumps in dense districts"
    assert state.entity_type == 3 and state.privacy_level == 2 and state.status == 1
    assert state.entity_metadata == {"location": "https://meet.example.org/heat_pumps"}
    assert parse_iso(state.scheduled_start_time) == start
    assert state.scheduled_end_time is not None and parse_iso(state.scheduled_end_time) == end
    assert state.description == "Lessons from @everyone in Lisbon"
    link = f"https://discord.com/events/{town.guild.id}/{state.id}"
    assert link in reply.content
    assert (
        f"<t:{int(start.timestamp())}:F>" in reply.content
        and f"<t:{int(start.timestamp())}:R>" in reply.content
    )

    event, notices = await only_event(harness, town)
    assert (
        event.discord_event_id == state.id
        and event.starts_at == start
        and event.timezone == "Europe/Brussels"
    )
    assert [(n.kind, n.due_at) for n in notices] == [
        ("reminder", start - timedelta(days=1)),
        ("reminder", start - timedelta(hours=1)),
        ("followup", end),
    ]
    assert harness.bot is not None
    assert sorted(harness.bot.timeline.pending("event-")) == sorted(
        [
            f"event-reminder:{notices[0].id}",
            f"event-reminder:{notices[1].id}",
            f"event-followup:{notices[2].id}",
        ]
    )
    (announced,) = emulator.messages_in(town.announcements)
    assert link in announced.content and "Heat pumps" in announced.content
    assert not announced.mention_everyone and not announced.mention_ids and not announced.mention_role_ids

    listed = await (await emulator.slash(town.guild, town.member, "event list")).reply()
    assert listed.ephemeral and link in listed.text
    assert (
        f"<t:{int(start.timestamp())}:F>" in listed.text and f"<t:{int(start.timestamp())}:R>" in listed.text
    )


async def test_start_in_a_named_zone_and_no_announcement(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """A zone after the date wins over the server's; announce:false posts nothing."""
    day = day_ahead(10)
    reply = await create(emulator, town, start=f"{day} 09:00 Europe/Lisbon", duration="2h", announce=False)
    assert "Created event" in reply.content
    (state,) = town.guild.events.values()
    expected = datetime(day.year, day.month, day.day, 9, tzinfo=ZoneInfo("Europe/Lisbon")).astimezone(UTC)
    assert parse_iso(state.scheduled_start_time) == expected
    assert emulator.messages_in(town.announcements) == []


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"start": "2020-01-01 10:00"}, "at least a minute from now"),
        ({"start": "next tuesday"}, "could not read"),
        ({"start": f"{day_ahead()} 14:00 Mars/Olympus"}, "not a time zone I know"),
        ({"duration": "forever"}, "could not read `forever` as a duration"),
        ({"duration": "2m"}, "5 minutes to 7 days"),
        ({"duration": "8d"}, "5 minutes to 7 days"),
        ({"title": "W" * 101}, "Discord allows at most 100"),
        ({"where": "https://example.org/" + "a" * 100}, "Discord allows at most 100"),
        ({"description": "d" * 1001}, "at most 1000"),
        ({"title": "\u200b\u200b\u200b"}, "title is empty or only invisible characters"),
        ({"title": " \u2060\u200d\ufeff "}, "title is empty or only invisible characters"),
        ({"where": "\u200b\u200e"}, "is empty or only invisible characters"),
        ({"description": "\u200b\u200b"}, "description is empty or only invisible characters"),
        ({"campaign": "No such campaign"}, "no testimonial campaign"),
    ],
)
async def test_bad_input_creates_nothing(
    emulator: Emulator, town: Town, harness: BotHarness, options: dict[str, str], expected: str
) -> None:
    """Each mistake gets an ephemeral explanation; no Discord event, no row, no job."""
    reply = await create(emulator, town, **options)
    assert reply.ephemeral and expected in reply.content
    assert town.guild.events == {}
    assert emulator.count_requests("POST", EVENTS_ROUTE) == 0
    assert await cog_of(harness).repo.upcoming(town.guild.id, now=datetime.now(UTC)) == []
    assert harness.bot is not None and harness.bot.timeline.pending("event-") == []


async def test_members_cannot_create_or_cancel(emulator: Emulator, town: Town, harness: BotHarness) -> None:
    """The server checks the moderator role: a member is refused both; the event stays."""
    refused = await create(emulator, town, who=town.member)
    assert refused.ephemeral and "for moderators" in refused.content
    assert town.guild.events == {}
    await create(emulator, town)
    event, _ = await only_event(harness, town)
    it = await emulator.slash(town.guild, town.member, "event cancel", id=event.id)
    assert "for moderators" in (await it.reply()).content
    assert town.guild.events[event.discord_event_id].status == 1
    assert (await cog_of(harness).repo.get(event.id)).state == "scheduled"  # type: ignore[union-attr]


async def test_bot_without_event_permission_says_so(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Without Create Events or Manage Events the bot explains instead of failing at Discord."""
    town.guild.bot_role.permissions &= ~(perms.MANAGE_EVENTS | perms.CREATE_EVENTS)
    reply = await create(emulator, town)
    assert reply.ephemeral and "Create Events" in reply.content
    assert town.guild.events == {} and emulator.count_requests("POST", EVENTS_ROUTE) == 0


async def test_cancel_cancels_the_discord_event_and_its_jobs(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Autocomplete offers the event; cancel marks it cancelled in Discord and here; jobs are gone."""
    await create(emulator, town)
    event, _ = await only_event(harness, town)
    choices = await emulator.autocomplete(
        town.guild, town.moderator, "event cancel", focused="id", value="heat"
    )
    assert [c["value"] for c in choices] == [event.id] and "14:00 Europe/Brussels" in choices[0]["name"]
    reply = await (await emulator.slash(town.guild, town.moderator, "event cancel", id=event.id)).reply()
    assert reply.ephemeral and f"Cancelled event #{event.id}" in reply.content
    assert town.guild.events[event.discord_event_id].status == CANCELLED
    assert harness.bot is not None and harness.bot.timeline.pending("event-") == []
    repo = cog_of(harness).repo
    assert (await repo.get(event.id)).state == "cancelled"  # type: ignore[union-attr]
    assert {n.state for n in await repo.notices_of(event.id)} == {"cancelled"}
    told = await emulator.wait_for_message(town.announcements, lambda m: "is cancelled" in m.content)
    assert "Heat pumps" in told.content
    announced = emulator.messages_in(town.announcements)[0]
    assert (
        announced.content.startswith("❌ **Cancelled**")
        and "~~Heat pumps in dense districts~~" in announced.content
    )
    assert "discord.com/events" not in announced.content, "no invitation to a cancelled event is left"
    listed = await (await emulator.slash(town.guild, town.member, "event list")).reply()
    assert "No upcoming events" in listed.content
    again = await (await emulator.slash(town.guild, town.moderator, "event cancel", id=event.id)).reply()
    assert "no scheduled event" in again.content
    await harness.restart()
    assert harness.bot.timeline.pending("event-") == []


async def test_restart_keeps_reminders_scheduled(emulator: Emulator, town: Town, harness: BotHarness) -> None:
    """The jobs come back from the database after a restart, with the same ids and times."""
    await create(emulator, town)
    await create(emulator, town, title="Nature-based solutions", start="in 5h")
    assert harness.bot is not None
    before = sorted(harness.bot.timeline.pending("event-"))
    assert len(before) == 5  # 3 for the first, 1-hour reminder and follow-up for the second
    bot = await harness.restart()
    assert sorted(bot.timeline.pending("event-")) == before
    times = {job.id: job.next_run_time for job in bot.scheduler.get_jobs() if job.id.startswith("event-")}
    repo = cog_of(harness).repo
    for event in await repo.upcoming(town.guild.id, now=datetime.now(UTC)):
        for notice in await repo.notices_of(event.id):
            assert times[f"event-{notice.kind}:{notice.id}"] == notice.due_at


async def test_reminder_job_posts_once(emulator: Emulator, town: Town, harness: BotHarness) -> None:
    """Run the 1-day reminder's job when due: one post with times and link; running it again posts nothing."""
    await create(emulator, town)
    event, (day, _hour, _followup) = await only_event(harness, town)
    await move_notice(harness, day.id, datetime.now(UTC))
    jobs = cog_of(harness).jobs
    assert await jobs.run_notice(day.id) == "sent"
    assert await jobs.run_notice(day.id) == "gone"
    (posted,) = reminders_in(emulator, town)
    assert f"<t:{int(event.starts_at.timestamp())}:R>" in posted.content
    assert f"https://discord.com/events/{town.guild.id}/{event.discord_event_id}" in posted.content
    assert not posted.mention_everyone and not posted.mention_ids
    stored = await cog_of(harness).repo.notice(day.id)
    assert stored is not None and stored.state == "sent" and stored.message_id == posted.id


async def test_reminder_due_within_grace_while_down_posts_once_at_start(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Due ten minutes ago when the bot starts: posted once at start, never again after another restart."""
    await create(emulator, town)
    _, (_day, hour, _followup) = await only_event(harness, town)
    await move_notice(harness, hour.id, datetime.now(UTC) - timedelta(minutes=10))
    await harness.restart()
    await emulator.wait_for_message(town.announcements, lambda m: "Reminder" in m.content)
    repo = cog_of(harness).repo

    async def sent() -> bool:
        """Whether the reminder was recorded as sent."""
        found = await repo.notice(hour.id)
        return found is not None and found.state == "sent"

    assert await eventually(sent)
    await harness.restart()
    assert len(reminders_in(emulator, town)) == 1
    assert emulator.messages_in(town.moderation) == []


async def test_missed_and_interrupted_reminders_are_reported_not_posted(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Beyond the grace period: moderators are told and nothing is posted; a post cut short is flagged."""
    await create(emulator, town)
    _, (day, hour, _followup) = await only_event(harness, town)
    await move_notice(harness, day.id, datetime.now(UTC) - timedelta(hours=2))
    await move_notice(harness, hour.id, datetime.now(UTC) - timedelta(minutes=5), state="sending")
    await harness.restart()
    notice = await emulator.wait_for_message(town.moderation, lambda m: "not posted" in m.content)
    assert "1 day reminder" in notice.content and "Heat pumps" in notice.content
    assert "may not have been posted" in notice.content and "1 hour reminder" in notice.content
    assert reminders_in(emulator, town) == []
    repo = cog_of(harness).repo
    assert (await repo.notice(day.id)).state == "missed"  # type: ignore[union-attr]
    assert (await repo.notice(hour.id)).state == "uncertain"  # type: ignore[union-attr]
    assert harness.bot is not None
    assert [j for j in harness.bot.timeline.pending("event-") if j.startswith("event-reminder:")] == []


async def test_followup_thanks_and_invites_testimonials(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """At the end a thank-you asks for feedback and points to /testimonial submit for the chosen campaign."""
    made = await emulator.slash(
        town.guild, town.moderator, "campaign create", name="Heat stories", prompt="How do you keep warm?"
    )
    await made.reply()
    offered = await emulator.autocomplete(
        town.guild, town.moderator, "event create", focused="campaign", value="heat"
    )
    assert [c["value"] for c in offered] == ["Heat stories"]
    reply = await create(emulator, town, campaign="Heat stories")
    assert "Heat stories" in reply.content
    _, (_day, _hour, followup) = await only_event(harness, town)
    await move_notice(harness, followup.id, datetime.now(UTC))
    assert await cog_of(harness).jobs.run_notice(followup.id) == "sent"
    thanks = await emulator.wait_for_message(town.announcements, lambda m: "Thank you" in m.content)
    assert "feedback" in thanks.content and "`/testimonial submit campaign:Heat stories`" in thanks.content
    # Without the option, an open campaign named like the event is the one invited.
    await create(emulator, town, title="heat Stories", start="in 3h", announce=False)
    repo = cog_of(harness).repo
    second = next(e for e in await repo.upcoming(town.guild.id, now=datetime.now(UTC)) if e.campaign is None)
    (_hour, second_followup) = await repo.notices_of(second.id)
    await move_notice(harness, second_followup.id, datetime.now(UTC))
    assert await cog_of(harness).jobs.run_notice(second_followup.id) == "sent"
    other = await emulator.wait_for_message(
        town.announcements, lambda m: "joined **heat Stories**" in m.content
    )
    assert "`/testimonial submit campaign:Heat stories`" in other.content


async def test_event_deleted_in_discord_gets_no_reminder(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Someone deleted the event in Discord: the reminder is not posted, the event is cancelled here."""
    await create(emulator, town)
    event, (day, _hour, _followup) = await only_event(harness, town)
    del town.guild.events[event.discord_event_id]
    await move_notice(harness, day.id, datetime.now(UTC))
    assert await cog_of(harness).jobs.run_notice(day.id) == "cancelled"
    assert reminders_in(emulator, town) == []
    told = await emulator.wait_for_message(town.moderation, lambda m: "deleted in Discord" in m.content)
    assert f"#{event.id}" in told.content
    assert (await cog_of(harness).repo.get(event.id)).state == "cancelled"  # type: ignore[union-attr]
    assert harness.bot is not None and harness.bot.timeline.pending("event-") == []


async def test_recording_failure_deletes_the_discord_event(
    emulator: Emulator, town: Town, harness: BotHarness, app_log: AppLogWatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the row cannot be written the Discord event is deleted again: nothing half-created."""
    app_log.allow(r"in /event create")
    repo = cog_of(harness).repo

    async def broken(*args: object, **kwargs: object) -> None:
        """Fail like a full disk."""
        raise OSError("disk full")

    monkeypatch.setattr(repo, "create", broken)
    reply = await create(emulator, town)
    assert reply.ephemeral and "Something went wrong" in reply.content
    assert emulator.count_requests("POST", EVENTS_ROUTE, 200) == 1
    assert emulator.count_requests("DELETE", r"^/guilds/\d+/scheduled-events/\d+$") == 1
    assert town.guild.events == {}
    assert emulator.messages_in(town.announcements) == []


async def test_discord_refusing_the_event_stores_nothing(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Discord answers the create with an error: the reply says so; no row, no job, no announcement."""
    emulator.faults.server_error("POST", EVENTS_ROUTE, times=1, status=403)
    reply = await create(emulator, town)
    assert reply.ephemeral and "Discord refused to create the event (403" in reply.content
    assert "nothing was created" in reply.content
    assert town.guild.events == {}
    assert await cog_of(harness).repo.upcoming(town.guild.id, now=datetime.now(UTC)) == []
    assert harness.bot is not None and harness.bot.timeline.pending("event-") == []
    assert emulator.messages_in(town.announcements) == []
