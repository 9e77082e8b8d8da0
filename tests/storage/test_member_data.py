"""A member's own data across repositories (/mydata) on a real, migrated SQLite file: what an export
holds, what erasure removes or unlinks, what it keeps, and the file that carries it."""

from __future__ import annotations

import contextlib
import io
import json
import re
import sqlite3
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from storage.announcements import AnnouncementInput
from storage.calls import ALL_PROGRAMMES
from storage.database import Database
from storage.events import EventInput, NoticePlan
from storage.exchange import ERASED_AUTHOR
from storage.member_data import (
    NOT_INCLUDED,
    SECTIONS,
    build_document,
    encode,
    export_filename,
    item_counts,
    merge_sections,
    package,
)
from storage.repositories import Repositories, build_repositories
from storage.testimonials import Media, NewTestimonial
from tests.storage.test_calls_repository import call_input, planner

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
GUILD, OTHER_GUILD = 10, 20
ALICE, BOB, MOD = 1001, 1002, 1003
PHOTO = Media("b" * 64, f"bb/{'b' * 64}.jpg", "image/jpeg", 2345, 64, 48)


@pytest.fixture
def repos(migrated_db: Database) -> Repositories:
    """Every repository on one migrated database."""
    return build_repositories(migrated_db, default_timezone="Europe/Brussels")


async def collect(
    repos: Repositories, guild_id: int, user_id: int, *, media_dir: Path | None = None
) -> dict[str, Any]:
    """Every repository's sections about a member, merged as /mydata merges its capabilities' exports."""
    parts = [
        await repos.profiles.member_data(guild_id, user_id),
        await repos.languages.member_data(guild_id, user_id),
        await repos.cities.member_data(guild_id, user_id),
        await repos.twins.member_data(guild_id, user_id),
        await repos.calls.member_data(guild_id, user_id),
        await repos.announcements.member_data(guild_id, user_id),
        await repos.testimonials.member_data(guild_id, user_id, media_dir=media_dir),
        await repos.polls.member_data(guild_id, user_id),
        await repos.exchanges.member_data(guild_id, user_id),
        await repos.events.member_data(guild_id, user_id),
        await repos.proposals.member_data(guild_id, user_id),
    ]
    return merge_sections(parts)


def submission(author: int, guild_id: int = GUILD, campaign: str = "Trams") -> NewTestimonial:
    """A consented testimonial by `author`."""
    return NewTestimonial(
        guild_id=guild_id, campaign_name=campaign, author_id=author, author_name=f"member{author}",
        story="Since the tram opened I cycle less and walk more.", city="Lyon", target_group="citizen",
        consent_scope="named", consent_version="2", consent_text="I agree to publication under CC BY 4.0.",
        consented_at=NOW,
    )  # fmt: skip


