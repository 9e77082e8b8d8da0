"""Exchanges, lessons, full-text search and twinnings on a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.cities import CitiesRepository, City
from storage.database import Database
from storage.exchange import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    AlreadyResolvedError,
    ExchangeRepository,
    QuestionLimitError,
)
from storage.exchange_search import search_terms
from storage.twins import DuplicateTwinError, Twin, TwinsRepository

GUILD = 1
FORUM = 900


async def _cities(db: Database, *names: str) -> list[City]:
    """Register cities and return them."""
    repo = CitiesRepository(db)
    return [await repo.add(GUILD, n, "FR", mission_city=True, created_by=None) for n in names]


async def _ask(
    repo: ExchangeRepository, thread: int, title: str, question: str, theme: str = "energy", **kw: object
):
    """Record an exchange with defaults."""
    args: dict = dict(
        guild_id=GUILD,
        forum_id=FORUM,
        thread_id=thread,
        author_id=10,
        from_city_id=None,
        title=title,
        question=question,
        theme=theme,
        city_ids=[],
    )
    args.update(kw)
    return await repo.create(**args)


async def test_create_resolve_and_reopen(migrated_db: Database) -> None:
    lyon, riga = await _cities(migrated_db, "Lyon", "Riga")
    repo = ExchangeRepository(migrated_db)
    ex = await _ask(
        repo, 1001, "Heat pumps", "Who tried heat pumps?", from_city_id=lyon.id, city_ids=[riga.id]
    )
    assert ex.is_open and ex.thread_id == 1001
    assert await repo.asked_cities(ex.id) == [riga.id]
    assert await repo.by_thread(1001) == ex
    assert await repo.open_thread_ids(GUILD) == {1001}
    lesson = await repo.resolve(ex.id, by=10, what_worked="District heating", what_did_not="", contact="")
    assert lesson.exchange_id == ex.id
    resolved = await repo.get(ex.id)
    assert resolved is not None and resolved.status == "resolved" and resolved.resolved_by == 10
    with pytest.raises(AlreadyResolvedError):
        await repo.resolve(ex.id, by=11, what_worked="x", what_did_not="", contact="")
    assert await repo.open_thread_ids(GUILD) == set()
    await repo.reopen(ex.id)
    assert (await repo.get(ex.id)).is_open  # type: ignore[union-attr]
    assert await repo.lesson(ex.id) is None
    # Search no longer sees the withdrawn lesson.
    assert await repo.search(GUILD, "district") == []


async def test_page_filters_by_city_theme_and_status(migrated_db: Database) -> None:
    lyon, riga, oslo = await _cities(migrated_db, "Lyon", "Riga", "Oslo")
    repo = ExchangeRepository(migrated_db)
    a = await _ask(repo, 1, "A", "q", theme="energy", from_city_id=lyon.id)
    b = await _ask(repo, 2, "B", "q", theme="mobility", city_ids=[riga.id, lyon.id])
    c = await _ask(repo, 3, "C", "q", theme="energy", city_ids=[oslo.id])
    await repo.resolve(c.id, by=1, what_worked="w", what_did_not="", contact="")
    items, total = await repo.page(GUILD, city_id=lyon.id)
    assert total == 2 and [e.id for e in items] == [b.id, a.id]
    items, total = await repo.page(GUILD, theme="energy")
    assert [e.id for e in items] == [c.id, a.id]
    items, total = await repo.page(GUILD, status="resolved")
    assert [e.id for e in items] == [c.id]
    items, total = await repo.page(GUILD, offset=1, limit=1)
    assert total == 3 and [e.id for e in items] == [b.id]
    activity = await repo.city_activity(oslo.id)
    assert (activity.open_count, activity.resolved_count, activity.lesson_count) == (0, 1, 1)
    activity = await repo.city_activity(lyon.id)
    assert activity.open_count == 2 and [e.id for e in activity.recent] == [b.id, a.id]


async def test_search_ranks_title_and_lesson_matches_and_highlights(migrated_db: Database) -> None:
    repo = ExchangeRepository(migrated_db)
    weak = await _ask(repo, 1, "Parking rules", "We also discuss composting at the end.")
    strong = await _ask(repo, 2, "Composting in flats", "How do you organise composting in flats?")
    lesson_only = await _ask(repo, 3, "Food waste", "What reduced food waste in schools?")
    await repo.resolve(
        lesson_only.id, by=1, what_worked="Shared composting bins per block", what_did_not="", contact=""
    )
    hits = await repo.search(GUILD, "composting")
    assert hits[0].exchange.id == strong.id
    assert {h.exchange.id for h in hits} == {weak.id, strong.id, lesson_only.id}
    by_id = {h.exchange.id: h for h in hits}
    assert f"{HIGHLIGHT_START}composting{HIGHLIGHT_END}" in by_id[lesson_only.id].snippet.lower()
    assert by_id[lesson_only.id].has_lesson and not by_id[strong.id].has_lesson
    # Stemming: "bin" finds "bins".
    assert [h.exchange.id for h in await repo.search(GUILD, "bin")] == [lesson_only.id]


async def test_search_all_words_then_any_word_and_filters(migrated_db: Database) -> None:
    (lyon,) = await _cities(migrated_db, "Lyon")
    repo = ExchangeRepository(migrated_db)
    both = await _ask(repo, 1, "Solar roofs", "solar panels on school roofs", theme="energy")
    one = await _ask(repo, 2, "Solar parks", "solar farms", theme="energy", city_ids=[lyon.id])
    assert [h.exchange.id for h in await repo.search(GUILD, "solar roofs")] == [both.id]
    # No document has both words: fall back to any word.
    hits = await repo.search(GUILD, "roofs farms")
    assert {h.exchange.id for h in hits} == {both.id, one.id}
    assert [h.exchange.id for h in await repo.search(GUILD, "solar", city_id=lyon.id)] == [one.id]
    assert await repo.search(GUILD, "solar", theme="mobility") == []
    assert await repo.search(2, "solar") == []


async def test_search_text_without_words_is_refused(migrated_db: Database) -> None:
    repo = ExchangeRepository(migrated_db)
    with pytest.raises(ValueError):
        await repo.search(GUILD, '"" ** () :')


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=80))
async def test_search_never_raises_on_arbitrary_text(migrated_db: Database, text: str) -> None:
    """Any text either has no word (ValueError) or searches; a known word next to it is still found."""
    repo = ExchangeRepository(migrated_db)
    exchanges, _ = await repo.page(GUILD)
    if not exchanges:
        exchanges = [await _ask(repo, 1, 'Say "hello" AND NEAR(x)', "col:umn * ^ - + OR NOT ()")]
    if not search_terms(text):
        with pytest.raises(ValueError):
            await repo.search(GUILD, text)
        return
    hits = await repo.search(GUILD, text)
    assert len(hits) <= 5 and all(hit.exchange.guild_id == GUILD for hit in hits)
    # Whatever syntax the text holds, it cannot hide a word that is there (any word may match). The word
    # goes first: a search keeps its first MAX_TERMS words, and the text may already hold that many.
    found = await repo.search(GUILD, f"hello {text}")
    assert [hit.exchange.id for hit in found] == [exchanges[0].id]


async def test_search_with_fts_syntax_in_query_finds_words(migrated_db: Database) -> None:
    repo = ExchangeRepository(migrated_db)
    ex = await _ask(repo, 1, "NEAR the river", 'title: "flood" OR barrier')
    for query in ['"flood', "title:flood", "NEAR(flood barrier)", "flood OR", "barrier*", "-flood"]:
        assert [h.exchange.id for h in await repo.search(GUILD, query)] == [ex.id], query


async def test_the_daily_question_limit_is_checked_inside_the_write(migrated_db: Database) -> None:
    repo = ExchangeRepository(migrated_db)
    day_ago = datetime.now(UTC) - timedelta(days=1)
    await _ask(repo, 1, "One", "q", per_day_limit=2)
    await _ask(repo, 2, "Two", "q", per_day_limit=2)
    assert await repo.asked_since(GUILD, 10, day_ago) == 2
    with pytest.raises(QuestionLimitError) as caught:
        await _ask(repo, 3, "Three", "q", per_day_limit=2)
    assert caught.value.limit == 2
    assert (await repo.page(GUILD))[1] == 2 and await repo.by_thread(3) is None
    # Another member, another server, or no limit: recorded.
    await _ask(repo, 4, "Four", "q", author_id=11, per_day_limit=2)
    await _ask(repo, 5, "Five", "q", guild_id=2, per_day_limit=2)
    await _ask(repo, 6, "Six", "q")
    assert await repo.asked_since(GUILD, 10, day_ago) == 3
    assert await repo.asked_since(GUILD, 10, datetime.now(UTC) + timedelta(minutes=1)) == 0


async def _twin(twins: TwinsRepository, x: City, y: City, *, thread_id: int, due: datetime) -> Twin:
    """Record a twinning of two cities with a thread id and first check-in."""
    return await twins.create(
        guild_id=GUILD,
        city_x=x.id,
        city_y=y.id,
        channel_id=5,
        thread_id=thread_id,
        created_by=7,
        first_checkin_at=due,
    )


async def test_twins_pair_order_duplicates_and_checkin_claims(migrated_db: Database) -> None:
    lyon, riga = await _cities(migrated_db, "Lyon", "Riga")
    twins = TwinsRepository(migrated_db)
    due = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
    twin = await _twin(twins, riga, lyon, thread_id=6, due=due)
    assert (twin.city_a_id, twin.city_b_id) == (lyon.id, riga.id)
    assert twin.next_checkin_at == due
    with pytest.raises(DuplicateTwinError):
        await _twin(twins, lyon, riga, thread_id=8, due=due)
    assert (await twins.find_active(riga.id, lyon.id)) == twin
    with pytest.raises(ValueError):
        await twins.find_active(lyon.id, lyon.id)
    later = due + timedelta(weeks=4)
    assert await twins.claim_checkin(twin.id, due, later) is True
    assert await twins.claim_checkin(twin.id, due, later) is False  # never twice
    assert await twins.skip_missed(twin.id, later, later + timedelta(weeks=8), 2) is True
    got = await twins.get(twin.id)
    assert got is not None and (got.checkins_sent, got.checkins_missed) == (1, 2)
    assert [t.id for t in await twins.of_city(riga.id)] == [twin.id]
    assert [t.id for t in await twins.pending()] == [twin.id]
    assert await twins.end(twin.id) is True
    assert await twins.pending() == [] and await twins.of_guild(GUILD) == []
    assert len(await twins.of_guild(GUILD, include_ended=True)) == 1
    # An ended pair can be twinned again.
    again = await _twin(twins, lyon, riga, thread_id=9, due=due)
    assert again.active
