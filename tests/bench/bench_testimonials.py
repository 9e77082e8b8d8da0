"""Benchmark: exporting 10,000 and 100,000 approved testimonials as CSV, JSON Lines and data package.

Run with `python -m tests.bench.bench_testimonials [--sizes 10000,100000] [--repeat 3]`; in the one table
(`python -m tests.bench`), each export's peak resident set size is measured in a fresh process of its own
(VmHWM), next to that of an idle process and of the not-streamed CSV, so flat from 10k to 100k shows.

For each size and format it prints the export time (median and p99 over the repeats, nearest rank,
so with few repeats p99 is the slowest run) and the peak Python heap during one export (tracemalloc,
measured in a separate run because tracing slows the code down). Two floors are measured in the
same run on the same rows: writing the CSV with the csv module straight from a list already in
memory (the least work any CSV export can do), and the same list-based approach including the
cost of loading every row into that list first (what an export that is not streamed holds in memory).
SQLite's own page cache lives outside the Python heap and is not in the tracemalloc figures.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.consent import consent_text
from bot.target_groups import TARGET_GROUPS
from bot.testimonial_export import CSV_FIELDS, csv_row, export_campaign
from storage.database import Database
from storage.migrate import apply_migrations
from storage.testimonials import Media, TestimonialsRepository, seed_approved
from storage.testimonials_export import ExportSnapshot
from tests.bench.botproc import peak_rss_mib
from tests.bench.table import Row

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
WORDS = ["tram", "heat", "pump", "repair", "café", "bike", "lane", "tree", "shade", "bus", "solar", "roof"]
CITIES = ["Leuven", "Gent", "València", "Kraków", "Malmö", "Dublin", "Lyon", "Porto", "Tallinn"]
PHOTO_EVERY = 10  # one testimonial in ten has its own photo (a 2 KB stand-in file)


async def build(folder: Path, count: int) -> tuple[Path, Path]:
    """Create a database with one campaign of `count` approved testimonials, and their media files."""
    db_path, media = folder / "bench.sqlite3", folder / "media"
    db = Database(db_path)
    await db.open()
    await apply_migrations(db)
    campaign = await TestimonialsRepository(db).create_campaign(
        guild_id=1, name="Bench", prompt="p", licence="CC-BY-4.0", max_photo_bytes=1, created_by=1, now=NOW
    )
    await db.close()
    rng = random.Random(count)
    stamp = NOW.isoformat(timespec="seconds")
    scopes = ("named", "anonymous", "research")
    texts = {scope: consent_text(scope, "CC-BY-4.0") for scope in scopes}
    files: list[Media] = []
    rows = []
    for i in range(count):
        sha = None
        if i % PHOTO_EVERY == 0:
            sha = f"{rng.getrandbits(256):064x}"
            relpath = f"{sha[:2]}/{sha}.jpg"
            (media / sha[:2]).mkdir(parents=True, exist_ok=True)
            (media / relpath).write_bytes(os.urandom(2048))
            files.append(Media(sha, relpath, "image/jpeg", 2048, 640, 480))
        story = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 120)))
        scope = scopes[i % 3]
        group = list(TARGET_GROUPS)[i % len(TARGET_GROUPS)]
        rows.append(
            (campaign.id, 1, 10_000 + i % 5000, story, rng.choice(CITIES), group, scope, "1", texts[scope],
             "CC-BY-4.0", sha, stamp)
        )  # fmt: skip
    seed_approved(db_path, rows, files)
    return db_path, media


def timed(work: Callable[[], Any], repeat: int) -> list[float]:
    """Run work `repeat` times and return the durations in seconds."""
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        durations.append(time.perf_counter() - started)
    return durations


def peak(work: Callable[[], Any]) -> int:
    """Run work once under tracemalloc and return its peak heap use in bytes."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def p99(values: list[float]) -> float:
    """The 99th percentile by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.99 * len(ordered) + 0.5) - 1))]


def load_rows(db_path: Path) -> list[list[Any]]:
    """Every exported CSV row, built in memory as a non-streaming export would."""
    with ExportSnapshot(db_path) as snapshot:
        (campaign,) = snapshot.campaigns_named("Bench")
        secret = snapshot.secret()
        return [csv_row(item, secret) for item in snapshot.rows(campaign.id)]


def write_rows(rows: list[list[Any]], out: Path) -> None:
    """The floor: write rows already in memory with the csv module."""
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(CSV_FIELDS)
        writer.writerows(rows)


def mib(size: int) -> str:
    """Bytes as MiB."""
    return f"{size / (1 << 20):7.1f} MiB"


def measure(count: int, folder: Path, repeat: int) -> None:
    """Build one size, measure the floors and the three exports, and print their lines."""
    started = time.perf_counter()
    db_path, media = asyncio.run(build(folder, count))
    print(f"{count:>8} (database built in {time.perf_counter() - started:.1f} s)")
    rows = load_rows(db_path)
    floor_out = folder / "floor.csv"
    floor = statistics.median(timed(lambda: write_rows(rows, floor_out), repeat))
    floor_peak = peak(lambda: write_rows(rows, floor_out))
    rows.clear()  # the floor's list is not kept while the others run
    naive_peak = peak(lambda: write_rows(load_rows(db_path), floor_out))
    naive = statistics.median(timed(lambda: write_rows(load_rows(db_path), floor_out), repeat))
    print(f"{count:>8} {'floor: csv from a list':<28} {floor:8.2f}s {'':>9} {mib(floor_peak)} {'1.00x':>9}")
    print(
        f"{count:>8} {'not streamed: load + write':<28} {naive:8.2f}s {'':>9} {mib(naive_peak)} "
        f"{naive / floor:8.2f}x"
    )
    for fmt in ("csv", "jsonl", "datapackage"):
        out = folder / f"export.{fmt}"

        def work(fmt: str = fmt, out: Path = out) -> None:
            """One export of the campaign."""
            export_campaign(db_path, media, "Bench", fmt, out, now=NOW)

        durations = timed(work, repeat)
        heap = peak(work)
        median = statistics.median(durations)
        print(
            f"{count:>8} {'export ' + fmt:<28} {median:8.2f}s {p99(durations):8.2f}s {mib(heap)} "
            f"{median / floor:8.2f}x {out.stat().st_size / (1 << 20):8.1f}MB"
        )


def run(sizes: list[int], repeat: int) -> None:
    """Measure every size in its own temporary folder."""
    print(
        f"{'items':>8} {'what':<28} {'median':>9} {'p99':>9} {'peak heap':>12} {'vs floor':>9} {'file':>10}"
    )
    for count in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-testimonials-") as name:
            measure(count, Path(name), repeat)


def peak_in_child(*args: str) -> float:
    """Run `--peak-of ...` in a fresh Python process and return its peak resident set size in MiB."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.bench_testimonials", "--peak-of", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(done.stdout.split()[-1])


