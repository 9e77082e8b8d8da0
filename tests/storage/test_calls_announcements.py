"""AnnouncementsRepository on a real SQLite file: claim once, record and advance, recover, cancel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage.announcements import Advance, AnnouncementInput, AnnouncementsRepository
from storage.calls import CallChange, CallInput, CallsRepository, Claim
from storage.database import Database

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
GUILD = 1
GRACE = timedelta(hours=1)


def announcement(
    due: datetime = NOW + timedelta(hours=1), repeat: str = "none", **changes: object
) -> AnnouncementInput:
    """A valid announcement due at `due`."""
    values: dict[str, object] = {
        "channel_id": 10,
        "message": "Webinar tomorrow",
        "repeat": repeat,
        "timezone": "Europe/Brussels",
        "first_local": due.astimezone().replace(tzinfo=None),
        "due_at": due,
    }
    values.update(changes)
    return AnnouncementInput(**values)  # type: ignore[arg-type]


async def add_call(calls: CallsRepository) -> CallChange:
    """Register the call LIFE-1, due in 30 days, without reminders."""
    return await calls.add(
        GUILD,
        CallInput("LIFE-1", "Life", "life", NOW + timedelta(days=30), "Europe/Brussels"),
        created_by=7,
        planner=lambda deadline, zone, now: [],
        now=NOW,
    )


@pytest.fixture
def repo(migrated_db: Database) -> AnnouncementsRepository:
    """A repository on a migrated database."""
    return AnnouncementsRepository(migrated_db)


async def test_one_off_is_claimed_once_and_done_after_recording(repo: AnnouncementsRepository) -> None:
    """Claim, record 'sent' without an advance: done, one delivery, a second claim finds nothing."""
    item = await repo.schedule(GUILD, announcement(), created_by=7, now=NOW)
    assert item.state == "pending" and item.occurrence == 0
    assert await repo.claim(item.id, now=NOW, grace=GRACE) is Claim.EARLY
    assert await repo.claim(item.id, now=item.next_due_at, grace=GRACE) is Claim.CLAIMED
    assert await repo.claim(item.id, now=item.next_due_at, grace=GRACE) is Claim.GONE
    assert [a.id for a in await repo.pending(GUILD)] == [item.id]  # 'sending' still shows as coming
    done = await repo.record(item.id, outcome="sent", message_id=555, advance=None, now=item.next_due_at)
    assert done is not None and (done.state, done.sent_count, done.last_message_id) == ("done", 1, 555)
    assert [(d.occurrence, d.outcome, d.message_id) for d in await repo.deliveries(item.id)] == [
        (0, "sent", 555)
    ]
    assert await repo.open_rows() == []


async def test_repeating_records_each_occurrence_and_moves_on(repo: AnnouncementsRepository) -> None:
    """A weekly announcement returns to pending at the next occurrence after each send."""
    item = await repo.schedule(GUILD, announcement(repeat="weekly"), created_by=7, now=NOW)
    for n in range(3):
        due = item.next_due_at
        assert await repo.claim(item.id, now=due, grace=GRACE) is Claim.CLAIMED
        nxt = Advance(n + 1, due + timedelta(days=7))
        updated = await repo.record(item.id, outcome="sent", message_id=100 + n, advance=nxt, now=due)
        assert updated is not None and updated.state == "pending"
        assert (updated.occurrence, updated.next_due_at) == (n + 1, nxt.due_at)
        item = updated
    assert [d.occurrence for d in await repo.deliveries(item.id)] == [0, 1, 2]
    assert item.sent_count == 3


async def test_too_late_is_missed_without_claiming(repo: AnnouncementsRepository) -> None:
    """Beyond the grace period the claim says MISSED and leaves recording to the caller."""
    item = await repo.schedule(GUILD, announcement(), created_by=7, now=NOW)
    late = item.next_due_at + GRACE + timedelta(seconds=1)
    assert await repo.claim(item.id, now=late, grace=GRACE) is Claim.MISSED
    missed = await repo.record(item.id, outcome="missed", message_id=None, advance=None, now=late)
    assert missed is not None and missed.state == "missed"


async def test_record_many_marks_interrupted_and_missed_rows(repo: AnnouncementsRepository) -> None:
    """At start: a row left 'sending' becomes uncertain; a repeating missed one moves on, pending."""
    stuck = await repo.schedule(GUILD, announcement(), created_by=7, now=NOW)
    assert await repo.claim(stuck.id, now=stuck.next_due_at, grace=GRACE) is Claim.CLAIMED
    weekly = await repo.schedule(GUILD, announcement(repeat="weekly"), created_by=7, now=NOW)
    nxt = Advance(1, weekly.next_due_at + timedelta(days=7))
    await repo.record_many(
        [(stuck.id, "uncertain", None), (weekly.id, "missed", nxt)], now=NOW, note="offline"
    )
    assert (await repo.get(stuck.id)).state == "uncertain"  # type: ignore[union-attr]
    moved = await repo.get(weekly.id)
    assert moved is not None and (moved.state, moved.occurrence, moved.note) == ("pending", 1, "offline")
    assert [(d.occurrence, d.outcome) for d in await repo.deliveries(weekly.id)] == [(0, "missed")]


async def test_cancel_only_pending_in_the_same_server(repo: AnnouncementsRepository) -> None:
    """Cancelling works once, only from the server that owns it, never while it is being sent."""
    item = await repo.schedule(GUILD, announcement(), created_by=7, now=NOW)
    assert await repo.cancel(GUILD + 1, item.id, by=8) is None
    cancelled = await repo.cancel(GUILD, item.id, by=8)
    assert cancelled is not None and cancelled.state == "cancelled"
    assert await repo.cancel(GUILD, item.id, by=8) is None
    assert await repo.claim(item.id, now=item.next_due_at, grace=GRACE) is Claim.GONE
    busy = await repo.schedule(GUILD, announcement(), created_by=7, now=NOW)
    await repo.claim(busy.id, now=busy.next_due_at, grace=GRACE)
    assert await repo.cancel(GUILD, busy.id, by=8) is None


async def test_removing_a_call_cancels_its_pending_announcements(migrated_db: Database) -> None:
    """The announcement of a removed call is cancelled and its id returned for the job to be dropped."""
    calls, repo = CallsRepository(migrated_db), AnnouncementsRepository(migrated_db)
    added = await add_call(calls)
    item = await repo.schedule(GUILD, announcement(call_id=added.call.id), created_by=7, now=NOW)
    assert [a.id for a in await repo.for_call(added.call.id, since=NOW)] == [item.id]
    removed = await calls.remove(GUILD, "LIFE-1")
    assert removed is not None and removed.cancelled_announcements == (item.id,)
    after = await repo.get(item.id)
    assert after is not None and (after.state, after.call_id) == ("cancelled", None)


async def test_schema_refuses_bad_values(repo: AnnouncementsRepository) -> None:
    """Unknown repeats and aware first_local values are refused before anything is stored."""
    with pytest.raises(ValueError, match="repeat"):
        await repo.schedule(GUILD, announcement(repeat="hourly"), created_by=7, now=NOW)
    with pytest.raises(ValueError, match="naive"):
        await repo.schedule(GUILD, announcement(first_local=NOW), created_by=7, now=NOW)
    assert await repo.pending(GUILD) == []


async def test_a_call_is_announced_once_per_window(migrated_db: Database) -> None:
    """A second "announce now" within the window returns the first row; a cancelled one does not count."""
    calls, repo = CallsRepository(migrated_db), AnnouncementsRepository(migrated_db)
    added = await add_call(calls)
    data = announcement(NOW, call_id=added.call.id)
    window = NOW - timedelta(minutes=10)
    first, created = await repo.schedule_for_call_once(GUILD, data, created_by=7, now=NOW, since=window)
    assert created
    again, created = await repo.schedule_for_call_once(GUILD, data, created_by=8, now=NOW, since=window)
    assert not created and again.id == first.id
    assert [a.id for a in await repo.for_call(added.call.id, since=window)] == [first.id]
    await repo.cancel(GUILD, first.id, by=7)
    fresh, created = await repo.schedule_for_call_once(GUILD, data, created_by=8, now=NOW, since=window)
    assert created and fresh.id != first.id
    later = NOW + timedelta(minutes=11)
    after, created = await repo.schedule_for_call_once(
        GUILD, data, created_by=8, now=later, since=later - timedelta(minutes=10)
    )
    assert created and after.id not in (first.id, fresh.id)
    with pytest.raises(ValueError, match="call_id"):
        await repo.schedule_for_call_once(GUILD, announcement(), created_by=7, now=NOW, since=window)
