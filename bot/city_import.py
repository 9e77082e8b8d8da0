"""Bulk registration of cities from a CSV file, for `climabot import-cities FILE [--guild ID]`.

No Discord connection is needed: the rows go straight into the database. The file has a header row
with `name` and `country` columns and an optional `mission_city` column (yes/no, true/false, 1/0);
lines starting with `#` are comments.
"""

from __future__ import annotations

import asyncio
import csv
from dataclasses import dataclass, field
from pathlib import Path

from bot.citynames import validate_city_name
from bot.countries import resolve_country
from storage.cities import ImportCounts, city_key
from storage.repositories import open_storage

EXAMPLE_FILE = Path(__file__).resolve().parent.parent / "examples" / "cities.csv"
_TRUE = {"yes", "y", "true", "1", "x"}
_FALSE = {"no", "n", "false", "0", ""}


@dataclass
class ParsedFile:
    """The valid rows of a city file and the rejected ones with their reasons."""

    rows: list[tuple[str, str, bool]] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ImportReport:
    """What an import did, ready to print."""

    counts: ImportCounts
    rejected: list[tuple[int, str]]

    def lines(self) -> list[str]:
        """Describe the outcome in lines for the terminal."""
        c = self.counts
        out = [
            f"cities added: {c.added}, updated: {c.updated}, unchanged: {c.unchanged}, "
            f"rejected: {len(self.rejected)}"
        ]
        out += [f"  line {line}: {reason}" for line, reason in self.rejected]
        return out


def parse_city_file(text: str) -> ParsedFile:
    """Read CSV text into (name, country code, mission city) rows, rejecting bad lines with reasons."""
    parsed = ParsedFile()
    numbered = [
        (n, line) for n, line in enumerate(text.splitlines(), start=1) if not line.lstrip().startswith("#")
    ]
    numbered = [(n, line) for n, line in numbered if line.strip()]
    if not numbered:
        parsed.rejected.append((0, "the file has no header row (expected: name,country,mission_city)"))
        return parsed
    header = [h.strip().lower() for h in _split_line(numbered[0][1])]
    if "name" not in header or "country" not in header:
        parsed.rejected.append((numbered[0][0], "the header must name the columns name and country"))
        return parsed
    seen: set[str] = set()
    for line_no, line in numbered[1:]:
        record = dict(zip(header, (v.strip() for v in _split_line(line)), strict=False))
        problem = _check_row(record, seen, parsed)
        if problem:
            parsed.rejected.append((line_no, problem))
    return parsed


def _split_line(line: str) -> list[str]:
    """Split one CSV line into its fields."""
    return next(csv.reader([line]), [])


def _check_row(record: dict[str, str], seen: set[str], parsed: ParsedFile) -> str | None:
    """Validate one row and add it to parsed.rows; return the reason it is rejected, if it is."""
    try:
        name = validate_city_name(record.get("name", ""))
    except ValueError as exc:
        return str(exc)
    country = resolve_country(record.get("country", ""))
    if country is None:
        return f"{record.get('country', '')!r} is not a country (use an ISO 3166 code such as FR, or a name)"
    flag = record.get("mission_city", "").casefold()
    if flag not in _TRUE | _FALSE:
        return f"mission_city must be yes or no, not {flag!r}"
    if city_key(name) in seen:
        return f"{name!r} appears twice in the file"
    seen.add(city_key(name))
    parsed.rows.append((name, country, flag in _TRUE))
    return None


async def import_cities_file(database_path: Path, guild_id: int, path: Path) -> ImportReport:
    """Register the cities of a CSV file for one server; the valid rows go in one transaction."""
    text = await asyncio.to_thread(path.read_text, encoding="utf-8-sig")
    return await import_cities_text(database_path, guild_id, text)


async def import_cities_text(database_path: Path, guild_id: int, text: str) -> ImportReport:
    """Register the cities of CSV text already decoded (the CLI reads files in several encodings)."""
    parsed = parse_city_file(text)
    db, repos = await open_storage(database_path, default_timezone="UTC")
    try:
        counts = await repos.cities.import_many(guild_id, parsed.rows)
    finally:
        await db.close()
    return ImportReport(counts, parsed.rejected)
