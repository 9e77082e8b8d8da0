"""ProposalsRepository on a real SQLite file: submit, support rules, answers, progress, export, erasure."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from storage.database import Database
from storage.proposals import ProposalError, ProposalsRepository, SupportAction

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
GUILD, OTHER_GUILD = 1111, 2222
AUTHOR, MOD = 471_234_567_890_123_456, 3333


def later(seconds: float) -> datetime:
    """A moment the given number of seconds after T0."""
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
async def repo(migrated_db: Database) -> ProposalsRepository:
    """A repository on a freshly migrated database."""
    return ProposalsRepository(migrated_db)


async def submit(repo: ProposalsRepository, title: str = "More trees", guild: int = GUILD) -> int:
    """Store a proposal and return its id."""
    proposal = await repo.create(
        guild_id=guild,
        author_id=AUTHOR,
        city_id=None,
        city_name="Lyon",
        theme="nature-based",
        title=title,
        body="Plant trees on every school yard.",
        benefit="Shade and cooler streets.",
        now=T0,
    )
    return proposal.id


async def test_submit_keeps_a_submitted_row_and_starts_open(repo: ProposalsRepository) -> None:
    pid = await submit(repo)
    proposal = await repo.get(pid, guild_id=GUILD)
    assert proposal is not None and proposal.status == "open" and proposal.supports == 0
    assert await repo.get(pid, guild_id=OTHER_GUILD) is None
    assert [e.kind for e in await repo.timeline(pid)] == ["submitted"]


async def test_support_toggles_with_double_click_window_and_notifies_threshold_once(
    repo: ProposalsRepository,
) -> None:
    pid = await submit(repo)
    first = await repo.toggle_support(pid, guild_id=GUILD, user_id=1, now=T0, threshold=2)
    assert first.action is SupportAction.SUPPORTED and not first.reached_threshold
    again = await repo.toggle_support(pid, guild_id=GUILD, user_id=1, now=later(0.5), threshold=2)
    assert again.action is SupportAction.UNCHANGED and again.proposal and again.proposal.supports == 1
    second = await repo.toggle_support(pid, guild_id=GUILD, user_id=2, now=later(1), threshold=2)
    assert second.reached_threshold and second.proposal and second.proposal.supports == 2
    gone = await repo.toggle_support(pid, guild_id=GUILD, user_id=2, now=later(10), threshold=2)
    assert gone.action is SupportAction.WITHDRAWN and gone.proposal and gone.proposal.supports == 1
    back = await repo.toggle_support(pid, guild_id=GUILD, user_id=2, now=later(20), threshold=2)
    assert back.action is SupportAction.SUPPORTED and not back.reached_threshold  # told once only
    wrong = await repo.toggle_support(pid, guild_id=OTHER_GUILD, user_id=2, now=later(30), threshold=2)
    assert wrong.action is SupportAction.NOT_FOUND


async def test_support_click_returns_the_proposal_as_stored(repo: ProposalsRepository) -> None:
    # The click builds the proposal from the row it read plus its own write: it must equal a fresh read.
    pid = await submit(repo)
    clicks = [(1, T0), (1, later(0.5)), (2, later(1)), (1, later(10)), (3, later(11))]
    for user, at in clicks:
        result = await repo.toggle_support(pid, guild_id=GUILD, user_id=user, now=at, threshold=2)
        assert result.proposal == await repo.get(pid, guild_id=GUILD)
    stored = await repo.get(pid, guild_id=GUILD)
    assert stored is not None and stored.supports == 2 and stored.threshold_notified_at == later(1)


async def test_concurrent_supports_are_all_counted(repo: ProposalsRepository) -> None:
    pid = await submit(repo)
    results = await asyncio.gather(
        *(repo.toggle_support(pid, guild_id=GUILD, user_id=u, now=T0, threshold=10) for u in range(1, 41))
    )
    assert sum(r.reached_threshold for r in results) == 1
    proposal = await repo.get(pid, guild_id=GUILD)
    assert proposal is not None and proposal.supports == 40


async def test_answers_follow_the_rules_and_keep_history(repo: ProposalsRepository) -> None:
    pid = await submit(repo)
    with pytest.raises(ProposalError, match="reason-required"):
        await repo.answer(pid, guild_id=GUILD, status="rejected", reason=" ", actor_id=MOD, now=T0)
    with pytest.raises(ProposalError, match="not-accepted"):
        await repo.update_progress(pid, guild_id=GUILD, progress=10, note="x", actor_id=MOD, now=T0)
    change = await repo.answer(pid, guild_id=GUILD, status="accepted", reason="", actor_id=MOD, now=later(1))
    assert change.previous_status == "open" and change.proposal.status == "accepted"
    supporter = await repo.toggle_support(pid, guild_id=GUILD, user_id=5, now=later(2), threshold=10)
    assert supporter.action is SupportAction.NOT_OPEN
    with pytest.raises(ProposalError, match="bad-progress"):
        await repo.update_progress(pid, guild_id=GUILD, progress=101, note="x", actor_id=MOD, now=later(3))
    half = await repo.update_progress(
        pid, guild_id=GUILD, progress=50, note="Half", actor_id=MOD, now=later(3)
    )
    assert half.proposal.status == "accepted" and half.proposal.progress == 50
    done = await repo.update_progress(
        pid, guild_id=GUILD, progress=100, note="Done", actor_id=MOD, now=later(4)
    )
    assert done.proposal.status == "implemented"
    with pytest.raises(ProposalError, match="final"):
        await repo.answer(pid, guild_id=GUILD, status="accepted", reason="", actor_id=MOD, now=later(5))
    kinds = [(e.kind, e.status, e.progress) for e in await repo.timeline(pid)]
    assert kinds == [
        ("submitted", "open", None),
        ("status", "accepted", None),
        ("progress", "accepted", 50),
        ("progress", "implemented", 100),
    ]


async def test_withdraw_only_by_author_while_open(repo: ProposalsRepository) -> None:
    pid = await submit(repo)
    with pytest.raises(ProposalError, match="not-author"):
        await repo.withdraw(pid, guild_id=GUILD, user_id=99, now=T0)
    change = await repo.withdraw(pid, guild_id=GUILD, user_id=AUTHOR, now=T0)
    assert change.proposal.status == "withdrawn"
    with pytest.raises(ProposalError, match="not-open"):
        await repo.withdraw(pid, guild_id=GUILD, user_id=AUTHOR, now=T0)


async def test_recipients_skip_opted_out_members(repo: ProposalsRepository) -> None:
    pid = await submit(repo)
    for user in (1, 2):
        await repo.toggle_support(pid, guild_id=GUILD, user_id=user, now=T0, threshold=10)
    assert await repo.opt_out(GUILD, 2, T0) and not await repo.opt_out(GUILD, 2, T0)
    proposal = await repo.get(pid, guild_id=GUILD)
    assert proposal is not None
    assert await repo.recipients(proposal) == [AUTHOR, 1]


async def test_list_filters_sorts_and_completes(repo: ProposalsRepository) -> None:
    a = await submit(repo, "Bike lanes")
    b = await submit(repo, "Solar roofs")
    await repo.toggle_support(a, guild_id=GUILD, user_id=1, now=T0, threshold=10)
    newest, total = await repo.page(GUILD)
    assert [p.id for p in newest] == [b, a] and total == 2
    supported, _ = await repo.page(GUILD, sort="supported")
    assert supported[0].id == a
    assert [p.id for p in await repo.complete(GUILD, "solar")] == [b]
    none, total = await repo.page(GUILD, status="accepted")
    assert none == [] and total == 0


async def test_erasure_removes_supports_and_unlinks_proposals(repo: ProposalsRepository) -> None:
    pid = await submit(repo)
    await repo.toggle_support(pid, guild_id=GUILD, user_id=AUTHOR, now=T0, threshold=10)
    await repo.opt_out(GUILD, AUTHOR, T0)
    data = await repo.member_data(GUILD, AUTHOR)
    assert [p["id"] for p in data["proposals"]] == [pid] and len(data["proposal_supports"]) == 1
    assert len(data["proposal_messages"]) == 1
    counts, touched = await repo.erase_member(GUILD, AUTHOR)
    assert counts == {"proposal_supports": 1, "proposals_unlinked": 1} and touched == [
        pid
    ]  # supported and authored: repainted once
    proposal = await repo.get(pid, guild_id=GUILD)
    assert proposal is not None and proposal.author_id is None and proposal.supports == 0
    after = await repo.member_data(GUILD, AUTHOR)
    assert after["proposals"] == [] and after["proposal_supports"] == []
    assert after["proposal_messages"] == []


async def test_export_counts_supports_by_group_and_city(
    repo: ProposalsRepository, migrated_db: Database
) -> None:
    pid = await submit(repo)
    for user in range(1, 5):
        await repo.toggle_support(pid, guild_id=GUILD, user_id=user, now=T0, threshold=10)
    async with migrated_db.transaction() as conn:
        for user in (1, 2, 3):
            await conn.execute(
                "INSERT INTO profiles (guild_id, user_id, target_group, updated_at)"
                " VALUES (?, ?, 'citizen', 'x')",
                (GUILD, user),
            )
    proposals, events, cells = await repo.for_export(GUILD, None)
    assert [p.id for p in proposals] == [pid] and len(events) == 1
    assert {(c.target_group, c.supports) for c in cells} == {("citizen", 3), (None, 1)}
    assert await repo.export_secret(GUILD) == await repo.export_secret(GUILD)


async def test_consent_is_stored_and_rows_from_before_consent_read_as_version_0(
    repo: ProposalsRepository, migrated_db: Database
) -> None:
    pid = await submit(repo)
    consented = await repo.create(
        guild_id=GUILD, author_id=AUTHOR, city_id=None, city_name=None, theme="energy", title="Solar",
        body="Solar roofs.", benefit="Clean power.", now=T0, consent=("abc123abc123", "fr"),
    )  # fmt: skip
    async with migrated_db.transaction() as conn:
        # A row as migration 0014 stored it, without the consent columns.
        await conn.execute(
            "INSERT INTO proposals (guild_id, theme, title, body, benefit, created_at, updated_at)"
            " VALUES (?, 'energy', 'Old', 'Old body.', 'Old benefit.', '2026-01-01', '2026-01-01')",
            (GUILD,),
        )
    old = next(p for p in (await repo.for_export(GUILD, None))[0] if p.title == "Old")
    assert (old.consent_version, old.consent_language) == ("0", "en")
    assert (consented.consent_version, consented.consent_language) == ("abc123abc123", "fr")
    assert (await repo.member_data(GUILD, AUTHOR))["proposals"][0]["consent_version"] == "0"
    assert pid != consented.id
