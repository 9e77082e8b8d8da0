"""EventsRepository on a real SQLite file: events, their notices, the claim rules and cancelling."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from storage.claims import Claim
from storage.database import Database
from storage.events import Event, EventInput, EventsRepository, Notice, NoticePlan

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
GUILD = 1
GRACE = timedelta(hours=1)
MODERATOR = 42


def event_input(discord_id: int = 900, days: float = 3, **changes: object) -> EventInput:
    """A valid event starting `days` after NOW and lasting 90 minutes."""
    start = NOW + timedelta(days=days)
    values: dict[str, object] = {
        "discord_event_id": discord_id,
        "title": "Positive energy districts",
        "description": "How Lisbon did it.",
        "location": "https://meet.example.org/ped",
        "starts_at": start,
        "ends_at": start + timedelta(minutes=90),
        "timezone": "Europe/Brussels",
    }
    values.update(changes)
    return EventInput(**values)  # type: ignore[arg-type]


def plans(data: EventInput) -> list[NoticePlan]:
    """Reminders 1 day and 1 hour before the start and the follow-up at the end."""
    return [
        NoticePlan("reminder", timedelta(days=1), data.starts_at - timedelta(days=1)),
        NoticePlan("reminder", timedelta(hours=1), data.starts_at - timedelta(hours=1)),
        NoticePlan("followup", timedelta(0), data.ends_at),
    ]


@pytest.fixture
def repo(migrated_db: Database) -> EventsRepository:
    """A repository on a freshly migrated database."""
    return EventsRepository(migrated_db)


async def make(
    repo: EventsRepository, data: EventInput | None = None, guild: int = GUILD
) -> tuple[Event, list[Notice]]:
    """Store an event with its three notices; return (event, notices)."""
    data = data or event_input()
    return await repo.create(guild, data, plans(data), created_by=MODERATOR, now=NOW)


async def test_create_stores_event_and_notices(repo: EventsRepository) -> None:
    """The row reads back as typed, with its notices by due time."""
    data = event_input(campaign="Energy stories")
    event, notices = await make(repo, data)
    assert event.title == data.title and event.starts_at == data.starts_at and event.ends_at == data.ends_at
    assert event.state == "scheduled" and event.campaign == "Energy stories" and event.created_by == MODERATOR
    assert [(n.kind, n.offset, n.due_at, n.state) for n in notices] == [
        ("reminder", timedelta(days=1), data.starts_at - timedelta(days=1), "pending"),
        ("reminder", timedelta(hours=1), data.starts_at - timedelta(hours=1), "pending"),
        ("followup", timedelta(0), data.ends_at, "pending"),
    ]
    assert all(n.guild_id == GUILD and n.event_id == event.id for n in notices)
    assert await repo.get(event.id) == event
    assert await repo.notices_of(event.id) == notices
    assert [n.id for n in await repo.open_notices()] == [n.id for n in notices]


async def test_database_refuses_what_discord_refuses(repo: EventsRepository) -> None:
    """Over-long titles, an end before the start and a reused Discord event id never reach the table."""
    with pytest.raises(sqlite3.IntegrityError):
        await make(repo, event_input(title="x" * 101))
    with pytest.raises(sqlite3.IntegrityError):
        await make(repo, event_input(ends_at=NOW))
    await make(repo, event_input(discord_id=5))
    with pytest.raises(sqlite3.IntegrityError):
        await make(repo, event_input(discord_id=5))
    with pytest.raises(ValueError):
        await repo.create(
            GUILD, event_input(6), [NoticePlan("poll", timedelta(0), NOW)], created_by=1, now=NOW
        )
    # A failed insert leaves nothing behind: one event, three notices.
    assert len(await repo.open_notices()) == 3
    assert await repo.count_upcoming(GUILD, now=NOW) == 1


async def test_upcoming_is_this_servers_scheduled_events_not_ended(repo: EventsRepository) -> None:
    """Soonest first; other servers, cancelled and finished events are left out."""
    later, _ = await make(repo, event_input(1, days=5))
    sooner, _ = await make(repo, event_input(2, days=1))
    await make(repo, event_input(3, days=2), guild=2)
    dropped, _ = await make(repo, event_input(4, days=3))
    assert await repo.cancel(GUILD, dropped.id, by=MODERATOR, now=NOW) is not None
    assert [e.id for e in await repo.upcoming(GUILD, now=NOW)] == [sooner.id, later.id]
    assert [e.id for e in await repo.upcoming(GUILD, now=NOW, limit=1)] == [sooner.id]
    # While it runs an event is still upcoming; once it has ended it is not.
    running = sooner.starts_at + timedelta(minutes=10)
    assert [e.id for e in await repo.upcoming(GUILD, now=running)] == [sooner.id, later.id]
    assert [e.id for e in await repo.upcoming(GUILD, now=sooner.ends_at)] == [later.id]
    assert await repo.count_upcoming(GUILD, now=sooner.ends_at) == 1


async def test_claim_rules(repo: EventsRepository) -> None:
    """Early, claimed once, then gone; a notice later than the grace period is missed instead."""
    _, (day, hour, followup) = await make(repo)
    assert await repo.claim(day.id, now=day.due_at - timedelta(minutes=5), grace=GRACE) is Claim.EARLY
    assert (await repo.notice(day.id)).state == "pending"  # type: ignore[union-attr]
    # Clocks drift: a job woken a fraction of a second early still claims.
    almost = day.due_at - timedelta(milliseconds=300)
    assert await repo.claim(day.id, now=almost, grace=GRACE) is Claim.CLAIMED
    assert await repo.claim(day.id, now=day.due_at, grace=GRACE) is Claim.GONE
    assert (await repo.notice(day.id)).state == "sending"  # type: ignore[union-attr]
    late = hour.due_at + GRACE + timedelta(seconds=1)
    assert await repo.claim(hour.id, now=late, grace=GRACE) is Claim.MISSED
    assert (await repo.notice(hour.id)).state == "missed"  # type: ignore[union-attr]
    within = followup.due_at + GRACE
    assert await repo.claim(followup.id, now=within, grace=GRACE) is Claim.CLAIMED
    assert await repo.claim(999, now=NOW, grace=GRACE) is Claim.GONE


async def test_finish_records_the_outcome_of_a_claimed_notice_only(repo: EventsRepository) -> None:
    """A notice not claimed cannot be finished; a sent one keeps its message id; bad outcomes are refused."""
    _, (day, hour, _followup) = await make(repo)
    assert not await repo.finish(day.id, outcome="sent", message_id=1, note=None, now=NOW)
    await repo.claim(day.id, now=day.due_at, grace=GRACE)
    assert await repo.finish(day.id, outcome="sent", message_id=77, note=None, now=day.due_at)
    assert not await repo.finish(day.id, outcome="failed", message_id=None, note="again", now=day.due_at)
    stored = await repo.notice(day.id)
    assert stored is not None and stored.state == "sent" and stored.message_id == 77
    with pytest.raises(ValueError):
        await repo.finish(hour.id, outcome="posted", message_id=None, note=None, now=NOW)
    assert day.id not in [n.id for n in await repo.open_notices()]


async def test_cancel_marks_event_and_pending_notices(repo: EventsRepository) -> None:
    """Pending notices go with the event (their ids come back); sent ones stay history; once only."""
    event, (day, hour, followup) = await make(repo)
    await repo.claim(day.id, now=day.due_at, grace=GRACE)
    await repo.finish(day.id, outcome="sent", message_id=5, note=None, now=day.due_at)
    assert await repo.cancel(2, event.id, by=MODERATOR, now=NOW) is None  # another server's command
    result = await repo.cancel(GUILD, event.id, by=MODERATOR, now=day.due_at)
    assert result is not None
    cancelled, ids = result
    assert cancelled.state == "cancelled" and cancelled.cancelled_by == MODERATOR
    assert cancelled.cancelled_at == day.due_at
    assert ids == [hour.id, followup.id]
    assert [n.state for n in await repo.notices_of(event.id)] == ["sent", "cancelled", "cancelled"]
    assert await repo.claim(hour.id, now=hour.due_at, grace=GRACE) is Claim.GONE
    assert await repo.cancel(GUILD, event.id, by=MODERATOR, now=NOW) is None
    assert await repo.cancel(GUILD, 12345, by=MODERATOR, now=NOW) is None
    assert await repo.open_notices() == []


async def test_claim_of_a_cancelled_events_notice_is_gone(
    repo: EventsRepository, migrated_db: Database
) -> None:
    """Even a notice left pending under a cancelled event (older data) is never claimed."""
    event, (day, _hour, _followup) = await make(repo)
    async with migrated_db.transaction() as conn:
        await conn.execute("UPDATE events SET state = 'cancelled' WHERE id = ?", (event.id,))
    assert await repo.claim(day.id, now=day.due_at, grace=GRACE) is Claim.GONE


async def test_mark_notices_at_start(repo: EventsRepository) -> None:
    """Missed and uncertain are the only start-up states; finished rows are left alone."""
    _, (day, hour, followup) = await make(repo)
    await repo.claim(day.id, now=day.due_at, grace=GRACE)
    await repo.mark_notices([day.id], "uncertain", now=NOW, note="bot stopped while posting")
    await repo.mark_notices([hour.id], "missed", now=NOW, note="bot was offline")
    await repo.mark_notices([hour.id], "uncertain", now=NOW, note="not applied: already missed")
    with pytest.raises(ValueError):
        await repo.mark_notices([followup.id], "sent", now=NOW, note="x")
    states = {n.id: (n.state, n.note) for n in await repo.notices_of(day.event_id)}
    assert states[day.id] == ("uncertain", "bot stopped while posting")
    assert states[hour.id] == ("missed", "bot was offline")
    assert states[followup.id] == ("pending", None)


async def test_member_data_lists_moderator_actions(repo: EventsRepository) -> None:
    """A moderator sees the events they created and cancelled in this server, and nothing else."""
    event, _ = await make(repo)
    await make(repo, event_input(2), guild=2)
    await repo.cancel(GUILD, event.id, by=7, now=NOW)
    mine = await repo.member_data(GUILD, MODERATOR)
    created = mine["moderator_actions"]["events_created"]
    assert [row["id"] for row in created] == [event.id] and created[0]["title"] == event.title
    assert mine["moderator_actions"]["events_cancelled"] == []
    other = await repo.member_data(GUILD, 7)
    assert [row["id"] for row in other["moderator_actions"]["events_cancelled"]] == [event.id]
    assert other["moderator_actions"]["events_created"] == []