async def populate(repos: Repositories, media_dir: Path) -> dict[str, Any]:
    """Alice and Bob use every capability in GUILD; Alice also in OTHER_GUILD. Return the ids made."""
    lyon = await repos.cities.add(GUILD, "Lyon", "FR", mission_city=True, created_by=MOD)
    riga = await repos.cities.add(GUILD, "Riga", "LV", mission_city=True, created_by=MOD)
    elsewhere = await repos.cities.add(OTHER_GUILD, "Oslo", "NO", mission_city=False, created_by=MOD)
    await repos.profiles.set(GUILD, ALICE, target_group="researcher", city_id=lyon.id)
    await repos.cities.join(riga.id, ALICE)
    await repos.profiles.set(GUILD, BOB, target_group="citizen", city_id=riga.id)
    await repos.profiles.set(OTHER_GUILD, ALICE, target_group="business", city_id=elsewhere.id)
    twin = await repos.twins.create(
        guild_id=GUILD, city_x=lyon.id, city_y=riga.id, channel_id=5, thread_id=6, created_by=MOD,
        first_checkin_at=NOW + timedelta(days=30),
    )  # fmt: skip

    added = await repos.calls.add(GUILD, call_input(), created_by=MOD, planner=planner, now=NOW)
    reminder = added.new_reminders[0]
    for user in (ALICE, BOB):
        await repos.calls.subscribe(GUILD, user, ALL_PROGRAMMES, now=NOW)
        await repos.calls.claim_dm(reminder.id, user, now=NOW)
        await repos.calls.finish_dm(reminder.id, GUILD, user, "sent", now=NOW)
    await repos.calls.subscribe(OTHER_GUILD, ALICE, ALL_PROGRAMMES, now=NOW)

    for guild in (GUILD, OTHER_GUILD):
        await repos.testimonials.create_campaign(
            guild_id=guild, name="Trams", prompt="How did the tram change your day?", licence="CC-BY-4.0",
            max_photo_bytes=8 << 20, created_by=MOD, now=NOW,
        )  # fmt: skip
    mine = await repos.testimonials.submit(submission(ALICE), PHOTO, now=NOW)
    (media_dir / PHOTO.relpath).parent.mkdir(parents=True)
    (media_dir / PHOTO.relpath).write_bytes(b"jpeg")
    await repos.testimonials.decide(mine.id, approve=True, moderator_id=MOD, now=NOW)
    await repos.testimonials.submit(submission(BOB), None, now=NOW)
    await repos.testimonials.submit(submission(ALICE, OTHER_GUILD), None, now=NOW)

    polls = repos.polls
    named_open = await polls.create(
        guild_id=GUILD, channel_id=5, question="Open?", options=["Yes", "No"], created_by=MOD, now=NOW
    )
    named_closed = await polls.create(
        guild_id=GUILD, channel_id=5, question="Closed?", options=["A", "B", "C"], created_by=MOD,
        now=NOW, multiple=True,
    )  # fmt: skip
    secret_open = await polls.create(
        guild_id=GUILD, channel_id=5, question="Secret?", options=["X", "Y"], created_by=MOD, now=NOW,
        anonymous=True,
    )  # fmt: skip
    for poll, user, option in (
        (named_open, ALICE, 0),
        (named_open, BOB, 1),
        (named_closed, ALICE, 0),
        (named_closed, ALICE, 2),
        (named_closed, BOB, 0),
        (secret_open, ALICE, 1),
        (secret_open, BOB, 1),
    ):
        result = await polls.cast_vote(poll.id, user, option, NOW)
        assert result.accepted
    await polls.close(named_closed.id, NOW + timedelta(minutes=1))

    asked = await repos.exchanges.create(
        guild_id=GUILD, forum_id=7, thread_id=8, author_id=ALICE, from_city_id=lyon.id,
        title="Food waste", question="How did you get households to sort food waste?", theme="waste",
        city_ids=[riga.id],
    )  # fmt: skip
    await repos.exchanges.resolve(
        asked.id, by=ALICE, what_worked="Door-to-door bins.", what_did_not="", contact=""
    )
    await repos.exchanges.create(
        guild_id=GUILD, forum_id=7, thread_id=9, author_id=ALICE, from_city_id=None, title="Bike lanes",
        question="Which widths work?", theme="mobility", city_ids=[],
    )  # fmt: skip

    # Moderator actions of every kind that records who acted.
    start = NOW + timedelta(days=3)
    event, _ = await repos.events.create(
        GUILD, EventInput(900, "Heat pumps", "", "Town hall", start, start + timedelta(hours=1), "UTC"),
        [NoticePlan("followup", timedelta(0), start + timedelta(hours=1))], created_by=MOD, now=NOW,
    )  # fmt: skip
    await repos.events.cancel(GUILD, event.id, by=MOD, now=NOW)
    announcement = await repos.announcements.schedule(
        GUILD, AnnouncementInput(5, "Meeting moved", "none", "UTC", datetime(2026, 12, 1, 9), start),
        created_by=MOD, now=NOW,
    )  # fmt: skip
    await repos.announcements.cancel(GUILD, announcement.id, by=MOD)
    await repos.testimonials.close_campaign(OTHER_GUILD, "Trams", closed_by=MOD, now=NOW)
    return {
        "lyon": lyon, "riga": riga, "twin": twin, "testimonial": mine, "named_open": named_open,
        "named_closed": named_closed, "secret_open": secret_open, "asked": asked, "event": event,
    }  # fmt: skip


