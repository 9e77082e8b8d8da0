"""CallsRepository on a real SQLite file: register, reminders, subscriptions and the claim rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cogs.calls.recurrence import reminder_times
from storage.calls import (
    ALL_PROGRAMMES,
    DM_FAILURE_LIMIT,
    CallInput,
    CallsRepository,
    CallStatus,
    Claim,
    DuplicateCallError,
)
from storage.database import Database

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
GUILD = 1
OFFSETS = [timedelta(days=14), timedelta(days=3), timedelta(days=1)]
GRACE = timedelta(hours=1)


def planner(deadline: datetime, zone: str, now: datetime) -> list[tuple[timedelta, datetime]]:
    """Plan reminders at 14, 3 and 1 days before."""
    return reminder_times(deadline, OFFSETS, ZoneInfo(zone), now=now)


def call_input(
    identifier: str = "HORIZON-MISS-2027-CIT-01-01", days: float = 30, **changes: object
) -> CallInput:
    """A valid call with a deadline `days` after NOW."""
    values: dict[str, object] = {
        "identifier": identifier,
        "title": "Zero-pollution cities",
        "programme": "horizon-europe",
        "deadline_at": NOW + timedelta(days=days),
        "timezone": "Europe/Brussels",
        "link": "https://ec.europa.eu/x",
        "summary": "Cut pollution.",
        "tags": ("air", "noise"),
    }
    values.update(changes)
    return CallInput(**values)  # type: ignore[arg-type]


@pytest.fixture
def repo(migrated_db: Database) -> CallsRepository:
    """A repository on a migrated database."""
    return CallsRepository(migrated_db)


async def test_add_stores_the_call_and_its_future_reminders(repo: CallsRepository) -> None:
    """A call 30 days out gets three reminders; one 2 days out gets only the 1-day one."""
    change = await repo.add(GUILD, call_input(), created_by=7, planner=planner, now=NOW)
    assert change.outcome == "added"
    assert change.call.tags == ("air", "noise")
    assert [r.offset.days for r in change.new_reminders] == [14, 3, 1]
    assert await repo.get(GUILD, "HORIZON-MISS-2027-CIT-01-01") == change.call
    near = await repo.add(GUILD, call_input("NEAR-1", days=2), created_by=7, planner=planner, now=NOW)
    assert [r.offset.days for r in near.new_reminders] == [1]


async def test_duplicate_identifier_is_refused_and_nothing_changes(repo: CallsRepository) -> None:
    """The same identifier twice in a server is an error; in another server it is fine."""
    await repo.add(GUILD, call_input(), created_by=7, planner=planner, now=NOW)
    with pytest.raises(DuplicateCallError):
        await repo.add(GUILD, call_input(title="Other"), created_by=7, planner=planner, now=NOW)
    assert (await repo.get(GUILD, "HORIZON-MISS-2027-CIT-01-01")).title == "Zero-pollution cities"  # type: ignore[union-attr]
    other = await repo.add(GUILD + 1, call_input(), created_by=7, planner=planner, now=NOW)
    assert other.outcome == "added"


async def test_moving_the_deadline_moves_pending_reminders_only(repo: CallsRepository) -> None:
    """Sent reminders stay as history; pending ones are replaced for the new deadline."""
    added = await repo.add(GUILD, call_input(), created_by=7, planner=planner, now=NOW)
    fourteen = added.new_reminders[0]
    assert await repo.claim_reminder(fourteen.id, now=fourteen.due_at, grace=GRACE) is Claim.CLAIMED
    await repo.mark_posted(fourteen.id, message_id=99, note=None, now=fourteen.due_at)
    await repo.finish_reminder(fourteen.id, now=fourteen.due_at)
    later = fourteen.due_at + timedelta(hours=1)
    change = await repo.update(GUILD, added.call.identifier, call_input(days=40), planner=planner, now=later)
    assert change is not None and change.outcome == "updated"
    assert set(change.cancelled_reminders) == {r.id for r in added.new_reminders[1:]}
    assert [r.offset.days for r in change.new_reminders] == [14, 3, 1]
    assert change.call.revision == 1
    states = sorted(
        (r.offset.days, r.state, r.deadline_at == NOW + timedelta(days=40))
        for r in await repo.reminders_of(added.call.id)
    )
    assert states == [(1, "pending", True), (3, "pending", True), (14, "pending", True), (14, "sent", False)]


async def test_update_without_changes_is_unchanged_and_keeps_reminders(repo: CallsRepository) -> None:
    """Re-saving the same values touches nothing; a text change keeps the reminders."""
    added = await repo.add(GUILD, call_input(), created_by=7, planner=planner, now=NOW)
    same = await repo.update(GUILD, added.call.identifier, call_input(), planner=planner, now=NOW)
    assert same is not None and same.outcome == "unchanged" and same.call.revision == 0
    text = await repo.update(
        GUILD, added.call.identifier, call_input(title="New title"), planner=planner, now=NOW
    )
    assert text is not None and text.outcome == "updated"
    assert text.cancelled_reminders == () and text.new_reminders == ()
    assert len(await repo.reminders_of(added.call.id)) == 3
    assert await repo.update(GUILD, "NOPE-1", call_input(), planner=planner, now=NOW) is None


async def test_upsert_many_is_idempotent_by_identifier(repo: CallsRepository) -> None:
    """Importing the same file twice adds once, then reports unchanged; a change updates."""
    rows = [call_input("A-1"), call_input("B-1", days=10)]
    first = await repo.upsert_many(GUILD, rows, created_by=7, planner=planner, now=NOW)
    assert [c.outcome for c in first] == ["added", "added"]
    second = await repo.upsert_many(GUILD, rows, created_by=7, planner=planner, now=NOW)
    assert [c.outcome for c in second] == ["unchanged", "unchanged"]
    third = await repo.upsert_many(
        GUILD, [call_input("A-1", days=31)], created_by=7, planner=planner, now=NOW
    )
    assert third[0].outcome == "updated" and len(third[0].cancelled_reminders) == 3
    _, total = await repo.list_calls(GUILD, status=CallStatus.OPEN, now=NOW)
    assert total == 2
    assert len(await repo.open_reminders()) == 3 + 2  # 14/3/1 days; B-1 (10 days out): 3/1 days


async def test_remove_deletes_reminders_and_cancels_announcements(
    repo: CallsRepository, migrated_db: Database
) -> None:
    """Removing a call returns the reminder ids to cancel; the rows are gone."""
    added = await repo.add(GUILD, call_input(), created_by=7, planner=planner, now=NOW)
    removed = await repo.remove(GUILD, added.call.identifier)
    assert removed is not None
    assert set(removed.cancelled_reminders) == {r.id for r in added.new_reminders}
    assert await repo.open_reminders() == []
    assert await repo.get(GUILD, added.call.identifier) is None
    assert await repo.remove(GUILD, added.call.identifier) is None


async def test_list_by_status_programme_and_pages(repo: CallsRepository) -> None:
    """Open, upcoming and closed lists are sorted by deadline and paginated."""
    for i in range(5):
        await repo.add(GUILD, call_input(f"OPEN-{i}", days=5 + i), created_by=7, planner=planner, now=NOW)
    await repo.add(
        GUILD,
        call_input("SOON-1", days=60, opens_at=NOW + timedelta(days=10), programme="life"),
        created_by=7,
        planner=planner,
        now=NOW,
    )
    await repo.add(GUILD, call_input("CLOSING-1", days=1), created_by=7, planner=planner, now=NOW)
    later = NOW + timedelta(days=2)
    page, total = await repo.list_calls(GUILD, status=CallStatus.OPEN, now=later, offset=0, limit=2)
    assert total == 5 and [c.identifier for c in page] == ["OPEN-0", "OPEN-1"]
    page, _ = await repo.list_calls(GUILD, status=CallStatus.OPEN, now=later, offset=4, limit=2)
    assert [c.identifier for c in page] == ["OPEN-4"]
    upcoming, _ = await repo.list_calls(GUILD, status=CallStatus.UPCOMING, now=later)
    assert [c.identifier for c in upcoming] == ["SOON-1"]
    closed, _ = await repo.list_calls(GUILD, status=CallStatus.CLOSED, now=later)
    assert [c.identifier for c in closed] == ["CLOSING-1"]
    _, total = await repo.list_calls(GUILD, status=CallStatus.UPCOMING, now=later, programme="life")
    assert total == 1
    assert [c.identifier for c in await repo.open_calls(GUILD, now=later)][-1] == "SOON-1"
    assert (await repo.get(GUILD, "SOON-1")).status(later) is CallStatus.UPCOMING  # type: ignore[union-attr]


async def test_search_matches_identifier_or_title_literally(repo: CallsRepository) -> None:
    """Autocomplete search ignores case and treats % and _ as plain characters."""
    await repo.add(
        GUILD, call_input("HORIZON-MISS-1", title="Zero pollution"), created_by=7, planner=planner, now=NOW
    )
    await repo.add(
        GUILD, call_input("LIFE_2027", title="Nature 100%"), created_by=7, planner=planner, now=NOW
    )
    assert [c.identifier for c in await repo.search(GUILD, "miss", now=NOW)] == ["HORIZON-MISS-1"]
    assert [c.identifier for c in await repo.search(GUILD, "POLLUTION", now=NOW)] == ["HORIZON-MISS-1"]
    assert [c.identifier for c in await repo.search(GUILD, "100%", now=NOW)] == ["LIFE_2027"]
    assert [c.identifier for c in await repo.search(GUILD, "_", now=NOW)] == ["LIFE_2027"]
    assert len(await repo.search(GUILD, "", now=NOW)) == 2


async def test_claim_rules(repo: CallsRepository) -> None:
    """Early, on time (once), too late (missed) and already claimed."""
    added = await repo.add(GUILD, call_input(), created_by=7, planner=planner, now=NOW)
    first, second, third = added.new_reminders
    assert (
        await repo.claim_reminder(first.id, now=first.due_at - timedelta(minutes=5), grace=GRACE)
        is Claim.EARLY
    )
    assert (
        await repo.claim_reminder(first.id, now=first.due_at + timedelta(minutes=59), grace=GRACE)
        is Claim.CLAIMED
    )
    assert (
        await repo.claim_reminder(first.id, now=first.due_at + timedelta(minutes=59), grace=GRACE)
        is Claim.GONE
    )
    assert (
        await repo.claim_reminder(second.id, now=second.due_at + timedelta(hours=2), grace=GRACE)
        is Claim.MISSED
    )
    assert (await repo.reminder(second.id)).state == "missed"  # type: ignore[union-attr]
    assert await repo.claim_reminder(12345, now=NOW, grace=GRACE) is Claim.GONE
    await repo.mark_reminders([third.id], "uncertain", now=NOW, note="test")
    assert (await repo.reminder(third.id)).state == "uncertain"  # type: ignore[union-attr]


async def test_subscriptions_and_recipients(repo: CallsRepository) -> None:
    """Members subscribed to the programme or to all get DMs; each at most once per reminder."""
    added = await repo.add(GUILD, call_input(), created_by=7, planner=planner, now=NOW)
    reminder = added.new_reminders[0]
    assert await repo.subscribe(GUILD, 100, ALL_PROGRAMMES, now=NOW)
    assert await repo.subscribe(GUILD, 101, "horizon-europe", now=NOW)
    assert await repo.subscribe(GUILD, 101, ALL_PROGRAMMES, now=NOW)  # both: still one DM
    assert await repo.subscribe(GUILD, 102, "life", now=NOW)
    assert await repo.subscribe(GUILD + 1, 103, ALL_PROGRAMMES, now=NOW)
    assert not await repo.subscribe(GUILD, 100, ALL_PROGRAMMES, now=NOW)
    assert await repo.recipients(reminder.id, GUILD, "horizon-europe") == [100, 101]
    assert await repo.claim_dm(reminder.id, 100, now=NOW)
    assert not await repo.claim_dm(reminder.id, 100, now=NOW)
    assert await repo.uncertain_dms(reminder.id) == [100]
    await repo.finish_dm(reminder.id, GUILD, 100, "sent", now=NOW)
    assert await repo.recipients(reminder.id, GUILD, "horizon-europe") == [101]
    assert await repo.dm_outcomes(reminder.id) == {100: "sent"}
    assert [s.programme for s in await repo.subscriptions(GUILD, 101)] == [ALL_PROGRAMMES, "horizon-europe"]
    assert await repo.unsubscribe(GUILD, 101, "horizon-europe") == 1
    assert await repo.unsubscribe(GUILD, 101, None) == 1
    assert await repo.subscriptions(GUILD, 101) == []


async def test_closed_dms_are_not_retried_forever(repo: CallsRepository) -> None:
    """After DM_FAILURE_LIMIT refusals in a row a member is skipped, until they subscribe again."""
    await repo.subscribe(GUILD, 200, ALL_PROGRAMMES, now=NOW)
    added = await repo.upsert_many(
        GUILD,
        [call_input(f"C-{i}") for i in range(DM_FAILURE_LIMIT + 1)],
        created_by=7,
        planner=planner,
        now=NOW,
    )
    reminders = [change.new_reminders[0] for change in added]
    for reminder in reminders[:DM_FAILURE_LIMIT]:
        assert await repo.recipients(reminder.id, GUILD, "horizon-europe") == [200]
        assert await repo.claim_dm(reminder.id, 200, now=NOW)
        await repo.finish_dm(reminder.id, GUILD, 200, "closed", now=NOW)
    assert await repo.recipients(reminders[-1].id, GUILD, "horizon-europe") == []
    assert (await repo.subscriptions(GUILD, 200))[0].dm_failures == DM_FAILURE_LIMIT
    await repo.subscribe(GUILD, 200, ALL_PROGRAMMES, now=NOW)
    assert await repo.recipients(reminders[-1].id, GUILD, "horizon-europe") == [200]


async def test_database_checks_refuse_bad_rows(migrated_db: Database) -> None:
    """The schema itself refuses an unknown reminder state."""
    repo = CallsRepository(migrated_db)
    added = await repo.add(GUILD, call_input(), created_by=7, planner=planner, now=NOW)
    with pytest.raises(Exception, match="CHECK"):
        async with migrated_db.transaction() as conn:
            await conn.execute(
                "UPDATE call_reminders SET state = 'bogus' WHERE id = ?", (added.new_reminders[0].id,)
            )


async def test_member_data_export_and_erasure(repo: CallsRepository) -> None:
    """A member's subscriptions and DM records can be exported and erased; others' stay."""
    added = await repo.add(GUILD, call_input(), created_by=7, planner=planner, now=NOW)
    reminder = added.new_reminders[0]
    await repo.subscribe(GUILD, 300, ALL_PROGRAMMES, now=NOW)
    await repo.subscribe(GUILD, 301, ALL_PROGRAMMES, now=NOW)
    await repo.claim_dm(reminder.id, 300, now=NOW)
    await repo.finish_dm(reminder.id, GUILD, 300, "sent", now=NOW)
    data = await repo.member_data(GUILD, 300)
    assert [s["programme"] for s in data["call_subscriptions"]] == [ALL_PROGRAMMES]
    assert [(d["call"], d["state"]) for d in data["call_reminder_dms"]] == [(added.call.identifier, "sent")]
    assert await repo.member_data(GUILD + 1, 300) == {
        "call_subscriptions": [],
        "call_reminder_dms": [],
        "moderator_actions": {"calls_registered": []},
    }
    assert await repo.forget_member(GUILD, 300) == {"call_subscriptions": 1, "call_reminder_dms": 1}
    assert await repo.member_data(GUILD, 300) == {
        "call_subscriptions": [],
        "call_reminder_dms": [],
        "moderator_actions": {"calls_registered": []},
    }
    assert len(await repo.subscriptions(GUILD, 301)) == 1