def peak_of(what: str, db_path: str, media: str, out: str) -> None:
    """In a fresh process: do one export (or the not-streamed floor, or nothing) and print VmHWM."""
    if what == "naive":
        write_rows(load_rows(Path(db_path)), Path(out))
    elif what != "nothing":
        export_campaign(Path(db_path), Path(media), "Bench", what, Path(out), now=NOW)
    print(peak_rss_mib())


def size_rows(count: int, repeat: int) -> list[Row]:
    """The three export rows of one size, built in a temporary folder of their own."""
    out: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-testimonials-") as name:
        folder = Path(name)
        db_path, media = asyncio.run(build(folder, count))
        target = folder / "export.out"
        paths = (str(db_path), str(media), str(target))
        base, naive = peak_in_child("nothing", *paths), peak_in_child("naive", *paths)
        loaded = load_rows(db_path)
        floor = [t * 1000 for t in timed(partial(write_rows, loaded, folder / "floor.csv"), repeat)]
        loaded.clear()
        for fmt in ("csv", "jsonl", "datapackage"):
            work = partial(export_campaign, db_path, media, "Bench", fmt, target, now=NOW)
            took = [t * 1000 for t in timed(work, repeat)]
            note = f"n={repeat}; floor: csv of rows already in memory; idle process {base:.0f} MiB"
            if fmt == "csv":
                note += f", not streamed {naive:.0f} MiB"
            name = f"export {fmt}, {count:,} testimonials"
            out.append(Row.from_samples(name, took, floor, peak_mib=peak_in_child(fmt, *paths), extra=note))
    return out


def rows(quick: bool) -> list[Row]:
    """Per size and format: export time against the CSV-from-a-list floor, and the export's peak RSS."""
    sizes, repeat = ((1000, 10_000), 1) if quick else ((10_000, 100_000), 3)
    return [row for count in sizes for row in size_rows(count, repeat)]


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated item counts")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement")
    parser.add_argument("--peak-of", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peak_of:
        peak_of(*args.peak_of)
        return
    run([int(s) for s in args.sizes.split(",")], max(1, args.repeat))


if __name__ == "__main__":
    main()