async def test_export_holds_everything_linked_to_the_member_here_and_nothing_else(
    repos: Repositories, tmp_path: Path
) -> None:
    """Every section shows Alice's own data in this server; Bob's and the other server's are absent."""
    made = await populate(repos, tmp_path)
    sections = await collect(repos, GUILD, ALICE, media_dir=tmp_path)
    assert list(sections) == list(SECTIONS)

    assert sections["profile"] == {
        "group": "researcher",
        "home_city": {"city_id": made["lyon"].id, "name": "Lyon"},
        "updated_at": sections["profile"]["updated_at"],
    }
    assert [c["name"] for c in sections["city_memberships"]] == ["Lyon", "Riga"]
    assert [t["twin_id"] for t in sections["twin_threads"]] == [made["twin"].id]
    assert [s["programme"] for s in sections["call_subscriptions"]] == [ALL_PROGRAMMES]
    assert [(d["call"], d["state"]) for d in sections["call_reminder_dms"]] == [
        ("HORIZON-MISS-2027-CIT-01-01", "sent")
    ]

    (item,) = sections["testimonials"]
    assert item["testimonial_id"] == made["testimonial"].id and item["status"] == "approved"
    assert item["consent"] == {
        "scope": "named",
        "version": "2",
        "language": "en",
        "text": "I agree to publication under CC BY 4.0.",
        "consented_at": "2026-11-01T12:00:00+00:00",
    }
    assert item["photo"]["sha256"] == PHOTO.sha256 and item["photo"]["file_exists"] is True
    assert [d["decision"] for d in item["decisions"]] == ["approved"]
    assert "moderator_id" not in json.dumps(item) and str(MOD) not in json.dumps(item)

    ballots = [(b["question"], b["poll_state"], b["option"]) for b in sections["poll_ballots"]]
    assert ballots == [("Open?", "open", "Yes"), ("Closed?", "closed", "A"), ("Closed?", "closed", "C")]
    assert [e["title"] for e in sections["exchanges_asked"]] == ["Food waste", "Bike lanes"]
    assert sections["exchanges_asked"][0]["from_city"] == "Lyon"
    assert [lesson["what_worked"] for lesson in sections["lessons_written"]] == ["Door-to-door bins."]
    assert all(not items for items in sections["moderator_actions"].values())

    text = json.dumps(sections)
    assert str(BOB) not in text and "business" not in text and "Oslo" not in text
    assert item_counts(sections) == {
        "profile": 1, "city_memberships": 2, "twin_threads": 1, "call_subscriptions": 1,
        "call_reminder_dms": 1, "testimonials": 1, "photos": 1, "open_poll_ballots": 1,
        "closed_poll_ballots": 2, "exchanges_asked": 2, "lessons_written": 1, "proposals": 0,
        "proposal_supports": 0, "moderator_actions": 0,
    }  # fmt: skip


async def test_moderator_actions_are_listed_for_the_moderator(repos: Repositories, tmp_path: Path) -> None:
    """What a moderator created or decided is linked to them, so it is in their export."""
    made = await populate(repos, tmp_path)
    actions = (await collect(repos, GUILD, MOD))["moderator_actions"]
    assert [p["question"] for p in actions["polls_created"]] == ["Open?", "Closed?", "Secret?"]
    assert [c["identifier"] for c in actions["calls_registered"]] == ["HORIZON-MISS-2027-CIT-01-01"]
    assert [c["name"] for c in actions["cities_registered"]] == ["Lyon", "Riga"]
    assert [c["name"] for c in actions["campaigns_created"]] == ["Trams"]
    assert [d["decision"] for d in actions["testimonial_decisions"]] == ["approved"]
    assert len(actions["twinnings_created"]) == 1
    assert [a["message"] for a in actions["announcements_scheduled"]] == ["Meeting moved"]
    assert len(actions["announcements_cancelled"]) == 1
    assert actions["campaigns_closed"] == [], "closed in the other server"
    assert [e["title"] for e in actions["events_created"]] == ["Heat pumps"]
    assert [e["id"] for e in actions["events_cancelled"]] == [made["event"].id]


