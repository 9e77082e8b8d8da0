"""Open forms on a real SQLite file: one use, one member, one place, until they expire."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage.database import Database
from storage.forms import FormsRepository

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


async def opened(repo: FormsRepository, token: str, *, user: int = 1, guild: int | None = 10) -> None:
    """Record a form of kind test:form for a member."""
    await repo.open(
        token,
        "test:form",
        guild_id=guild,
        user_id=user,
        state={"item": token},
        opened_at=NOW,
        expires_at=LATER,
    )


async def test_a_form_is_claimed_once_by_its_member_in_its_server(migrated_db: Database) -> None:
    """Only the member who opened it, in the server it was opened in, gets it, and only once."""
    repo = FormsRepository(migrated_db)
    await opened(repo, "a" * 22)
    assert await repo.claim("a" * 22, user_id=2, guild_id=10, now=NOW) is None
    assert await repo.claim("a" * 22, user_id=1, guild_id=11, now=NOW) is None
    form = await repo.claim("a" * 22, user_id=1, guild_id=10, now=NOW)
    assert form is not None and form.state == {"item": "a" * 22} and form.kind == "test:form"
    assert await repo.claim("a" * 22, user_id=1, guild_id=10, now=NOW) is None


async def test_direct_message_forms_match_a_missing_server(migrated_db: Database) -> None:
    """A form opened outside a server (guild None) is found with guild None, not with a server id."""
    repo = FormsRepository(migrated_db)
    await opened(repo, "d" * 22, guild=None)
    assert await repo.peek("d" * 22, user_id=1, guild_id=10, now=NOW) is None
    assert await repo.peek("d" * 22, user_id=1, guild_id=None, now=NOW) is not None


async def test_concurrent_claims_hand_the_form_to_exactly_one(migrated_db: Database) -> None:
    """Two sends of the same form at the same moment: one gets it, the other gets nothing."""
    repo = FormsRepository(migrated_db)
    await opened(repo, "c" * 22)
    results = await asyncio.gather(*(repo.claim("c" * 22, user_id=1, guild_id=10, now=NOW) for _ in range(5)))
    assert sum(r is not None for r in results) == 1


async def test_expired_forms_are_not_claimed_and_are_swept(migrated_db: Database) -> None:
    """After expires_at a form is gone for its member and the sweep returns it for clean-up."""
    repo = FormsRepository(migrated_db)
    await opened(repo, "e" * 22)
    await opened(repo, "f" * 22, user=2)
    assert await repo.count_open(1, "test:form", now=NOW) == 1
    assert await repo.claim("e" * 22, user_id=1, guild_id=10, now=LATER) is None
    swept = await repo.remove_expired(now=LATER)
    assert sorted(f.token for f in swept) == ["e" * 22, "f" * 22]
    assert await repo.count_open(2, "test:form", now=NOW) == 0


async def test_erasure_removes_a_members_open_forms_only(migrated_db: Database) -> None:
    """forget_member removes that member's forms in that server and keeps everyone else's."""
    repo = FormsRepository(migrated_db)
    await opened(repo, "g" * 22)
    await opened(repo, "h" * 22, user=2)
    gone = await repo.forget_member(10, 1)
    assert [f.token for f in gone] == ["g" * 22]
    assert await repo.peek("h" * 22, user_id=2, guild_id=10, now=NOW) is not None
    assert await repo.held_states("test:form") == [{"item": "h" * 22}]
