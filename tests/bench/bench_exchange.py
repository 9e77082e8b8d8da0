"""Benchmark: /lessons search (SQLite FTS5, bm25, snippets) over many lessons, against a LIKE scan.

Run: python -m tests.bench.bench_exchange [--lessons 50000] [--queries 300]
Prints the median and 99th percentile latency of the repository's search and of a plain LIKE scan
over the same rows (the floor any search without an index pays), their ratio, and peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path

from storage.database import Database
from storage.exchange import ExchangeRepository
from storage.exchange_search import search_terms
from storage.migrate import apply_migrations
from tests.bench.botproc import peak_rss_mib
from tests.bench.table import Row, percentile

GUILD = 1
THEMES = ("waste-circularity", "energy", "mobility", "buildings", "nature-based", "governance-finance")
_COMMON_TEXT = (
    "city council residents energy heating transport bus bike waste recycling district building "
    "renovation solar heat pump budget funding citizens school park tree water flood policy data "
    "pilot project procurement grid charging parking street housing climate emissions plan"
)
COMMON = _COMMON_TEXT.split()


def make_vocabulary(rng: random.Random, size: int = 20000) -> list[str]:
    """Return common words plus many rarer made-up words, so queries range from frequent to rare."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    rare = {"".join(rng.choice(letters) for _ in range(rng.randint(5, 10))) for _ in range(size)}
    return COMMON + sorted(rare)


def sentence(rng: random.Random, vocab: list[str], words: int) -> str:
    """Return a pseudo-sentence drawing mostly common words and some rare ones."""
    picks = [rng.choice(COMMON) if rng.random() < 0.6 else rng.choice(vocab) for _ in range(words)]
    return " ".join(picks).capitalize() + "."


async def populate(db: Database, count: int, rng: random.Random, vocab: list[str]) -> None:
    """Insert `count` resolved exchanges, each with its lesson (search rows follow by trigger)."""
    now = "2026-01-01T00:00:00+00:00"
    batch = 5000
    for start in range(0, count, batch):
        rows = range(start, min(start + batch, count))
        async with db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO exchanges (id, guild_id, forum_id, thread_id, author_id, title, question, theme,"
                " status, created_at, resolved_at, resolved_by)"
                " VALUES (?, ?, 1, ?, 7, ?, ?, ?, 'resolved', ?, ?, 7)",
                [
                    (
                        i + 1,
                        GUILD,
                        10_000 + i,
                        sentence(rng, vocab, 6)[:100],
                        sentence(rng, vocab, 40),
                        rng.choice(THEMES),
                        now,
                        now,
                    )
                    for i in rows
                ],
            )
            await conn.executemany(
                "INSERT INTO lessons (exchange_id, what_worked, what_did_not, contact, author_id, created_at)"
                " VALUES (?, ?, ?, ?, 7, ?)",
                [
                    (i + 1, sentence(rng, vocab, 60), sentence(rng, vocab, 25), "City office", now)
                    for i in rows
                ],
            )


async def like_scan(db: Database, text: str, limit: int) -> int:
    """The naive search: every word in any column, by LIKE, newest first; return the hit count."""
    terms = search_terms(text)
    clauses = []
    params: list[object] = [GUILD]
    for term in terms:
        clauses.append(
            "(e.title LIKE ? OR e.question LIKE ? OR l.what_worked LIKE ? OR l.what_did_not LIKE ?"
            " OR l.contact LIKE ?)"
        )
        params += [f"%{term}%"] * 5
    rows = await db.fetchall(
        "SELECT e.id, e.title FROM exchanges e LEFT JOIN lessons l ON l.exchange_id = e.id"
        f" WHERE e.guild_id = ? AND {' AND '.join(clauses)} ORDER BY e.id DESC LIMIT ?",
        [*params, limit],
    )
    return len(rows)


async def measure(queries: list[str], run: Callable[[str], Awaitable[object]]) -> list[float]:
    """Time each query once (after one warm-up pass over a few) and return the latencies in ms."""
    for q in queries[:5]:
        await run(q)
    times = []
    for q in queries:
        started = time.perf_counter()
        await run(q)
        times.append((time.perf_counter() - started) * 1000)
    return times


def p99(values: list[float]) -> float:
    """Return the 99th percentile (as the table computes it)."""
    return percentile(values, 0.99)


async def measure_both(lessons: int, queries: int, seed: int) -> tuple[list[float], list[float], float, int]:
    """Build the database and run both searches over the same queries: (fts ms, like ms, build s, heap)."""
    rng = random.Random(seed)
    vocab = make_vocabulary(rng)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "bench.sqlite3")
        await db.open()
        try:
            await apply_migrations(db)
            started = time.perf_counter()
            await populate(db, lessons, rng, vocab)
            build = time.perf_counter() - started
            repo = ExchangeRepository(db)
            words = [
                rng.choice(COMMON) if rng.random() < 0.5 else rng.choice(vocab) for _ in range(queries * 2)
            ]
            texts = [" ".join(words[i : i + rng.choice((1, 2))]) for i in range(0, queries * 2, 2)]
            tracemalloc.start()
            fts = await measure(texts, lambda q: repo.search(GUILD, q, limit=8))
            _, fts_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            like = await measure(texts, lambda q: like_scan(db, q, 8))
        finally:
            await db.close()
    return fts, like, build, fts_peak


async def rows(quick: bool) -> list[Row]:
    """One row: the repository's search against the LIKE scan over 50,000 lessons (2,000 quick)."""
    lessons, queries = (2000, 60) if quick else (50_000, 300)
    fts, like, _, _ = await measure_both(lessons, queries, 7)
    return [
        Row.from_samples(
            f"lessons search in storage (FTS5), {lessons:,} lessons",
            fts,
            like,
            peak_mib=peak_rss_mib(),
            extra=f"{len(fts)} queries; floor: a LIKE scan of the same rows",
        )
    ]


async def main(lessons: int, queries: int, seed: int) -> None:
    """Build the database, run both searches over the same queries and print the figures."""
    fts, like, build, fts_peak = await measure_both(lessons, queries, seed)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"lessons: {lessons}, queries: {len(fts)}, database built in {build:.1f} s")
    print(f"FTS5 search (bm25, snippet): median {statistics.median(fts):.2f} ms, p99 {p99(fts):.2f} ms")
    print(f"LIKE scan (floor):           median {statistics.median(like):.2f} ms, p99 {p99(like):.2f} ms")
    print(
        f"ratio FTS/LIKE: median {statistics.median(fts) / statistics.median(like):.3f}, "
        f"p99 {p99(fts) / p99(like):.3f}"
    )
    print(f"peak Python memory during search: {fts_peak / 1024:.0f} KiB; process max RSS {rss_mb:.0f} MiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    asyncio.run(main(args.lessons, args.queries, args.seed))