async def test_forget_erases_unlinks_and_keeps_what_it_says(
    repos: Repositories, migrated_db: Database, tmp_path: Path
) -> None:
    """Erasure removes Alice's data here; counts of closed polls and community text stay; idempotent."""
    made = await populate(repos, tmp_path)
    closed_before = await repos.polls.results(made["named_closed"].id)
    assert closed_before is not None and closed_before.counts == (2, 0, 1) and closed_before.voters == 2

    assert await repos.profiles.forget_member(GUILD, ALICE) == {"profile": 1, "city_memberships": 2}
    assert await repos.calls.forget_member(GUILD, ALICE) == {"call_subscriptions": 1, "call_reminder_dms": 1}
    removals = await repos.testimonials.remove_all_by_author(ALICE, guild_id=GUILD)
    assert [r.testimonial.id for r in removals] == [made["testimonial"].id]
    assert [m.sha256 for m in removals[0].orphaned_media] == [PHOTO.sha256]
    ballots = await repos.polls.forget_member(GUILD, ALICE)
    assert (ballots.withdrawn, ballots.withdrawn_anonymous, ballots.unlinked) == (1, 1, 2)
    assert ballots.open_poll_ids == (made["named_open"].id, made["secret_open"].id)
    assert await repos.exchanges.forget_member(GUILD, ALICE) == {
        "exchanges_unlinked": 2,
        "lessons_unlinked": 1,
    }

    sections = await collect(repos, GUILD, ALICE, media_dir=tmp_path)
    assert {k: v for k, v in item_counts(sections).items() if v} == {}
    assert str(ALICE) not in json.dumps(sections)

    # Closed poll: same counts and voters, same ballot rows, now under one pseudonym.
    closed_after = await repos.polls.results(made["named_closed"].id)
    assert closed_after is not None
    assert (closed_after.counts, closed_after.voters) == (closed_before.counts, closed_before.voters)
    export = await repos.polls.export_rows(made["named_closed"].id)
    assert export is not None and export.ballots is not None
    erased = [b for b in export.ballots if b.voter_id is None]
    assert [b.option for b in erased] == ["A", "C"] and len({b.pseudonym for b in erased}) == 1
    assert str(erased[0].voter).startswith("erased:") and {b.voter for b in export.ballots} - {
        erased[0].voter
    } == {BOB}
    # Open polls: the votes are withdrawn, others' stay.
    named_open = await repos.polls.results(made["named_open"].id)
    secret_open = await repos.polls.results(made["secret_open"].id)
    assert named_open is not None and named_open.counts == (0, 1) and named_open.voters == 1
    assert secret_open is not None and secret_open.counts == (0, 1) and secret_open.voters == 1
    # Exchanges keep their text, with the erased marker in place of the author.
    asked = await repos.exchanges.get(made["asked"].id)
    lesson = await repos.exchanges.lesson(made["asked"].id)
    assert asked is not None and asked.author_id == ERASED_AUTHOR and asked.resolved_by is None
    assert (
        lesson is not None
        and lesson.author_id == ERASED_AUTHOR
        and lesson.what_worked == "Door-to-door bins."
    )
    assert [hit.exchange.id for hit in await repos.exchanges.search(GUILD, "bins")] == [made["asked"].id]

    # Bob and Alice's other server are untouched.
    bob = item_counts(await collect(repos, GUILD, BOB))
    assert (bob["profile"], bob["call_subscriptions"], bob["testimonials"], bob["open_poll_ballots"]) == (
        1,
        1,
        1,
        1,
    )
    elsewhere = item_counts(await collect(repos, OTHER_GUILD, ALICE))
    assert (elsewhere["profile"], elsewhere["call_subscriptions"], elsewhere["testimonials"]) == (1, 1, 1)

    # A second erasure finds nothing.
    assert await repos.profiles.forget_member(GUILD, ALICE) == {"profile": 0, "city_memberships": 0}
    assert await repos.calls.forget_member(GUILD, ALICE) == {"call_subscriptions": 0, "call_reminder_dms": 0}
    assert await repos.testimonials.remove_all_by_author(ALICE, guild_id=GUILD) == []
    again = await repos.polls.forget_member(GUILD, ALICE)
    assert again.counts() == {"open_poll_ballots_withdrawn": 0, "closed_poll_ballots_unlinked": 0}
    assert not again.open_poll_ids
    assert await repos.exchanges.forget_member(GUILD, ALICE) == {
        "exchanges_unlinked": 0,
        "lessons_unlinked": 0,
    }

    with sqlite3.connect(migrated_db.path) as raw:
        keys = [row[0] for row in raw.execute("SELECT voter_key FROM poll_votes")]
    assert str(ALICE) not in keys


