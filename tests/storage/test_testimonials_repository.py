"""TestimonialsRepository and the export snapshot on a real, migrated SQLite file."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from storage.database import Database
from storage.testimonials import (
    AlreadyDecidedError,
    CampaignClosedError,
    CampaignExistsError,
    DailyLimitError,
    Media,
    NewTestimonial,
    TestimonialsRepository,
    UnknownCampaignError,
    UnknownTestimonialError,
)
from storage.testimonials_export import ExportSnapshot

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
GUILD = 111
PHOTO = Media("a" * 64, f"aa/{'a' * 64}.jpg", "image/jpeg", 1234, 640, 480)


def new(
    author: int = 7, campaign: str = "Trams", story: str = "The new tram changed my commute."
) -> NewTestimonial:
    """A valid submission to the given campaign."""
    return NewTestimonial(
        guild_id=GUILD, campaign_name=campaign, author_id=author, author_name=f"member{author}",
        story=story, city="Leuven", target_group="citizen", consent_scope="named",
        consent_version="1", consent_text="I agree.", consented_at=NOW,
    )  # fmt: skip


@pytest.fixture
async def repo(migrated_db: Database) -> TestimonialsRepository:
    """A repository with one open campaign named Trams."""
    repository = TestimonialsRepository(migrated_db)
    await repository.create_campaign(
        guild_id=GUILD, name="Trams", prompt="How did the tram change your life?", licence="CC-BY-4.0",
        max_photo_bytes=8 << 20, created_by=1, now=NOW,
    )  # fmt: skip
    return repository


async def test_campaign_names_are_unique_per_server_in_any_case(repo: TestimonialsRepository) -> None:
    """A second "trams" on the same server is refused; another server may use the name."""
    with pytest.raises(CampaignExistsError):
        await repo.create_campaign(
            guild_id=GUILD,
            name="trams",
            prompt="p",
            licence="CC0-1.0",
            max_photo_bytes=1,
            created_by=1,
            now=NOW,
        )
    other = await repo.create_campaign(
        guild_id=222, name="trams", prompt="p", licence="CC0-1.0", max_photo_bytes=1, created_by=1, now=NOW
    )
    assert other.guild_id == 222
    found = await repo.get_campaign(GUILD, "TRAMS")
    assert found is not None and found.name == "Trams" and found.licence == "CC-BY-4.0"


async def test_closed_campaign_refuses_submissions(repo: TestimonialsRepository) -> None:
    """Closing by hand, or reaching the closing time, stops submissions; nothing is stored."""
    await repo.create_campaign(
        guild_id=GUILD, name="Heat", prompt="p", licence="CC-BY-4.0", max_photo_bytes=1, created_by=1,
        now=NOW, closes_at=NOW + timedelta(hours=1),
    )  # fmt: skip
    await repo.submit(new(campaign="Heat"), None, now=NOW)
    with pytest.raises(CampaignClosedError):
        await repo.submit(new(campaign="Heat"), None, now=NOW + timedelta(hours=1))
    closed = await repo.close_campaign(GUILD, "trams", closed_by=5, now=NOW)
    assert closed.closed_at == NOW
    with pytest.raises(CampaignClosedError):
        await repo.submit(new(), None, now=NOW)
    with pytest.raises(CampaignClosedError):
        await repo.close_campaign(GUILD, "Trams", closed_by=5, now=NOW)
    with pytest.raises(UnknownCampaignError):
        await repo.submit(new(campaign="Nope"), None, now=NOW)
    assert await repo.campaign_names(GUILD, "", now=NOW, open_only=True) == ["Heat"]
    assert await repo.campaign_names(GUILD, "", now=NOW + timedelta(hours=2), open_only=True) == []
    assert sorted(await repo.campaign_names(GUILD, "a", now=NOW, open_only=False)) == ["Heat", "Trams"]
    summary = {s.campaign.name: s for s in await repo.list_campaigns(GUILD)}
    assert summary["Heat"].pending == 1 and summary["Trams"].pending == 0


async def test_autocomplete_treats_like_wildcards_literally(repo: TestimonialsRepository) -> None:
    """A % or _ typed by a member matches only itself."""
    assert await repo.campaign_names(GUILD, "%", now=NOW, open_only=False) == []
    assert await repo.campaign_names(GUILD, "tr", now=NOW, open_only=False) == ["Trams"]


async def test_decision_is_recorded_once_with_who_and_when(repo: TestimonialsRepository) -> None:
    """Approving records the moderator and time; a second decision is refused with the first kept."""
    item = await repo.submit(new(), PHOTO, now=NOW)
    assert item.status == "pending" and item.media == PHOTO and item.licence == "CC-BY-4.0"
    approved = await repo.decide(item.id, approve=True, moderator_id=9, now=NOW + timedelta(minutes=5))
    assert (approved.status, approved.decided_by) == ("approved", 9)
    assert approved.decided_at == NOW + timedelta(minutes=5)
    with pytest.raises(AlreadyDecidedError) as refused:
        await repo.decide(item.id, approve=False, moderator_id=10, now=NOW, reason="late")
    assert refused.value.testimonial.decided_by == 9
    decisions = await repo.decisions(item.id)
    assert [(d.decision, d.moderator_id) for d in decisions] == [("approved", 9)]
    assert await repo.set_showcase_message(item.id, 50, 51)
    stored = await repo.get(item.id)
    assert stored is not None and stored.showcase_message_id == 51


async def test_concurrent_decisions_let_exactly_one_win(repo: TestimonialsRepository) -> None:
    """Two moderators clicking at once: one decision is recorded, the other is told it was decided."""
    item = await repo.submit(new(), None, now=NOW)
    results = await asyncio.gather(
        repo.decide(item.id, approve=True, moderator_id=1, now=NOW),
        repo.decide(item.id, approve=False, moderator_id=2, now=NOW, reason="no"),
        return_exceptions=True,
    )
    assert sum(isinstance(r, AlreadyDecidedError) for r in results) == 1
    assert len(await repo.decisions(item.id)) == 1


async def test_research_only_items_never_get_a_showcase_message(repo: TestimonialsRepository) -> None:
    """Even a buggy caller cannot record a publication for a research-only item."""
    item = await repo.submit(NewTestimonial(**{**new().__dict__, "consent_scope": "research"}), None, now=NOW)
    await repo.decide(item.id, approve=True, moderator_id=1, now=NOW)
    assert not await repo.set_showcase_message(item.id, 1, 2)


async def test_withdraw_deletes_item_and_reports_media_only_when_unused(repo: TestimonialsRepository) -> None:
    """Shared media survive the first withdrawal and are orphaned by the last one."""
    first = await repo.submit(new(author=7), PHOTO, now=NOW)
    second = await repo.submit(new(author=8), PHOTO, now=NOW)
    with pytest.raises(UnknownTestimonialError):
        await repo.withdraw(first.id, author_id=8)
    removal = await repo.withdraw(first.id, author_id=7)
    assert removal.testimonial.id == first.id and removal.orphaned_media == ()
    assert await repo.get(first.id) is None
    removal = await repo.withdraw(second.id, author_id=8)
    assert removal.orphaned_media == (PHOTO,)
    with pytest.raises(UnknownTestimonialError):
        await repo.withdraw(second.id, author_id=8)


async def test_decisions_go_with_a_withdrawn_item(
    repo: TestimonialsRepository, migrated_db: Database
) -> None:
    """Withdrawal leaves no decision rows pointing at nothing."""
    item = await repo.submit(new(), None, now=NOW)
    await repo.decide(item.id, approve=True, moderator_id=1, now=NOW)
    await repo.withdraw(item.id, author_id=7)
    row = await migrated_db.fetchone("SELECT COUNT(*) FROM testimonial_decisions")
    assert row is not None and row[0] == 0


async def test_schema_refuses_what_the_rules_forbid(repo: TestimonialsRepository) -> None:
    """A too-short story or an unknown consent scope never reaches the table."""
    with pytest.raises(sqlite3.IntegrityError):
        await repo.submit(new(story="too short"), None, now=NOW)
    with pytest.raises(sqlite3.IntegrityError):
        await repo.submit(NewTestimonial(**{**new().__dict__, "consent_scope": "whatever"}), None, now=NOW)
    assert await repo.list_by_author(GUILD, 7) == []


async def test_export_snapshot_streams_only_approved_items(repo: TestimonialsRepository) -> None:
    """Pending, rejected and withdrawn items stay out; media and consent texts are distinct."""
    kept = await repo.submit(new(author=1), PHOTO, now=NOW)
    also = await repo.submit(new(author=2), PHOTO, now=NOW)
    rejected = await repo.submit(new(author=3), None, now=NOW)
    await repo.submit(new(author=4), None, now=NOW)
    gone = await repo.submit(new(author=5), None, now=NOW)
    for item in (kept, also, gone):
        await repo.decide(item.id, approve=True, moderator_id=9, now=NOW)
    await repo.decide(rejected.id, approve=False, moderator_id=9, now=NOW, reason="off topic")
    await repo.withdraw(gone.id, author_id=5)
    with ExportSnapshot(repo.database_path) as snapshot:
        (campaign,) = snapshot.campaigns_named("trams")
        assert [row.id for row in snapshot.rows(campaign.id)] == [kept.id, also.id]
        assert snapshot.count(campaign.id) == 2
        assert list(snapshot.media(campaign.id)) == [PHOTO]
        assert [c.text for c in snapshot.consent_texts(campaign.id)] == ["I agree."]
        assert len(snapshot.secret()) == 32


async def test_export_snapshot_is_consistent_while_the_bot_writes(repo: TestimonialsRepository) -> None:
    """Rows approved after the snapshot began do not appear in it."""
    first = await repo.submit(new(author=1), None, now=NOW)
    await repo.decide(first.id, approve=True, moderator_id=9, now=NOW)
    with ExportSnapshot(repo.database_path) as snapshot:
        (campaign,) = snapshot.campaigns_named("Trams")
        late = await repo.submit(new(author=2), None, now=NOW)
        await repo.decide(late.id, approve=True, moderator_id=9, now=NOW)
        assert [row.id for row in snapshot.rows(campaign.id)] == [first.id]


async def test_remove_all_by_author_erases_every_item(repo: TestimonialsRepository) -> None:
    """A member's erasure removes all of their items and nobody else's."""
    await repo.submit(new(author=1), PHOTO, now=NOW)
    await repo.submit(new(author=1), None, now=NOW)
    other = await repo.submit(new(author=2), None, now=NOW)
    removals = await repo.remove_all_by_author(1)
    assert len(removals) == 2 and sum(len(r.orphaned_media) for r in removals) == 1
    assert [t.id for t in await repo.list_by_author(GUILD, 2)] == [other.id]
    assert await repo.list_by_author(GUILD, 1) == []


async def test_daily_limit_counts_the_last_24_hours_per_campaign(repo: TestimonialsRepository) -> None:
    """The limit is checked in the submitting transaction; a day later, or another member, may send."""
    await repo.submit(new(author=7), None, now=NOW, daily_limit=2)
    await repo.submit(new(author=7), None, now=NOW + timedelta(hours=1), daily_limit=2)
    with pytest.raises(DailyLimitError):
        await repo.submit(new(author=7), None, now=NOW + timedelta(hours=2), daily_limit=2)
    assert await repo.sent_today(GUILD, "trams", 7, now=NOW + timedelta(hours=2)) == 2
    await repo.submit(new(author=8), None, now=NOW + timedelta(hours=2), daily_limit=2)
    await repo.submit(new(author=7), None, now=NOW + timedelta(hours=24, minutes=1), daily_limit=2)
    assert len(await repo.list_by_author(GUILD, 7)) == 3


async def test_rejected_photos_are_unlinked_after_the_cut_off(repo: TestimonialsRepository) -> None:
    """Only items rejected before the cut-off lose their photo; the file is reported only when unused."""
    other = Media("b" * 64, f"bb/{'b' * 64}.jpg", "image/jpeg", 99, 10, 10)
    old = await repo.submit(new(author=7), PHOTO, now=NOW)
    shared = await repo.submit(new(author=8), PHOTO, now=NOW)
    recent = await repo.submit(new(author=9), other, now=NOW)
    await repo.decide(old.id, approve=False, moderator_id=1, now=NOW, reason="no")
    await repo.decide(shared.id, approve=True, moderator_id=1, now=NOW)
    await repo.decide(recent.id, approve=False, moderator_id=1, now=NOW + timedelta(days=20), reason="no")
    later = NOW + timedelta(days=31)
    (dropped,) = await repo.drop_rejected_photos(decided_before=later - timedelta(days=30), now=later)
    assert dropped.testimonial.id == old.id and dropped.orphaned_media == ()  # the approved item uses it
    stored = await repo.get(old.id)
    assert stored is not None and stored.media is None and stored.photo_removed_at == later
    kept = [await repo.get(i) for i in (shared.id, recent.id)]
    assert [k.media for k in kept if k is not None] == [PHOTO, other]
    (second,) = await repo.drop_rejected_photos(decided_before=later, now=later + timedelta(days=20))
    assert second.testimonial.id == recent.id and second.orphaned_media == (other,)


async def test_consent_language_is_stored_beside_its_version(repo: TestimonialsRepository) -> None:
    """An item keeps the language its consent was read in; one stored without it was read in English."""
    german = await repo.submit(
        dataclasses.replace(new(author=1), consent_version="0123456789ab", consent_language="de",
                            consent_text="Ich stimme zu."),
        None, now=NOW,
    )  # fmt: skip
    english = await repo.submit(new(author=2), None, now=NOW)
    assert (german.consent_language, german.consent_version) == ("de", "0123456789ab")
    assert english.consent_language == "en"
    for item in (german, english):
        await repo.decide(item.id, approve=True, moderator_id=9, now=NOW)
    with ExportSnapshot(repo.database_path) as snapshot:
        (campaign,) = snapshot.campaigns_named("Trams")
        texts = {(c.consent_version, c.consent_language): c.text for c in snapshot.consent_texts(campaign.id)}
    assert texts == {("0123456789ab", "de"): "Ich stimme zu.", ("1", "en"): "I agree."}
    data = await repo.member_data(GUILD, 1)
    assert data["testimonials"][0]["consent"]["language"] == "de"
    with pytest.raises(sqlite3.IntegrityError):
        await repo.submit(dataclasses.replace(new(author=3), consent_language="deutsch"), None, now=NOW)
