"""Fast seeding for the benchmarks: bulk inserts on a migrated database, in a few transactions.

The rows are what the cogs would have stored (same columns, same constraints); the search index and
the poll and proposal counters follow by the schema's own triggers. A benchmark seeds before it starts
the bot, so these writes never race the bot's own.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from storage.database import Database
from storage.times import to_db_time
from tests.bench.bench_exchange import THEMES, make_vocabulary, sentence

BATCH = 5000
GROUPS = ("citizen", "policy-maker", "researcher", "end-user", "civil-society", "business")
PROGRAMMES = ("horizon-europe", "life", "interreg", "other")


async def insert(db: Database, sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """Insert rows in transactions of BATCH rows each."""
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            async with db.transaction() as conn:
                await conn.executemany(sql, batch)
            batch = []
    if batch:
        async with db.transaction() as conn:
            await conn.executemany(sql, batch)


async def next_id(db: Database, table: str) -> int:
    """The id the next row of `table` would get (ids are given explicitly so children can point at them)."""
    row = await db.fetchone(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    assert row is not None
    return int(row[0])


def spread(now: datetime, i: int, count: int, days: int = 365) -> str:
    """The i-th of `count` moments spread evenly over the last `days` days."""
    return to_db_time(now - timedelta(seconds=days * 86400 * (count - i) / max(count, 1)))


async def seed_calls(db: Database, guild: int, count: int, now: datetime) -> None:
    """`count` open funding calls, deadlines a minute apart from tomorrow on."""
    at = to_db_time(now)
    await insert(
        db,
        "INSERT INTO calls (guild_id, identifier, title, programme, deadline_at, timezone, summary,"
        " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'Europe/Brussels', ?, 1, ?, ?)",
        (
            (
                guild,
                f"BENCH-{i:06d}",
                f"Call {i}: climate-neutral districts",
                PROGRAMMES[i % len(PROGRAMMES)],
                to_db_time(now + timedelta(days=1, minutes=i)),
                "Pilots for heat, mobility and buildings in mission cities.",
                at,
                at,
            )
            for i in range(count)
        ),
    )


async def seed_lessons(db: Database, guild: int, count: int, now: datetime, rng: random.Random) -> list[str]:
    """`count` resolved exchanges with their lesson; return the vocabulary the texts were drawn from."""
    vocab = make_vocabulary(rng)
    first = await next_id(db, "exchanges")
    at = to_db_time(now)
    await insert(
        db,
        "INSERT INTO exchanges (id, guild_id, forum_id, thread_id, author_id, title, question, theme,"
        " status, created_at, resolved_at, resolved_by) VALUES (?, ?, 1, ?, 7, ?, ?, ?, 'resolved', ?, ?, 7)",
        (
            (
                first + i,
                guild,
                10**12 + first + i,
                sentence(rng, vocab, 6)[:100],
                sentence(rng, vocab, 40),
                rng.choice(THEMES),
                spread(now, i, count),
                at,
            )
            for i in range(count)
        ),
    )
    await insert(
        db,
        "INSERT INTO lessons (exchange_id, what_worked, what_did_not, contact, author_id, created_at)"
        " VALUES (?, ?, ?, 'City office', 7, ?)",
        ((first + i, sentence(rng, vocab, 60), sentence(rng, vocab, 25), at) for i in range(count)),
    )
    return vocab


async def seed_proposals(
    db: Database, guild: int, count: int, now: datetime, rng: random.Random, author: int = 7
) -> int:
    """`count` proposals spread over the year; return the id of the first."""
    first = await next_id(db, "proposals")
    await insert(
        db,
        "INSERT INTO proposals (id, guild_id, author_id, city_name, theme, title, body, benefit, status,"
        " created_at, updated_at, consent_version) VALUES (?, ?, ?, 'Lyon', ?, ?, ?, ?, ?, ?, ?, '1')",
        (
            (
                first + i,
                guild,
                author,
                rng.choice(THEMES),
                f"Proposal {first + i}: more trees on school streets",
                "Plant trees along every school street to cool the walk in summer.",
                "Cooler, safer streets for children.",
                rng.choice(("open", "open", "under-review", "accepted", "implemented")),
                spread(now, i, count),
                spread(now, i, count),
            )
            for i in range(count)
        ),
    )
    return first


async def seed_closed_polls(
    db: Database, guild: int, count: int, voters: Sequence[int], now: datetime, rng: random.Random
) -> None:
    """`count` closed public polls over the year, each with one ballot from every voter given."""
    first = await next_id(db, "polls")
    await insert(
        db,
        "INSERT INTO polls (id, guild_id, channel_id, question, option_count, multiple, anonymous,"
        " hide_results, created_by, created_at) VALUES (?, ?, 1, ?, 3, 0, 0, 0, 1, ?)",
        (
            (
                first + i,
                guild,
                f"Poll {first + i}: which pilot first?",
                spread(now, i, count),
            )
            for i in range(count)
        ),
    )
    await insert(
        db,
        "INSERT INTO poll_options (poll_id, idx, label) VALUES (?, ?, ?)",
        ((first + i, idx, label) for i in range(count) for idx, label in enumerate(("Heat", "Bus", "Trees"))),
    )
    await insert(
        db,
        "INSERT INTO poll_votes (poll_id, voter_key, option_idx, voted_at) VALUES (?, ?, ?, ?)",
        (
            (first + i, str(user), rng.randrange(3), spread(now, i, count))
            for i in range(count)
            for user in voters
        ),
    )
    # Ballots go in while the polls are open (a trigger refuses them after), then the polls close.
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE polls SET closed_at = created_at WHERE id BETWEEN ? AND ?", (first, first + count - 1)
        )


async def seed_testimonials(
    db: Database, guild: int, count: int, authors: Sequence[int], now: datetime, rng: random.Random
) -> None:
    """`count` testimonials in one campaign, by the given authors in turn, spread over the year."""
    at = to_db_time(now)
    await insert(
        db,
        "INSERT OR IGNORE INTO testimonial_campaigns (guild_id, name, name_key, prompt, licence,"
        " max_photo_bytes, created_by, created_at)"
        " VALUES (?, 'Bench', 'bench', 'Tell us', 'CC-BY-4.0', 1048576, 1, ?)",
        [(guild, at)],
    )
    row = await db.fetchone(
        "SELECT id FROM testimonial_campaigns WHERE guild_id = ? AND name_key = 'bench'", (guild,)
    )
    assert row is not None
    campaign = int(row[0])
    await insert(
        db,
        "INSERT INTO testimonials (campaign_id, guild_id, author_id, author_name, story, city, target_group,"
        " consent_scope, consent_version, consent_text, consented_at, licence, submitted_at, status,"
        " decided_by, decided_at)"
        " VALUES (?, ?, ?, ?, ?, 'Lyon', ?, ?, '1', 'I agree.', ?, 'CC-BY-4.0', ?, ?, ?, ?)",
        (
            (
                campaign,
                guild,
                authors[i % len(authors)],
                f"member {authors[i % len(authors)]}",
                "The new tram line made my mornings calmer and my commute shorter.",
                rng.choice(GROUPS),
                rng.choice(("named", "anonymous", "research")),
                spread(now, i, count),
                spread(now, i, count),
                *(("pending", None, None) if i % 3 else ("approved", 1, spread(now, i, count))),
            )
            for i in range(count)
        ),
    )


async def seed_member(
    db: Database, guild: int, user: int, items: int, now: datetime, rng: random.Random
) -> None:
    """One member with `items` linked items: ballots in closed polls, testimonials, proposals, supports."""
    polls, stories = items * 2 // 5, items * 3 // 10
    proposals = items // 10
    supports = items - polls - stories - proposals
    await seed_closed_polls(db, guild, polls, [user], now, rng)
    await seed_testimonials(db, guild, stories, [user], now, rng)
    await seed_proposals(db, guild, proposals, now, rng, author=user)
    first = await seed_proposals(db, guild, supports, now, rng)
    await insert(
        db,
        "INSERT INTO proposal_supports (proposal_id, user_id, supported_at) VALUES (?, ?, ?)",
        ((first + i, user, to_db_time(now)) for i in range(supports)),
    )


async def seed_year(
    db: Database, guild: int, members: Sequence[int], now: datetime, rng: random.Random
) -> None:
    """A year of activity from `members`: profiles, cities, subscriptions, polls, stories, proposals."""
    count = len(members)
    at = to_db_time(now)
    first_city = await next_id(db, "cities")
    cities = max(1, count // 50)
    await insert(
        db,
        "INSERT INTO cities (id, guild_id, name, name_key, country, created_at) VALUES (?, ?, ?, ?, 'FR', ?)",
        ((first_city + i, guild, f"City {i}", f"city {i}", at) for i in range(cities)),
    )
    await insert(
        db,
        "INSERT INTO city_members (city_id, user_id, joined_at) VALUES (?, ?, ?)",
        ((first_city + i % cities, user, spread(now, i, count)) for i, user in enumerate(members)),
    )
    await insert(
        db,
        "INSERT INTO profiles (guild_id, user_id, target_group, city_id, updated_at) VALUES (?, ?, ?, ?, ?)",
        (
            (guild, user, GROUPS[i % len(GROUPS)], first_city + i % cities, spread(now, i, count))
            for i, user in enumerate(members)
        ),
    )
    await insert(
        db,
        "INSERT INTO call_subscriptions (guild_id, user_id, programme, created_at) VALUES (?, ?, ?, ?)",
        (
            (guild, user, PROGRAMMES[i % len(PROGRAMMES)], spread(now, i, count))
            for i, user in enumerate(members)
        ),
    )
    # 100 polls over the year, each answered by a fifth of the members: 20 ballots per member.
    for start in range(0, 100, 10):
        voters = [m for j, m in enumerate(members) if (j + start) % 5 == 0]
        await seed_closed_polls(db, guild, 10, voters, now, rng)
    await seed_testimonials(db, guild, count // 2, members, now, rng)
    first = await seed_proposals(db, guild, count // 5, now, rng)
    await insert(
        db,
        "INSERT INTO proposal_supports (proposal_id, user_id, supported_at) VALUES (?, ?, ?)",
        (
            (first + (j + k) % max(count // 5, 1), user, spread(now, j, count))
            for j, user in enumerate(members)
            for k in range(3)
        ),
    )
    await insert(
        db,
        "INSERT INTO events (guild_id, discord_event_id, title, location, starts_at, ends_at, timezone,"
        " created_by, created_at) VALUES (?, ?, ?, 'Town hall', ?, ?, 'Europe/Brussels', 1, ?)",
        (
            (
                guild,
                10**15 + guild % 10**6 * 1000 + i,
                f"Meetup {i}",
                starts,
                to_db_time(moment + timedelta(hours=1)),
                starts,
            )
            for i in range(200)
            for moment in [now - timedelta(days=365 * (200 - i) / 200)]
            for starts in [to_db_time(moment)]
        ),
    )