async def test_ballots_are_never_rewritten_except_to_unlink_a_closed_poll(
    repos: Repositories, migrated_db: Database
) -> None:
    """The trigger allows only member id -> 'erased:<16 hex>' in a closed non-anonymous poll."""
    poll = await repos.polls.create(
        guild_id=GUILD, channel_id=5, question="Q?", options=["A", "B"], created_by=MOD, now=NOW
    )
    await repos.polls.cast_vote(poll.id, ALICE, 0, NOW)
    rewrite = "UPDATE poll_votes SET voter_key = ? WHERE poll_id = ?"
    with pytest.raises(sqlite3.IntegrityError, match="never rewritten"):
        async with migrated_db.transaction() as conn:
            await conn.execute(rewrite, ("erased:0123456789abcdef", poll.id))
    await repos.polls.close(poll.id, NOW + timedelta(minutes=1))
    for bad in ("12345", "erased:short", "erased:0123456789abcdefXX"):
        with pytest.raises(sqlite3.IntegrityError, match="never rewritten"):
            async with migrated_db.transaction() as conn:
                await conn.execute(rewrite, (bad, poll.id))
    with pytest.raises(sqlite3.IntegrityError, match="never rewritten"):
        async with migrated_db.transaction() as conn:
            await conn.execute("UPDATE poll_votes SET option_idx = 1 WHERE poll_id = ?", (poll.id,))
    async with migrated_db.transaction() as conn:
        await conn.execute(rewrite, ("erased:0123456789abcdef", poll.id))
    with pytest.raises(sqlite3.IntegrityError, match="never rewritten"):
        async with migrated_db.transaction() as conn:
            await conn.execute(rewrite, ("erased:fedcba9876543210", poll.id))
    results = await repos.polls.results(poll.id)
    assert results is not None and results.counts == (1, 0)


async def test_an_empty_member_has_empty_sections(repos: Repositories) -> None:
    """Someone who never used the bot gets every section, all empty."""
    sections = await collect(repos, GUILD, ALICE)
    assert sections["profile"] is None and sections["language"] is None
    singles = ("profile", "language", "moderator_actions")
    assert all(sections[key] == [] for key in SECTIONS if key not in singles)
    assert not any(item_counts(sections).values())


def test_document_has_a_header_and_pretty_utf8_json() -> None:
    """The header says what, when, for whom and what is left out; the text is readable UTF-8."""
    sections = merge_sections([{"profile": None}, {"lessons_written": [{"what_worked": "Vélo-écoles"}]}])
    document = build_document(sections, guild_id=GUILD, user_id=ALICE, generated_at=NOW, version="9.9")
    about = document["about"]
    assert about["generated_at"] == "2026-11-01T12:00:00+00:00" and about["climabot_version"] == "9.9"
    assert (about["guild_id"], about["user_id"]) == (GUILD, ALICE)
    assert about["not_included"] == list(NOT_INCLUDED)
    assert any("anonymous" in line.lower() for line in about["not_included"])
    assert list(about["sections"]) == ["profile", "lessons_written", "moderator_actions"]
    data = encode(document)
    assert "Vélo-écoles".encode() in data and b'\n  "about": {' in data
    assert json.loads(data.decode("utf-8")) == document
    assert export_filename(GUILD, ALICE) == f"climabot-mydata-{GUILD}-{ALICE}.json"


def test_sections_from_two_capabilities_must_not_collide() -> None:
    """Two capabilities exporting the same section (or moderator action) is a programming error."""
    with pytest.raises(ValueError, match="profile"):
        merge_sections([{"profile": None}, {"profile": None}])
    with pytest.raises(ValueError, match="polls_created"):
        merge_sections(
            [{"moderator_actions": {"polls_created": []}}, {"moderator_actions": {"polls_created": []}}]
        )
    with pytest.raises(ValueError, match="description"):
        merge_sections([{"secret_section": []}])


def test_package_zips_only_what_does_not_fit() -> None:
    """Under the limit the JSON goes as is; over it, zipped; if even the zip is too big, None."""
    data = encode({"lessons": ["the same lesson again"] * 2000})
    assert package(data, "x.json", len(data)) == ("x.json", data)
    name, zipped = package(data, "x.json", len(data) - 1) or ("", b"")
    assert name == "x.json.zip" and len(zipped) < len(data)
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        assert archive.read("x.json") == data
    assert package(data, "x.json", 10) is None


# Every column that can hold a Discord user id, and what /mydata forget does with it. A new column
# of that kind must be added here, after deciding whether erasure deletes, unlinks or keeps it.
ERASED_OR_UNLINKED = {
    "call_reminder_dms.user_id",  # deleted
    "call_subscriptions.user_id",  # deleted
    "city_members.user_id",  # deleted
    "profiles.user_id",  # deleted
    "member_languages.user_id",  # deleted (the Languages holder in bot/languages.py)
    "testimonials.author_id",  # deleted, with the testimonial
    "poll_votes.voter_key",  # open polls: deleted; closed polls: a random pseudonym
    "exchanges.author_id",  # unlinked (ERASED_AUTHOR)
    "exchanges.resolved_by",  # unlinked (NULL)
    "lessons.author_id",  # unlinked (ERASED_AUTHOR)
    "open_forms.user_id",  # deleted (forms not yet sent, with what they held)
    "proposals.author_id",  # unlinked (NULL)
    "proposal_supports.user_id",  # deleted
    "proposal_optouts.user_id",  # deleted
}
KEPT_FOR_ACCOUNTABILITY = {
    "announcements.created_by",
    "announcements.cancelled_by",
    "calls.created_by",
    "cities.created_by",
    "events.created_by",
    "events.cancelled_by",
    "polls.created_by",
    "testimonial_campaigns.created_by",
    "testimonial_campaigns.closed_by",
    "testimonial_decisions.moderator_id",
    "testimonials.decided_by",
    "twins.created_by",
}
PERSON_COLUMN = re.compile(r"(user_id|author_id|moderator_id|member_id|voter|voter_key|_by)$")


def tables_and_columns(path: Path) -> list[tuple[str, str]]:
    """Every (table, column) of the database file, virtual tables included, SQLite's own left out."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        tables = [
            str(row[0])
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
            )
        ]
        return [(t, str(c[1])) for t in tables for c in conn.execute(f'PRAGMA table_info("{t}")')]


def columns_holding(path: Path, user_id: int) -> set[str]:
    """The `table.column`s in which some row holds this id, as a number or as text."""
    found = set()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        for table, column in tables_and_columns(path):
            hit = conn.execute(
                f'SELECT 1 FROM "{table}" WHERE "{column}" = ? OR "{column}" = ? LIMIT 1',
                (user_id, str(user_id)),
            ).fetchone()
            if hit:
                found.add(f"{table}.{column}")
    return found


async def erase_everywhere(repos: Repositories, user_id: int) -> None:
    """What /mydata forget does to the database, in both servers."""
    for guild in (GUILD, OTHER_GUILD):
        await repos.profiles.forget_member(guild, user_id)
        await repos.calls.forget_member(guild, user_id)
        await repos.testimonials.remove_all_by_author(user_id, guild_id=guild)
        await repos.polls.forget_member(guild, user_id)
        await repos.exchanges.forget_member(guild, user_id)
        await repos.forms.forget_member(guild, user_id)
        await repos.proposals.erase_member(guild, user_id)


async def test_every_column_that_can_hold_a_member_is_accounted_for(migrated_db: Database) -> None:
    """The schema's person columns are exactly those erasure handles or keeps (a new one fails here)."""
    person_columns = {
        f"{table}.{column}"
        for table, column in tables_and_columns(migrated_db.path)
        if PERSON_COLUMN.search(column)
    }
    assert person_columns == ERASED_OR_UNLINKED | KEPT_FOR_ACCOUNTABILITY


async def test_after_erasure_a_member_is_in_no_column_at_all(
    repos: Repositories, migrated_db: Database, tmp_path: Path
) -> None:
    """Alice used everything in two servers; once erased in both, no row anywhere holds her id."""
    await populate(repos, tmp_path)
    before = columns_holding(migrated_db.path, ALICE)
    assert before >= {"profiles.user_id", "testimonials.author_id", "poll_votes.voter_key"}
    assert before >= {"lessons.author_id", "call_reminder_dms.user_id", "city_members.user_id"}
    await erase_everywhere(repos, ALICE)
    assert columns_holding(migrated_db.path, ALICE) == set()


async def test_after_erasure_a_moderator_stays_only_where_the_docs_say(
    repos: Repositories, migrated_db: Database, tmp_path: Path
) -> None:
    """What stays of a moderator is the record of their actions: the columns kept for accountability."""
    await populate(repos, tmp_path)
    await erase_everywhere(repos, MOD)
    assert columns_holding(migrated_db.path, MOD) == KEPT_FOR_ACCOUNTABILITY
